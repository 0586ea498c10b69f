"""Read a SAM template as CloudFormation would, for the local stack.

The loader turns short tags (`!Ref`, `!Sub`, ...) into their long form. `Template.resolve`
evaluates the intrinsic functions the project uses against parameter defaults, pseudo
parameters and the physical ids of the resources that `local.aws` created. The `*_specs`
methods describe what the stack runs: functions, HTTP routes, authorizers, queue sources and
schedules, all read from the template so that the local stack cannot drift from it.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
DEFAULT_STACK_NAME = "backline-local"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATE = REPO_ROOT / "template.yaml"

FUNCTION_TYPES = {"AWS::Serverless::Function"}
HTTP_API_TYPE = "AWS::Serverless::HttpApi"
LAYER_TYPE = "AWS::Serverless::LayerVersion"
SCHEDULER_TYPE = "AWS::Scheduler::Schedule"

_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:([a-z-]+):([^}]*)\}\}")
_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")

# Property that carries a resource's own name, when the template sets one.
_NAME_PROPERTIES = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::SES::ConfigurationSet": "Name",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::Scheduler::Schedule": "Name",
    "AWS::Logs::LogGroup": "LogGroupName",
}


class TemplateError(ValueError):
    """The template uses something the local stack cannot evaluate."""


class _NoValue:
    """`AWS::NoValue`: the property or list item is dropped."""


NO_VALUE = _NoValue()


# ---------------------------------------------------------------------------- loading


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that reads CloudFormation short tags into the long form."""


def _construct_short_tag(loader: _CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    key = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {key: value}


_CfnLoader.add_multi_constructor("!", _construct_short_tag)


def load_yaml(path: Path) -> dict[str, Any]:
    """Load a CloudFormation or SAM template, short tags included."""
    with path.open(encoding="utf-8") as stream:
        document = yaml.load(stream, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(document, dict) or "Resources" not in document:
        raise TemplateError(f"{path} is not a template with Resources")
    return document


# ---------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class FunctionSpec:
    """One Lambda function: where its code is and what it runs with."""

    logical_id: str
    name: str
    arn: str
    code_dir: Path
    module: str
    attribute: str
    environment: dict[str, str]
    memory_mb: int
    timeout_s: float
    layer_dirs: tuple[Path, ...]


@dataclass(frozen=True)
class AuthorizerSpec:
    """A JWT authorizer of an HttpApi, resolved to the local pool and client."""

    name: str
    issuer: str
    audience: tuple[str, ...]
    identity_header: str


@dataclass(frozen=True)
class RouteSpec:
    """One `HttpApi` event: METHOD path -> function, behind an authorizer or not."""

    method: str
    path: str
    function_id: str
    event_name: str
    authorizer: AuthorizerSpec | None
    api_id: str

    @property
    def route_key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"


@dataclass(frozen=True)
class QueueSourceSpec:
    """One `SQS` event source of a function."""

    function_id: str
    event_name: str
    queue_arn: str
    batch_size: int
    report_batch_item_failures: bool
    enabled: bool


@dataclass(frozen=True)
class ScheduleSpec:
    """A schedule that invokes a function: a function event or an AWS::Scheduler::Schedule.

    `payload` is the event to send; None means the default for `kind` (an EventBridge
    "Scheduled Event" for `events`, an empty object for `scheduler`).
    """

    name: str
    expression: str
    function_id: str
    kind: str
    enabled: bool
    timezone: str = "UTC"
    payload: Any = field(default=None)


# ---------------------------------------------------------------------------- template


class Template:
    """A loaded template plus what is needed to evaluate its intrinsic functions."""

    def __init__(
        self,
        path: Path,
        *,
        stack_name: str = DEFAULT_STACK_NAME,
        parameters: Mapping[str, str] | None = None,
    ) -> None:
        self.path = path.resolve()
        self.root = self.path.parent
        self.stack_name = stack_name
        self.document = load_yaml(self.path)
        self.resources: dict[str, dict[str, Any]] = self.document["Resources"]
        self.globals: dict[str, Any] = self.document.get("Globals") or {}
        overrides = dict(parameters or {})
        self.parameters = {
            name: str(overrides.get(name, spec.get("Default", "")))
            for name, spec in (self.document.get("Parameters") or {}).items()
        }
        self._physical: dict[str, str] = {}
        self._attributes: dict[tuple[str, str], str] = {}
        self._dynamic_values: dict[str, str] = {}
        self.secret_values: dict[str, str] = {}
        self._conditions: dict[str, bool] = {}

    # -- physical ids ------------------------------------------------------------

    def set_physical(self, logical_id: str, ref: str, **attributes: str) -> None:
        """Record what `Ref` (and `GetAtt`) of a created resource answer."""
        self._physical[logical_id] = ref
        for name, value in attributes.items():
            self._attributes[(logical_id, name)] = value

    def resource_type(self, logical_id: str) -> str:
        return str(self.resources[logical_id]["Type"])

    def properties(self, logical_id: str) -> dict[str, Any]:
        return dict(self.resources[logical_id].get("Properties") or {})

    def physical_name(self, logical_id: str) -> str:
        """The name a resource gets: its own name property, else `<stack>-<logical id>`."""
        name_property = _NAME_PROPERTIES.get(self.resource_type(logical_id))
        explicit = self.properties(logical_id).get(name_property or "")
        if explicit is not None and explicit != "":
            return str(self.resolve(explicit))
        name = f"{self.stack_name}-{logical_id}"
        fifo = self.properties(logical_id).get("FifoQueue")
        return f"{name}.fifo" if self.resolve(fifo) in (True, "true") else name

    def ref(self, name: str) -> Any:
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/"
            f"{self.stack_name}/local",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
        }
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self._physical:
            return self._physical[name]
        if name in self.resources:
            return self._default_ref(name)
        raise TemplateError(f"Ref to unknown name {name!r}")

    def get_att(self, logical_id: str, attribute: str) -> str:
        if (logical_id, attribute) in self._attributes:
            return self._attributes[(logical_id, attribute)]
        if logical_id not in self.resources:
            raise TemplateError(f"GetAtt on unknown resource {logical_id!r}")
        if attribute == "Arn":
            return self._default_arn(logical_id)
        if attribute in ("Name", "QueueName", "TableName"):
            return self.physical_name(logical_id)
        if attribute in ("QueueUrl", "UserPoolId", "ClientId"):
            return str(self.ref(logical_id))
        if attribute in ("ProviderURL", "ProviderName"):
            name = f"cognito-idp.{REGION}.amazonaws.com/{self.ref(logical_id)}"
            return f"https://{name}" if attribute == "ProviderURL" else name
        raise TemplateError(f"GetAtt {logical_id}.{attribute} is not known locally")

    def _default_ref(self, logical_id: str) -> str:
        kind = self.resource_type(logical_id)
        name = self.physical_name(logical_id)
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{name}"
        if kind == "AWS::Cognito::UserPool":
            return f"{REGION}_{logical_id}"  # placeholder when not provisioned (docs builds)
        if kind == "AWS::SecretsManager::Secret":
            return self._default_arn(logical_id)
        return name

    def _default_arn(self, logical_id: str) -> str:
        kind = self.resource_type(logical_id)
        name = self.physical_name(logical_id)
        prefix = f"{REGION}:{ACCOUNT_ID}"
        arns = {
            "AWS::Serverless::Function": f"arn:aws:lambda:{prefix}:function:{name}",
            "AWS::DynamoDB::Table": f"arn:aws:dynamodb:{prefix}:table/{name}",
            "AWS::SQS::Queue": f"arn:aws:sqs:{prefix}:{name}",
            "AWS::SecretsManager::Secret": f"arn:aws:secretsmanager:{prefix}:secret:{name}",
            "AWS::Scheduler::Schedule": f"arn:aws:scheduler:{prefix}:schedule/default/{name}",
        }
        if kind == "AWS::Cognito::UserPool":
            return f"arn:aws:cognito-idp:{prefix}:userpool/{self.ref(logical_id)}"
        return arns.get(kind, f"arn:aws:{kind.split('::')[1].lower()}:{prefix}:{name}")

    # -- intrinsic functions -----------------------------------------------------

    def resolve(self, value: Any) -> Any:
        """Evaluate intrinsic functions and dynamic references in `value`."""
        return self._expand_dynamic(self._resolve(value))

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            conditions = self.document.get("Conditions") or {}
            if name not in conditions:
                raise TemplateError(f"unknown condition {name!r}")
            self._conditions[name] = bool(self._resolve(conditions[name]))
        return self._conditions[name]

    def is_enabled(self, logical_id: str) -> bool:
        """False when the resource carries a `Condition` that is false."""
        name = self.resources[logical_id].get("Condition")
        return True if name is None else self.condition(str(name))

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self._resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref" or key == "Condition" or key.startswith("Fn::"):
                return self._intrinsic(key, argument)
        resolved = {key: self._resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def _intrinsic(self, key: str, argument: Any) -> Any:
        if key == "Ref":
            return self.ref(str(argument))
        if key == "Condition":
            return self.condition(str(argument))
        if key == "Fn::GetAtt":
            logical_id, attribute = _get_att_parts(argument)
            return self.get_att(logical_id, attribute)
        if key == "Fn::Sub":
            return self._sub(argument)
        if key == "Fn::If":
            condition_name, when_true, when_false = argument
            return self._resolve(when_true if self.condition(condition_name) else when_false)
        if key == "Fn::Equals":
            left, right = (self._resolve(item) for item in argument)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not self._resolve(argument[0])
        if key == "Fn::And":
            return all(self._resolve(item) for item in argument)
        if key == "Fn::Or":
            return any(self._resolve(item) for item in argument)
        if key == "Fn::Join":
            separator, items = argument
            return str(separator).join(str(item) for item in self._resolve(items))
        if key == "Fn::Select":
            index, items = argument
            return self._resolve(items)[int(self._resolve(index))]
        if key == "Fn::Split":
            separator, text = argument
            return str(self._resolve(text)).split(str(separator))
        if key == "Fn::FindInMap":
            mapping, top, second = (self._resolve(item) for item in argument)
            return self.document["Mappings"][mapping][top][second]
        if key == "Fn::ToJsonString":
            return json.dumps(self._resolve(argument), separators=(",", ":"))
        raise TemplateError(f"{key} is not supported by the local stack")

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        values = {name: self._resolve(item) for name, item in variables.items()}

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in values:
                return str(values[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self.get_att(logical_id, attribute)
            return str(self.ref(name))

        return _SUB_VARIABLE.sub(substitute, str(text))

    def _expand_dynamic(self, value: Any) -> Any:
        if isinstance(value, str):
            return _DYNAMIC_REFERENCE.sub(self._dynamic_value, value)
        if isinstance(value, list):
            return [self._expand_dynamic(item) for item in value]
        if isinstance(value, dict):
            return {key: self._expand_dynamic(item) for key, item in value.items()}
        return value

    def _dynamic_value(self, match: re.Match[str]) -> str:
        """A `{{resolve:...}}` reference: a secret created locally, else a random value.

        The same reference always gives the same value within one stack.
        """
        reference = match.group(0)
        if reference not in self._dynamic_values:
            service, rest = match.group(1), match.group(2)
            value = secrets.token_urlsafe(32)
            if service == "secretsmanager":
                secret_id, _, selector = rest.partition(":SecretString")
                stored = self.secret_values.get(secret_id)
                if stored is not None:
                    value = _select_json_key(stored, selector.strip(":").split(":")[0])
            self._dynamic_values[reference] = value
        return self._dynamic_values[reference]

    # -- ordering ----------------------------------------------------------------

    def creation_order(self) -> list[str]:
        """Logical ids of enabled resources, each after those it refers to."""
        ordered: list[str] = []
        visiting: set[str] = set()

        def visit(logical_id: str) -> None:
            if logical_id in ordered:
                return
            if logical_id in visiting:
                raise TemplateError(f"circular reference through {logical_id}")
            visiting.add(logical_id)
            for dependency in sorted(self._dependencies(logical_id)):
                visit(dependency)
            visiting.discard(logical_id)
            ordered.append(logical_id)

        for logical_id in self.resources:
            if self.is_enabled(logical_id):
                visit(logical_id)
        return ordered

    def _dependencies(self, logical_id: str) -> set[str]:
        resource = self.resources[logical_id]
        depends_on = resource.get("DependsOn") or []
        names = set([depends_on] if isinstance(depends_on, str) else depends_on)
        names.update(_referenced_names(resource.get("Properties") or {}))
        return {name for name in names if name in self.resources and name != logical_id}

    # -- what the stack runs -----------------------------------------------------

    def function_ids(self) -> list[str]:
        return [
            logical_id
            for logical_id, resource in self.resources.items()
            if resource["Type"] in FUNCTION_TYPES and self.is_enabled(logical_id)
        ]

    def function_spec(self, logical_id: str) -> FunctionSpec:
        defaults = dict(self.globals.get("Function") or {})
        own = self.properties(logical_id)
        merged = {**defaults, **own}
        variables = {
            **((defaults.get("Environment") or {}).get("Variables") or {}),
            **((own.get("Environment") or {}).get("Variables") or {}),
        }
        layers = [*(defaults.get("Layers") or []), *(own.get("Layers") or [])]
        module, _, attribute = str(merged["Handler"]).rpartition(".")
        environment = {key: _env_text(value) for key, value in self.resolve(variables).items()}
        return FunctionSpec(
            logical_id=logical_id,
            name=self.physical_name(logical_id),
            arn=self.get_att(logical_id, "Arn"),
            code_dir=(self.root / str(self.resolve(merged["CodeUri"]))).resolve(),
            module=module,
            attribute=attribute,
            environment=environment,
            memory_mb=int(self.resolve(merged.get("MemorySize", 128))),
            timeout_s=float(self.resolve(merged.get("Timeout", 3))),
            layer_dirs=tuple(self._layer_dirs(layers)),
        )

    def _layer_dirs(self, layers: list[Any]) -> Iterator[Path]:
        for layer in layers:
            logical_id = layer.get("Ref") if isinstance(layer, dict) else None
            if logical_id not in self.resources or self.resource_type(logical_id) != LAYER_TYPE:
                continue  # a published layer ARN: its code is not in this repository
            content = self.resolve(self.properties(logical_id).get("ContentUri"))
            if isinstance(content, str):
                folder = (self.root / content).resolve()
                python = folder / "python"
                yield python if python.is_dir() else folder

    def _events(self, kinds: set[str]) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for function_id in self.function_ids():
            events = self.properties(function_id).get("Events") or {}
            for event_name, event in events.items():
                if event.get("Type") in kinds:
                    yield function_id, event_name, dict(event.get("Properties") or {})

    def authorizers(self) -> dict[tuple[str, str], AuthorizerSpec]:
        """JWT authorizers by (api id, name), from each HttpApi and Globals.HttpApi."""
        found: dict[tuple[str, str], AuthorizerSpec] = {}
        apis = {
            logical_id: self.properties(logical_id).get("Auth") or {}
            for logical_id, resource in self.resources.items()
            if resource["Type"] == HTTP_API_TYPE
        }
        apis[""] = (self.globals.get("HttpApi") or {}).get("Auth") or {}
        for api_id, auth in apis.items():
            for name, authorizer in (auth.get("Authorizers") or {}).items():
                jwt = authorizer.get("JwtConfiguration")
                if jwt is None:
                    raise TemplateError(f"authorizer {name}: only JWT authorizers run locally")
                source = str(authorizer.get("IdentitySource", "$request.header.Authorization"))
                found[(api_id, name)] = AuthorizerSpec(
                    name=name,
                    issuer=str(self.resolve(jwt["issuer"])),
                    audience=tuple(str(item) for item in self.resolve(jwt.get("audience", []))),
                    identity_header=source.rsplit(".", 1)[-1].lower(),
                )
        return found

    def route_specs(self) -> list[RouteSpec]:
        authorizers = self.authorizers()
        routes: list[RouteSpec] = []
        for function_id, event_name, props in self._events({"HttpApi"}):
            api = props.get("ApiId")
            api_id = str(api.get("Ref", "")) if isinstance(api, dict) else ""
            api_props = self.properties(api_id) if api_id else self.globals.get("HttpApi") or {}
            default = (api_props.get("Auth") or {}).get("DefaultAuthorizer")
            name = (props.get("Auth") or {}).get("Authorizer", default)
            authorizer = None
            if name not in (None, "NONE"):
                if (api_id, name) not in authorizers:
                    raise TemplateError(f"{function_id}.{event_name}: no authorizer {name}")
                authorizer = authorizers[(api_id, name)]
            routes.append(
                RouteSpec(
                    method=str(props.get("Method", "ANY")).upper(),
                    path=str(self.resolve(props.get("Path", "$default"))),
                    function_id=function_id,
                    event_name=event_name,
                    authorizer=authorizer,
                    api_id=api_id or "ServerlessHttpApi",
                )
            )
        return routes

    def queue_source_specs(self) -> list[QueueSourceSpec]:
        return [
            QueueSourceSpec(
                function_id=function_id,
                event_name=event_name,
                queue_arn=str(self.resolve(props["Queue"])),
                batch_size=int(self.resolve(props.get("BatchSize", 10))),
                report_batch_item_failures="ReportBatchItemFailures"
                in (self.resolve(props.get("FunctionResponseTypes")) or []),
                enabled=self.resolve(props.get("Enabled", True)) not in (False, "false"),
            )
            for function_id, event_name, props in self._events({"SQS"})
        ]

    def schedule_specs(self) -> list[ScheduleSpec]:
        """Schedules named by their event key or resource id (Function.Event on a clash)."""
        found: list[ScheduleSpec] = []
        for function_id, event_name, props in self._events({"Schedule", "ScheduleV2"}):
            version_two = "ScheduleExpression" in props
            expression = props.get("ScheduleExpression") if version_two else props.get("Schedule")
            state = self.resolve(props.get("State", "ENABLED"))
            enabled = self.resolve(props.get("Enabled", True)) not in (False, "false")
            found.append(
                ScheduleSpec(
                    name=event_name,
                    expression=str(self.resolve(expression)),
                    function_id=function_id,
                    kind="scheduler" if version_two else "events",
                    enabled=enabled and state != "DISABLED",
                    timezone=str(self.resolve(props.get("ScheduleExpressionTimezone", "UTC"))),
                    payload=_payload(self.resolve(props.get("Input"))),
                )
            )
        arns = {self.get_att(logical_id, "Arn"): logical_id for logical_id in self.function_ids()}
        for logical_id, resource in self.resources.items():
            if resource["Type"] != SCHEDULER_TYPE or not self.is_enabled(logical_id):
                continue
            props = self.resolve(resource.get("Properties") or {})
            target = props.get("Target") or {}
            target_id = arns.get(str(target.get("Arn")))
            if target_id is None:
                continue  # targets something other than a function of this template
            found.append(
                ScheduleSpec(
                    name=logical_id,
                    expression=str(props["ScheduleExpression"]),
                    function_id=target_id,
                    kind="scheduler",
                    enabled=props.get("State", "ENABLED") != "DISABLED",
                    timezone=str(props.get("ScheduleExpressionTimezone", "UTC")),
                    payload=_payload(target.get("Input")),
                )
            )
        return _unique_schedule_names(found)

    def email_addresses(self) -> set[str]:
        """Parameter values and function settings that are mail addresses (senders)."""
        candidates = list(self.parameters.values())
        for function_id in self.function_ids():
            candidates.extend(self.function_spec(function_id).environment.values())
        return {value for value in candidates if re.fullmatch(r"[^@\s]+@[^@\s]+\.\w+", value)}


# ---------------------------------------------------------------------------- helpers


def _get_att_parts(argument: Any) -> tuple[str, str]:
    parts = argument.split(".", 1) if isinstance(argument, str) else list(argument)
    if len(parts) != 2:
        raise TemplateError(f"malformed GetAtt {argument!r}")
    return str(parts[0]), str(parts[1])


def _referenced_names(value: Any) -> Iterator[str]:
    if isinstance(value, list):
        for item in value:
            yield from _referenced_names(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                yield item
            elif key == "Fn::GetAtt":
                yield _get_att_parts(item)[0]
            elif key == "Fn::Sub":
                text = item if isinstance(item, str) else item[0]
                for name in _SUB_VARIABLE.findall(str(text)):
                    yield name.split(".", 1)[0]
                yield from _referenced_names(item)
            else:
                yield from _referenced_names(item)


def _env_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _select_json_key(stored: str, key: str) -> str:
    if not key:
        return stored
    return str(json.loads(stored)[key])


def _payload(text: Any) -> Any:
    if text is None:
        return None
    return json.loads(text) if isinstance(text, str) else text


def _unique_schedule_names(schedules: list[ScheduleSpec]) -> list[ScheduleSpec]:
    counts: dict[str, int] = {}
    for schedule in schedules:
        counts[schedule.name] = counts.get(schedule.name, 0) + 1
    unique: list[ScheduleSpec] = []
    for schedule in schedules:
        if counts[schedule.name] > 1:
            schedule = replace(schedule, name=f"{schedule.function_id}.{schedule.name}")
        unique.append(schedule)
    return unique
