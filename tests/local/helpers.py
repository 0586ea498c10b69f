"""What the local stack's tests share: the fixture template, waiting, reading the table."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import boto3
import jwt
import moto
from boto3.dynamodb.conditions import Key

from local import RunningStack

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE = FIXTURES / "template.yaml"
T = TypeVar("T")


def wait_for(check: Callable[[], T], timeout_s: float = 10.0) -> T:
    """Poll `check` until it gives something truthy; fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting after {timeout_s} s (last: {value!r})")
        time.sleep(0.05)


def recorded(stack: RunningStack, kind: str) -> list[dict[str, Any]]:
    """Items the fixture functions wrote under PK=`kind`."""
    table = boto3.resource("dynamodb", endpoint_url=stack.aws_endpoint).Table(stack.table_names[0])
    answer = table.query(KeyConditionExpression=Key("PK").eq(kind))
    return list(answer["Items"])


def client(stack: RunningStack, service: str) -> Any:
    return boto3.client(service, endpoint_url=stack.aws_endpoint)  # type: ignore[call-overload]


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def moto_signing_key() -> Any:
    """The private key moto signs every pool's tokens with (to forge otherwise-good ones)."""
    path = Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-private.json.gz"
    return jwt.PyJWK.from_dict(json.loads(gzip.decompress(path.read_bytes()))).key
