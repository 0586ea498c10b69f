"""The HTTP API: who may call which route, and the handlers serve exactly the template's routes."""

import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

Resources = dict[str, dict[str, Any]]

PUBLIC_PATH = re.compile(
    r"/studios/\{studio_id\}/bookings"
    r"|/portal/invitations/accept"
    r"|/portal/login"
    r"|/portal/password-reset.*"
    r"|/pay/.*"
    r"|/webhooks/.*"
)

# Run in a fresh interpreter laid out as Lambda lays it out (function code plus the layer),
# so that the import sees only the template's environment and leaves this process untouched.
LIST_RESOLVER_ROUTES = """
import importlib, json, sys
from backline.web import Api

module_name, handler_name = sys.argv[1], sys.argv[2]
module = importlib.import_module(module_name)
if not callable(getattr(module, handler_name, None)):
    sys.exit(f"{module_name}.{handler_name} is not a function")
app = getattr(module, "app", None)
if not isinstance(app, Api):
    sys.exit(f"{module_name} has no module-level backline.web.Api named app")
print(json.dumps(sorted({(route.method, route.path) for route in app.routes.values()})))
"""


@dataclass(frozen=True)
class HttpRoute:
    function: str
    method: str
    path: str
    authorizer: str


@pytest.fixture(scope="module")
def http_api(resources: Resources) -> dict[str, Any]:
    apis = [r for r in resources.values() if r["Type"] == "AWS::Serverless::HttpApi"]
    assert len(apis) == 1, "expected one HttpApi"
    api: dict[str, Any] = apis[0]["Properties"]
    return api


@pytest.fixture(scope="module")
def routes(resources: Resources, functions: Resources) -> list[HttpRoute]:
    found = []
    for name, function in functions.items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] != "HttpApi":
                continue
            properties = event["Properties"]
            api_name = properties.get("ApiId", {}).get("Ref")
            default = "NONE"  # the implicit API, or an API without a default, checks nothing
            if api_name is not None:
                auth = resources[api_name]["Properties"].get("Auth", {})
                default = auth.get("DefaultAuthorizer", "NONE")
            authorizer = properties.get("Auth", {}).get("Authorizer", default)
            found.append(
                HttpRoute(name, properties["Method"].upper(), properties["Path"], authorizer)
            )
    assert found, "the template declares no HttpApi routes"
    return found


def _trusts(authorizer: dict[str, Any], pool: str, client: str) -> bool:
    jwt = authorizer["JwtConfiguration"]
    issuer = "https://cognito-idp.${AWS::Region}.amazonaws.com/${" + pool + "}"
    return bool(jwt["issuer"] == {"Fn::Sub": issuer} and jwt["audience"] == [{"Ref": client}])


def test_staff_authorizer_trusts_the_staff_pool_and_client(
    http_api: dict[str, Any], resources: Resources
) -> None:
    authorizer = http_api["Auth"]["Authorizers"]["StaffAuthorizer"]

    assert _trusts(authorizer, "StaffUserPool", "StaffUserPoolClient")
    assert resources["StaffUserPoolClient"]["Properties"]["UserPoolId"] == {"Ref": "StaffUserPool"}


def test_customer_authorizer_trusts_the_customer_pool_and_client(
    http_api: dict[str, Any], resources: Resources
) -> None:
    authorizer = http_api["Auth"]["Authorizers"]["CustomerAuthorizer"]
    client = resources["CustomerUserPoolClient"]["Properties"]

    assert _trusts(authorizer, "CustomerUserPool", "CustomerUserPoolClient")
    assert client["UserPoolId"] == {"Ref": "CustomerUserPool"}


def test_routes_default_to_the_staff_authorizer(http_api: dict[str, Any]) -> None:
    assert http_api["Auth"]["DefaultAuthorizer"] == "StaffAuthorizer"


def test_only_public_routes_skip_the_authorizer(routes: list[HttpRoute]) -> None:
    open_routes = [r for r in routes if r.authorizer == "NONE"]

    assert [r for r in open_routes if not PUBLIC_PATH.fullmatch(r.path)] == []


def test_customer_tokens_open_portal_routes_only(routes: list[HttpRoute]) -> None:
    customer_routes = [r for r in routes if r.authorizer == "CustomerAuthorizer"]
    portal_routes_for_others = [
        r
        for r in routes
        if r.path.startswith("/portal/") and r.authorizer not in {"CustomerAuthorizer", "NONE"}
    ]

    assert [r for r in customer_routes if not r.path.startswith("/portal/")] == []
    assert portal_routes_for_others == []


def test_handler_serves_exactly_the_template_routes(
    functions: Resources,
    routes: list[HttpRoute],
    lambda_environment: Callable[[str], dict[str, str]],
    api_function_name: str,
) -> None:
    module_name, handler_name = functions[api_function_name]["Properties"]["Handler"].rsplit(".", 1)
    declared = sorted({(r.method, r.path) for r in routes if r.function == api_function_name})

    listed = subprocess.run(
        [sys.executable, "-c", LIST_RESOLVER_ROUTES, module_name, handler_name],
        env=lambda_environment(api_function_name),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert listed.returncode == 0, f"{module_name} did not load:\n{listed.stderr}"
    served = sorted((method, path) for method, path in json.loads(listed.stdout))
    unserved = [" ".join(route) for route in declared if route not in served]
    undeclared = [" ".join(route) for route in served if route not in declared]
    assert not unserved, f"in the template, not served by {module_name}.app: {unserved}"
    assert not undeclared, f"served by {module_name}.app, not in the template: {undeclared}"
