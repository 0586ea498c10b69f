"""Input the handler must survive (QUALITY 25): malformed, oversized or odd requests get a
4xx problem document, never a 500.

Each test sends a family of requests and reports every one that was mishandled, so one
moto table serves many cases.
"""

import json
from collections.abc import Callable
from typing import Any

import pytest

MAX_BODY = 64 * 1024


@pytest.fixture
def api(as_staff: Callable[..., Any]) -> Any:
    return as_staff("studio-a")


@pytest.fixture
def ada(api: Any) -> str:
    return str(api("POST", "/customers", body={"name": "Ada Lovelace"}).body["customer_id"])


def client_problem(answer: Any) -> bool:
    """A 4xx with a problem document that states its own status."""
    body = answer.body if isinstance(answer.body, dict) else {}
    return (
        400 <= answer.status < 500
        and answer.headers.get("content-type") == "application/problem+json"
        and {"type", "title", "status", "detail"} <= set(body)
        and body["status"] == answer.status
    )


def names(api: Any) -> list[str]:
    return [c["name"] for c in api("GET", "/customers").body["items"]]


def test_malformed_json_is_a_client_problem_on_every_writing_route(api: Any, ada: str) -> None:
    # given bodies that are not JSON, or not a JSON object
    bodies = ["{bad", '{"name": }', '{"name": "Ada"', "", "null", "[1, 2]", '"Ada"', "42", "\x00"]
    routes = [
        ("POST", "/customers"),
        ("PATCH", f"/customers/{ada}"),
        ("POST", f"/customers/{ada}/notes"),
    ]

    # when each is sent to each route that reads a body
    answers = {(m, p, raw): api(m, p, raw_body=raw) for m, p in routes for raw in bodies}

    # then every one is a client problem, and nothing was written
    assert {case: a.status for case, a in answers.items() if not client_problem(a)} == {}
    assert names(api) == ["Ada Lovelace"]
    assert api("GET", f"/customers/{ada}").body["version"] == 1


@pytest.mark.parametrize(
    "raw",
    [
        '{"name": "Ada"' + " " * MAX_BODY + "}",
        json.dumps({"name": "A" * (MAX_BODY + 1)}),
        json.dumps({"name": "Ada", "padding": "x" * MAX_BODY}),
        "x" * (MAX_BODY + 1),
    ],
    ids=["valid-json-padded", "one-huge-field", "huge-unknown-field", "not-json"],
)
def test_body_over_64_kib_is_413(api: Any, raw: str) -> None:
    answer = api("POST", "/customers", raw_body=raw)

    assert answer.status == 413
    assert client_problem(answer)
    assert names(api) == []


def test_body_limit_counts_bytes_not_characters(api: Any, ada: str) -> None:
    # given a valid note whose body is under 64 Ki characters but over 64 KiB in UTF-8
    text = "🎸" * 5000
    raw = '{"text": "' + text + '"' + " " * (MAX_BODY - 6000) + "}"
    assert len(raw) <= MAX_BODY < len(raw.encode())

    answer = api("POST", f"/customers/{ada}/notes", raw_body=raw)

    assert answer.status == 413
    assert api("GET", f"/customers/{ada}").body["notes"] == []


def test_body_just_under_the_limit_is_accepted(api: Any) -> None:
    raw = '{"name": "Ada"' + " " * (MAX_BODY - 20) + "}"
    assert len(raw.encode()) <= MAX_BODY

    assert api("POST", "/customers", raw_body=raw).status == 201


def test_a_body_in_another_content_type_is_a_client_problem(api: Any) -> None:
    kinds = [
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/xml",
    ]

    answers = {
        kind: api("POST", "/customers", raw_body="name=Ada", headers={"content-type": kind})
        for kind in kinds
    }

    assert {kind: a.status for kind, a in answers.items() if not client_problem(a)} == {}
    assert names(api) == []


def test_if_match_naming_no_version_is_412_and_changes_nothing(api: Any, ada: str) -> None:
    tags = ["garbage", '"1.5"', '"-1"', '"²"', '"\u0661"', 'W/"x"', ""]

    answers = {
        tag: api("PATCH", f"/customers/{ada}", body={"name": "X"}, headers={"If-Match": tag})
        for tag in tags
    }

    assert {tag: a.status for tag, a in answers.items() if a.status != 412} == {}
    assert api("GET", f"/customers/{ada}").body["name"] == "Ada Lovelace"


def test_bad_list_queries_are_422_naming_the_parameter(api: Any) -> None:
    queries = {
        "limit": ["0", "101", "1e3", "-5", ""],
        "q": ["a" * 201],
        "cursor": ["c" * 2049, "garbage"],
        "status": ["vip", "active"],
        "include_inactive": ["perhaps"],
    }

    refused = {
        (name, value[:20]): api("GET", "/customers", query={name: value})
        for name, values in queries.items()
        for value in values
    }

    wrong = {
        case: answer.body
        for case, answer in refused.items()
        if answer.status != 422
        or ["query", case[0]] not in [error["loc"] for error in answer.body.get("errors", [])]
    }
    assert wrong == {}


def test_unknown_routes_are_problems_not_crashes(api: Any) -> None:
    routes = [
        ("GET", "/nowhere"),
        ("PUT", "/customers"),
        ("GET", "/customers/a/b/c"),
        ("POST", "/customers/cus_1"),
    ]

    answers = {route: api(*route) for route in routes}

    assert {route: a.status for route, a in answers.items() if a.status not in (404, 405)} == {}
    assert all(a.headers["content-type"] == "application/problem+json" for a in answers.values())


def test_wrongly_typed_fields_are_422_and_create_nothing(api: Any) -> None:
    bodies = [
        {"name": 5},
        {"name": ["Ada"]},
        {"name": {"first": "Ada"}},
        {"name": "Ada", "email": 5},
        {"name": "Ada", "opt_in_reminders": "often"},
        {"name": "A" * 201},
        {"name": "Ada", "mobile": "1" * 33},
        {"name": "Ada", "email": "a" * 250 + "@example.com"},
    ]

    answers = [api("POST", "/customers", body=body) for body in bodies]

    assert [body for body, a in zip(bodies, answers, strict=True) if a.status != 422] == []
    assert names(api) == []


def test_names_without_plain_words_are_stored_and_listed(api: Any) -> None:
    wanted = ["!!!", "🎸🎸", "O'Brien-Smith", "李小龍", "Ada\u0000Lovelace"]

    created = [api("POST", "/customers", body={"name": name}) for name in wanted]

    assert [answer.status for answer in created] == [201] * len(wanted)
    assert sorted(names(api)) == sorted(wanted)
    for answer in created:
        assert api("GET", f"/customers/{answer.body['customer_id']}").body["name"] in wanted
