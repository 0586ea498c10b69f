"""What the test suites share: the environment, the table from template.yaml, and one
small builder of API Gateway HTTP API (payload 2.0) events."""

from __future__ import annotations

import base64
import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from local.template import load_yaml

ROOT = Path(__file__).resolve().parent.parent
TABLE = "backline-test"

ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "TABLE_NAME": TABLE,
    "CURSOR_SECRET": "test-cursor-secret-0123456789",
    "DEFAULT_COUNTRY": "GB",
    "PUBLIC_BASE_URL": "https://studio.test",
    "POWERTOOLS_METRICS_NAMESPACE": "BacklineTest",
    "POWERTOOLS_SERVICE_NAME": "test",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}


LIVE_ROOM = {"room_id": "live", "name": "Live room", "hourly_rate": 2000}


def slot(days: int = 3, minutes: int = 120) -> dict[str, str]:
    """A bookable slot `days` ahead, on the hour, `minutes` long."""
    start = (datetime.now(UTC) + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=minutes)).isoformat(),
    }


def template() -> dict[str, Any]:
    return load_yaml(ROOT / "template.yaml")


def _stand_in(value: Any, parameters: dict[str, Any]) -> str:
    """A plausible value for an environment variable that the template computes."""
    if isinstance(value, str | int | float):
        return str(value)
    ref = value.get("Ref") if isinstance(value, dict) else None
    if ref in parameters and "Default" in parameters[ref]:
        return str(parameters[ref]["Default"])
    return f"backline-{ref.lower()}" if isinstance(ref, str) else "stand-in-" + "0" * 40


def lambda_environment(declared: dict[str, Any], name: str) -> dict[str, str]:
    """The environment Lambda would give the template's function `name`, laid out as Lambda
    lays out its code (the function's folder and the layer on the path), with stand-ins."""
    function = declared["Resources"][name]["Properties"]
    parameters = declared.get("Parameters", {})
    variables = {
        **declared["Globals"]["Function"].get("Environment", {}).get("Variables", {}),
        **function.get("Environment", {}).get("Variables", {}),
    }
    code_and_layer = [str(ROOT / function["CodeUri"]), str(ROOT / "shared")]
    return {
        **{key: _stand_in(value, parameters) for key, value in variables.items()},
        "PYTHONPATH": os.pathsep.join(code_and_layer),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_LAMBDA_FUNCTION_NAME": name,
    }


def table_definition(name: str = TABLE) -> dict[str, Any]:
    """create_table arguments for the template's table, so tests use the deployed shape."""
    props = template()["Resources"]["Table"]["Properties"]
    return {
        "TableName": name,
        "BillingMode": props["BillingMode"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "GlobalSecondaryIndexes": props["GlobalSecondaryIndexes"],
    }


def staff_claims(studio_id: str, role: str = "owner", sub: str | None = None) -> dict[str, str]:
    return {
        "sub": sub or str(uuid.uuid4()),
        "custom:studio_id": studio_id,
        "custom:role": role,
        "token_use": "id",
    }


def http_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    claims: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    raw_body: str | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API event as the authorizer passes it to the function."""
    text = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
    all_headers = {"content-type": "application/json", **(headers or {})}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "headers": {k.lower(): v for k, v in all_headers.items()},
        "requestContext": {
            "http": {"method": method, "path": path, "sourceIp": "127.0.0.1", "userAgent": "t"},
            "requestId": str(uuid.uuid4()),
            "routeKey": f"{method} {path}",
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = query
    if text is not None:
        event["body"] = text
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return event


def decode(response: dict[str, Any]) -> Any:
    body = response.get("body") or ""
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return json.loads(body) if body else None


class FakeContext:
    """The Lambda context a handler receives, with what Powertools reads from it."""

    function_name = "backline-test"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:backline-test"
    aws_request_id = "test-request"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000
