"""The gateway: routes, payload 2.0 events, the JWT authorizer and the answers."""

from __future__ import annotations

import base64
import time
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from local import RunningStack
from tests.local.helpers import claims, client, moto_signing_key


@pytest.fixture(scope="module")
def staff_token(stack: RunningStack) -> str:
    return stack.token("studio-1", role="staff")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def forged(stack: RunningStack, key: Any, **changes: Any) -> str:
    """A staff token as the pool would sign it, with `changes`, signed with `key`."""
    good = claims(stack.token("studio-1", role="staff"))
    return jwt.encode({**good, **changes}, key, algorithm="RS256", headers={"kid": "dummy"})


def test_route_event_carries_path_query_headers_and_body(
    stack: RunningStack, staff_token: str
) -> None:
    answer = requests.get(
        f"{stack.url}/things/t%2F1?colour=red&colour=blue&empty=",
        headers={**bearer(staff_token), "X-Custom": "yes", "Cookie": "a=1; b=2"},
        timeout=10,
    )

    assert answer.status_code == 200
    event = answer.json()["event"]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /things/{thing_id}"
    assert event["rawPath"] == "/things/t%2F1"
    assert event["rawQueryString"] == "colour=red&colour=blue&empty="
    assert event["queryStringParameters"] == {"colour": "red,blue", "empty": ""}
    assert event["pathParameters"] == {"thing_id": "t/1"}
    assert event["headers"]["x-custom"] == "yes"
    assert "cookie" not in event["headers"]
    assert event["cookies"] == ["a=1", "b=2"]
    context = event["requestContext"]
    assert context["http"]["method"] == "GET"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    assert context["http"]["userAgent"].startswith("python-requests")
    assert context["routeKey"] == "GET /things/{thing_id}"
    assert context["stage"] == "$default"
    assert context["requestId"]
    assert abs(context["timeEpoch"] / 1000 - time.time()) < 60


def test_json_body_reaches_the_handler_as_text(stack: RunningStack, staff_token: str) -> None:
    answer = requests.post(
        f"{stack.url}/things", json={"name": "amp"}, headers=bearer(staff_token), timeout=10
    )

    assert answer.status_code == 201
    event = answer.json()["event"]
    assert answer.json()["name"] == "amp"
    assert event["body"] == '{"name": "amp"}'
    assert event["isBase64Encoded"] is False


def test_binary_body_reaches_the_handler_base64_encoded(stack: RunningStack) -> None:
    payload = bytes(range(200, 256))

    answer = requests.post(
        f"{stack.url}/upload",
        data=payload,
        headers={"Content-Type": "application/octet-stream"},
        timeout=10,
    )

    event = answer.json()["event"]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload


def test_context_and_settings_come_from_the_template(stack: RunningStack, staff_token: str) -> None:
    answer = requests.get(f"{stack.url}/things/1", headers=bearer(staff_token), timeout=10).json()

    context, settings = answer["context"], answer["settings"]
    assert context["function_name"] == "local-tests-EchoFunction"
    assert context["memory_limit_in_mb"] == 256
    assert context["invoked_function_arn"].endswith(":function:local-tests-EchoFunction")
    assert 0 < context["remaining_ms"] <= 5000
    assert settings["TABLE_NAME"] == "local-tests-Table"
    assert settings["WHERE"] == "us-east-1/local-tests/123456789012"
    secret = client(stack, "secretsmanager").get_secret_value(SecretId="local-tests-Secret")
    assert settings["SECRET_VALUE"] == secret["SecretString"]


def test_literal_segment_wins_over_a_path_parameter(stack: RunningStack, staff_token: str) -> None:
    answer = requests.get(f"{stack.url}/things/special", headers=bearer(staff_token), timeout=10)

    assert answer.json() == {"special": True}


def test_greedy_route_takes_the_rest_of_the_path_without_a_token(stack: RunningStack) -> None:
    answer = requests.get(f"{stack.url}/files/a/b/c.txt", timeout=10)

    assert answer.status_code == 200
    event = answer.json()["event"]
    assert event["routeKey"] == "GET /files/{proxy+}"
    assert event["pathParameters"] == {"proxy": "a/b/c.txt"}
    assert "authorizer" not in event["requestContext"]


def test_unknown_route_answers_not_found(stack: RunningStack) -> None:
    answer = requests.delete(f"{stack.url}/things/1", timeout=10)

    assert answer.status_code == 404
    assert answer.json() == {"message": "Not Found"}


def test_missing_token_is_unauthorized(stack: RunningStack) -> None:
    answer = requests.get(f"{stack.url}/things/1", timeout=10)

    assert answer.status_code == 401
    assert answer.json() == {"message": "Unauthorized"}


def test_token_with_a_bad_signature_is_unauthorized(stack: RunningStack) -> None:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = forged(stack, other_key)

    answer = requests.get(f"{stack.url}/things/1", headers=bearer(token), timeout=10)

    assert answer.status_code == 401
    assert answer.json() == {"message": "Unauthorized"}


def test_expired_token_is_unauthorized(stack: RunningStack) -> None:
    token = forged(stack, moto_signing_key(), exp=int(time.time()) - 5)

    answer = requests.get(f"{stack.url}/things/1", headers=bearer(token), timeout=10)

    assert answer.status_code == 401


def test_token_for_another_client_of_the_pool_is_unauthorized(stack: RunningStack) -> None:
    cognito = client(stack, "cognito-idp")
    pool_id = stack.resources.user_pools["StaffPool"].pool_id
    other = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="other", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    good = stack.token("studio-1", role="staff")
    token = forged(stack, moto_signing_key(), aud=other)

    assert requests.get(f"{stack.url}/things/1", headers=bearer(good), timeout=10).ok
    answer = requests.get(f"{stack.url}/things/1", headers=bearer(token), timeout=10)
    assert answer.status_code == 401


def test_customer_token_is_refused_by_a_staff_route(stack: RunningStack) -> None:
    token = stack.token("studio-1", customer_id="cus-1")

    answer = requests.get(f"{stack.url}/things/1", headers=bearer(token), timeout=10)

    assert answer.status_code == 401


def test_good_token_passes_its_claims_as_strings(stack: RunningStack, staff_token: str) -> None:
    answer = requests.get(f"{stack.url}/things/1", headers=bearer(staff_token), timeout=10)

    authorizer = answer.json()["event"]["requestContext"]["authorizer"]
    assert authorizer["jwt"]["scopes"] is None
    passed = authorizer["jwt"]["claims"]
    assert passed["custom:studio_id"] == "studio-1"
    assert passed["custom:role"] == "staff"
    assert passed["token_use"] == "id"
    assert passed["exp"] == str(claims(staff_token)["exp"])


def test_route_with_another_authorizer_takes_that_pools_tokens(stack: RunningStack) -> None:
    token = stack.token("studio-1", customer_id="cus-1")

    answer = requests.get(f"{stack.url}/portal/echo", headers=bearer(token), timeout=10)

    assert answer.status_code == 200
    passed = answer.json()["event"]["requestContext"]["authorizer"]["jwt"]["claims"]
    assert passed["custom:customer_id"] == "cus-1"


def test_handler_that_raises_answers_a_500_problem(stack: RunningStack) -> None:
    answer = requests.post(f"{stack.url}/boom", timeout=10)

    assert answer.status_code == 500
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json()["status"] == 500
    assert "EchoFunction" in answer.json()["detail"]


def test_body_over_ten_megabytes_is_refused_with_413(stack: RunningStack) -> None:
    too_big = b"x" * (10 * 1024 * 1024 + 1)

    answer = requests.post(f"{stack.url}/upload", data=too_big, timeout=30)

    assert answer.status_code == 413
    assert answer.json() == {"message": "Request Entity Too Large"}


def test_base64_answer_headers_and_cookies_map_back(stack: RunningStack) -> None:
    answer = requests.get(f"{stack.url}/picture", timeout=10)

    assert answer.content == bytes(range(256))
    assert answer.headers["Content-Type"] == "application/octet-stream"
    assert answer.headers["x-size"] == "256"
    assert answer.cookies["flavour"] == "mild"
    assert answer.cookies["size"] == "small"


def test_bare_value_answer_becomes_json(stack: RunningStack) -> None:
    answer = requests.get(f"{stack.url}/files/x", timeout=10)

    assert answer.headers["Content-Type"] == "application/json"
