"""AWS for the local stack: moto's server in this process, and the template's resources in it.

One moto server serves every stack started in the process (moto keeps its state in
module globals, so a second server would not be a second account). It is started by the
first `acquire_moto()` and stopped by the last `release_moto()`.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import string
import threading
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from local.template import REGION, Template

_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}
_CLEARED = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE")


class _Moto:
    lock = threading.Lock()
    server: ThreadedMotoServer | None = None
    endpoint = ""
    users = 0
    saved_environment: dict[str, str | None] = {}


def acquire_moto() -> str:
    """Start moto (or join the running one) and point boto3 at it; returns the endpoint."""
    with _Moto.lock:
        if _Moto.server is None:
            werkzeug_log = logging.getLogger("werkzeug")
            if werkzeug_log.level == logging.NOTSET:
                werkzeug_log.setLevel(logging.WARNING)  # moto's server logs every AWS call
            server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            server.start()
            host, port = server.get_host_and_port()
            _Moto.server, _Moto.endpoint = server, f"http://{host}:{port}"
            _reset(_Moto.endpoint)
            overrides = {**_CREDENTIALS, "AWS_ENDPOINT_URL": _Moto.endpoint}
            names = [*overrides, *_CLEARED]
            _Moto.saved_environment = {name: os.environ.get(name) for name in names}
            for name in _CLEARED:
                os.environ.pop(name, None)
            os.environ.update(overrides)
        _Moto.users += 1
        return _Moto.endpoint


def release_moto() -> None:
    """Leave moto; the last user stops it and puts the AWS settings back as they were."""
    with _Moto.lock:
        _Moto.users -= 1
        if _Moto.users > 0 or _Moto.server is None:
            return
        _Moto.server.stop()
        _Moto.server = None
        for name, value in _Moto.saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - loopback only
        pass


def aws_session() -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id=_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    )


# ---------------------------------------------------------------------------- resources


@dataclass(frozen=True)
class UserPool:
    logical_id: str
    pool_id: str
    custom_attributes: frozenset[str]
    username_is_email: bool
    client_ids: tuple[str, ...] = ()


@dataclass
class Provisioned:
    """What was created, by the names the rest of the stack needs."""

    tables: dict[str, str] = field(default_factory=dict)
    queue_urls: dict[str, str] = field(default_factory=dict)  # by queue ARN
    user_pools: dict[str, UserPool] = field(default_factory=dict)
    skipped_types: set[str] = field(default_factory=set)


def provision(template: Template, endpoint: str) -> Provisioned:
    """Create the template's resources in moto, in dependency order."""
    creator = _Creator(template, endpoint)
    for logical_id in template.creation_order():
        kind = template.resource_type(logical_id)
        create = creator.creators.get(kind)
        if create is None:
            creator.done.skipped_types.add(kind)
            continue
        create(logical_id, template.resolve(template.properties(logical_id)))
    for address in sorted(template.email_addresses()):
        creator.ses.verify_email_identity(EmailAddress=address)
    return creator.done


class _Creator:
    def __init__(self, template: Template, endpoint: str) -> None:
        session = aws_session()
        self.template = template
        self.done = Provisioned()
        self.dynamodb = session.client("dynamodb", endpoint_url=endpoint)
        self.sqs = session.client("sqs", endpoint_url=endpoint)
        self.cognito = session.client("cognito-idp", endpoint_url=endpoint)
        self.ses = session.client("ses", endpoint_url=endpoint)
        self.sesv2 = session.client("sesv2", endpoint_url=endpoint)
        self.secrets = session.client("secretsmanager", endpoint_url=endpoint)
        self.creators: dict[str, Callable[[str, dict[str, Any]], None]] = {
            "AWS::DynamoDB::Table": self.table,
            "AWS::SQS::Queue": self.queue,
            "AWS::Cognito::UserPool": self.user_pool,
            "AWS::Cognito::UserPoolClient": self.user_pool_client,
            "AWS::SES::ConfigurationSet": self.configuration_set,
            "AWS::SES::EmailIdentity": self.email_identity,
            "AWS::SecretsManager::Secret": self.secret,
        }

    def table(self, logical_id: str, props: dict[str, Any]) -> None:
        name = self.template.physical_name(logical_id)
        request = _pick(
            props,
            "AttributeDefinitions",
            "KeySchema",
            "GlobalSecondaryIndexes",
            "LocalSecondaryIndexes",
            "BillingMode",
            "ProvisionedThroughput",
            "TableClass",
            "DeletionProtectionEnabled",
        )
        if "StreamSpecification" in props:
            request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        description = self.dynamodb.create_table(TableName=name, **request)["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            self.dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )
        recovery = props.get("PointInTimeRecoverySpecification") or {}
        if recovery.get("PointInTimeRecoveryEnabled"):
            self.dynamodb.update_continuous_backups(
                TableName=name,
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )
        attributes = {"Arn": description["TableArn"]}
        if "LatestStreamArn" in description:
            attributes["StreamArn"] = description["LatestStreamArn"]
        self.template.set_physical(logical_id, name, **attributes)
        self.done.tables[logical_id] = name

    def queue(self, logical_id: str, props: dict[str, Any]) -> None:
        name = self.template.physical_name(logical_id)
        attributes: dict[Any, str] = {
            key: json.dumps(value) if isinstance(value, dict) else _text(value)
            for key, value in props.items()
            if key not in ("QueueName", "Tags")
        }
        url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        queue_arn = arn["Attributes"]["QueueArn"]
        self.template.set_physical(logical_id, url, Arn=queue_arn, QueueName=name, QueueUrl=url)
        self.done.queue_urls[queue_arn] = url

    def user_pool(self, logical_id: str, props: dict[str, Any]) -> None:
        request = _pick(
            props,
            "Policies",
            "Schema",
            "UsernameAttributes",
            "AliasAttributes",
            "AutoVerifiedAttributes",
            "AdminCreateUserConfig",
            "MfaConfiguration",
            "AccountRecoverySetting",
            "UsernameConfiguration",
            "UserPoolTags",
        )
        name = str(props.get("UserPoolName") or f"{self.template.stack_name}-{logical_id}")
        pool = self.cognito.create_user_pool(PoolName=name, **request)["UserPool"]
        pool_id = pool["Id"]
        provider = f"cognito-idp.{REGION}.amazonaws.com/{pool_id}"
        self.template.set_physical(
            logical_id,
            pool_id,
            Arn=pool["Arn"],
            UserPoolId=pool_id,
            ProviderName=provider,
            ProviderURL=f"https://{provider}",
        )
        self.done.user_pools[logical_id] = UserPool(
            logical_id=logical_id,
            pool_id=pool_id,
            custom_attributes=frozenset(item["Name"] for item in props.get("Schema", [])),
            username_is_email="email" in props.get("UsernameAttributes", []),
        )

    def user_pool_client(self, logical_id: str, props: dict[str, Any]) -> None:
        request = _pick(
            props,
            "GenerateSecret",
            "ExplicitAuthFlows",
            "PreventUserExistenceErrors",
            "ReadAttributes",
            "WriteAttributes",
            "RefreshTokenValidity",
            "AccessTokenValidity",
            "IdTokenValidity",
            "TokenValidityUnits",
            "AllowedOAuthFlows",
            "AllowedOAuthScopes",
            "AllowedOAuthFlowsUserPoolClient",
            "CallbackURLs",
            "LogoutURLs",
            "SupportedIdentityProviders",
            "EnableTokenRevocation",
        )
        # Locally every client also allows the admin password flow, so that
        # POST /_local/token can sign users in without SRP.
        flows = list(request.get("ExplicitAuthFlows", []))
        if "ADMIN_NO_SRP_AUTH" not in flows and "ALLOW_ADMIN_USER_PASSWORD_AUTH" not in flows:
            flows.append("ALLOW_ADMIN_USER_PASSWORD_AUTH")
        request["ExplicitAuthFlows"] = flows
        pool_id = str(props["UserPoolId"])
        client = self.cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName=str(props.get("ClientName", logical_id)), **request
        )["UserPoolClient"]
        self.template.set_physical(logical_id, client["ClientId"], ClientId=client["ClientId"])
        for pool_logical_id, pool in self.done.user_pools.items():
            if pool.pool_id == pool_id:
                clients = (*pool.client_ids, client["ClientId"])
                self.done.user_pools[pool_logical_id] = replace(pool, client_ids=clients)

    def configuration_set(self, logical_id: str, props: dict[str, Any]) -> None:
        name = self.template.physical_name(logical_id)
        self.ses.create_configuration_set(ConfigurationSet={"Name": name})
        self.template.set_physical(logical_id, name)

    def email_identity(self, logical_id: str, props: dict[str, Any]) -> None:
        identity = str(props["EmailIdentity"])
        self.sesv2.create_email_identity(EmailIdentity=identity)
        self.template.set_physical(logical_id, identity)

    def secret(self, logical_id: str, props: dict[str, Any]) -> None:
        name = self.template.physical_name(logical_id)
        value = props.get("SecretString")
        if value is None:
            value = _generated_secret(props.get("GenerateSecretString") or {})
        arn = self.secrets.create_secret(Name=name, SecretString=str(value))["ARN"]
        self.template.set_physical(logical_id, arn, Id=arn)
        self.template.secret_values.update({arn: str(value), name: str(value)})


def _pick(props: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: props[name] for name in names if name in props}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _generated_secret(spec: dict[str, Any]) -> str:
    alphabet = string.ascii_letters + string.digits
    if not spec.get("ExcludePunctuation"):
        alphabet += "!#$%&()*+,-.:;<=>?@[]^_{|}~"
    length = int(spec.get("PasswordLength", 32))
    generated = "".join(secrets.choice(alphabet) for _ in range(length))
    if "SecretStringTemplate" in spec:
        document = json.loads(spec["SecretStringTemplate"])
        document[spec.get("GenerateStringKey", "password")] = generated
        return json.dumps(document)
    return generated


# ---------------------------------------------------------------------------- tokens


class IdentityNotConfiguredError(LookupError):
    """No user pool of the template declares the custom attributes a token needs."""


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int


class TokenIssuer:
    """Signs users into the local user pools and hands out their ID tokens.

    A staff token comes from the pool whose schema declares `studio_id` and `role`; a
    customer token from the one that declares `studio_id` and `customer_id`. A user is
    created on first use; each call sets a new random password (never shown).
    """

    def __init__(self, pools: list[UserPool], endpoint: str) -> None:
        self._pools = pools
        self._cognito = aws_session().client("cognito-idp", endpoint_url=endpoint)

    def issue(
        self, studio_id: str, *, role: str | None = None, customer_id: str | None = None
    ) -> IssuedToken:
        claims = {"studio_id": studio_id}
        if customer_id is not None:
            claims["customer_id"] = customer_id
            local_part = f"customer+{studio_id}+{customer_id}"
        else:
            claims["role"] = str(role)
            local_part = f"{role}+{studio_id}"
        pool = self._pool_for(set(claims))
        username = f"{local_part}@example.com".lower()
        attributes = [{"Name": f"custom:{name}", "Value": value} for name, value in claims.items()]
        self._ensure_user(pool, username, attributes)
        password = secrets.token_urlsafe(24) + "Aa1!"
        self._cognito.admin_set_user_password(
            UserPoolId=pool.pool_id, Username=username, Password=password, Permanent=True
        )
        result = self._cognito.admin_initiate_auth(
            UserPoolId=pool.pool_id,
            ClientId=pool.client_ids[0],
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )["AuthenticationResult"]
        return IssuedToken(token=result["IdToken"], expires_in=result["ExpiresIn"])

    def _pool_for(self, attributes: set[str]) -> UserPool:
        for pool in self._pools:
            if attributes <= pool.custom_attributes and pool.client_ids:
                return pool
        wanted = ", ".join(f"custom:{name}" for name in sorted(attributes))
        raise IdentityNotConfiguredError(f"no user pool with a client declares {wanted}")

    def _ensure_user(self, pool: UserPool, username: str, attributes: list[Any]) -> None:
        try:
            self._cognito.admin_create_user(
                UserPoolId=pool.pool_id,
                Username=username,
                UserAttributes=[
                    {"Name": "email", "Value": username},
                    {"Name": "email_verified", "Value": "true"},
                    *attributes,
                ],
                MessageAction="SUPPRESS",
            )
        except self._cognito.exceptions.UsernameExistsException:
            self._cognito.admin_update_user_attributes(
                UserPoolId=pool.pool_id, Username=username, UserAttributes=attributes
            )


def jwks_url(endpoint: str, issuer: str) -> str:
    """Where moto serves the signing keys of a Cognito issuer (its path is the pool id)."""
    pool_id = issuer.rstrip("/").rsplit("/", 1)[-1]
    return f"{endpoint}/{pool_id}/.well-known/jwks.json"
