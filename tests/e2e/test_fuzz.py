"""Property-based fuzzing of every operation in the committed OpenAPI document
(QUALITY.md item 26): no 5xx, and every answer is one the document describes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.conftest import Stack
from tests.support import ROOT

SCHEMA = schemathesis.openapi.from_dict(
    json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
)

CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

LOG_LINES = 200

_parametrize: Callable[[Callable[..., None]], Callable[..., None]] = SCHEMA.parametrize()


class _Bearer(requests.auth.AuthBase):
    """Sets the token on every request, after schemathesis has built its headers.

    Schemathesis fills `Authorization` with random strings, and its negative cases drop
    the header; here every staff call carries a real owner token instead, so the fuzzing
    reaches the handlers rather than stopping at the authorizer. A missing or bad token is
    covered in test_staff_e2e.py.
    """

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


@pytest.fixture(scope="module")
def owner(stack: Stack) -> Iterator[requests.Session]:
    """An HTTP session with the owner token of a studio made for this module."""
    with requests.Session() as session:
        session.auth = _Bearer(stack.token(f"fuzz-{uuid.uuid4().hex[:10]}", role="owner"))
        yield session


@_parametrize
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(
    case: schemathesis.Case[Any],
    stack: Stack,
    owner: requests.Session,
) -> None:
    case.call_and_validate(base_url=stack.url, session=owner, checks=CHECKS, timeout=30)
