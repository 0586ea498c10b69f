"""Tenancy and access (QUALITY 13, 15, 16, 18): the token's studio and role decide what a
caller reaches; another studio's customers answer exactly as missing ones."""

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.support import ENVIRONMENT

MISSING_CUSTOMER = "cus_missing0000000000000"
MISSING_NOTE = "note_missing000000000000"

OPERATIONS = [
    ("GET", "/customers/{c}", None),
    ("PATCH", "/customers/{c}", {"name": "Mallory"}),
    ("DELETE", "/customers/{c}", None),
    ("PUT", "/customers/{c}/status", {"status": "banned"}),
    ("POST", "/customers/{c}/notes", {"text": "B was here"}),
    ("PATCH", "/customers/{c}/notes/{n}", {"text": "B was here"}),
    ("DELETE", "/customers/{c}/notes/{n}", None),
]


@pytest.fixture
def studio_a(as_staff: Callable[..., Any]) -> Any:
    return as_staff("studio-a", "owner")


@pytest.fixture
def studio_b(as_staff: Callable[..., Any]) -> Any:
    return as_staff("studio-b", "owner")


@pytest.fixture
def ada(studio_a: Any) -> dict[str, Any]:
    """Studio A's customer, with one note."""
    customer = studio_a(
        "POST",
        "/customers",
        body={"name": "Ada Lovelace", "email": "ada@example.com", "mobile": "07911 123456"},
    ).body
    note = studio_a("POST", f"/customers/{customer['customer_id']}/notes", body={"text": "VIP"})
    return {**customer, "note_id": note.body["note_id"]}


def _anonymised(answer: Any, *ids: str) -> str:
    text = json.dumps(answer.body, sort_keys=True)
    for value in ids:
        text = text.replace(value, "<id>")
    return text


@pytest.mark.parametrize(("method", "template", "body"), OPERATIONS)
def test_another_studios_customer_answers_exactly_as_a_missing_one_and_stays_unchanged(
    studio_a: Any,
    studio_b: Any,
    ada: dict[str, Any],
    method: str,
    template: str,
    body: dict[str, str] | None,
) -> None:
    # given Ada of studio A, and an id that exists nowhere
    theirs = template.format(c=ada["customer_id"], n=ada["note_id"])
    nowhere = template.format(c=MISSING_CUSTOMER, n=MISSING_NOTE)

    # when staff of studio B reach for each
    reached = studio_b(method, theirs, body=body)
    missing = studio_b(method, nowhere, body=body)

    # then both are 404 with the same problem, and nothing of Ada shows
    assert reached.status == missing.status == 404
    assert reached.headers["content-type"] == missing.headers["content-type"]
    assert _anonymised(reached, ada["customer_id"], ada["note_id"]) == _anonymised(
        missing, MISSING_CUSTOMER, MISSING_NOTE
    )
    text = json.dumps(reached.body)
    assert "Ada" not in text
    assert "ada@example.com" not in text
    assert "VIP" not in text

    # and Ada, her status and her note are as studio A left them
    detail = studio_a("GET", f"/customers/{ada['customer_id']}")
    assert detail.status == 200
    assert (detail.body["name"], detail.body["status"], detail.body["version"]) == (
        "Ada Lovelace",
        "unregistered",
        1,
    )
    assert [note["text"] for note in detail.body["notes"]] == ["VIP"]


def test_another_studio_neither_lists_nor_finds_a_customer(
    studio_b: Any, ada: dict[str, Any]
) -> None:
    for query in [{}, {"include_inactive": "true"}, {"q": "ada"}, {"q": "123456"}, {"q": "ada@"}]:
        answer = studio_b("GET", "/customers", query=query)
        assert answer.body == {"items": [], "next_cursor": None}, query


def test_email_is_unique_per_studio_not_across_studios(studio_b: Any, ada: dict[str, Any]) -> None:
    answer = studio_b("POST", "/customers", body={"name": "Ada B", "email": "ada@example.com"})

    assert answer.status == 201


def test_a_cursor_of_studio_a_gives_studio_b_nothing_of_a(studio_a: Any, studio_b: Any) -> None:
    # given a page cursor from studio A's list, and studio B with customers of its own
    for name in ["Ada", "Bea", "Cy"]:
        studio_a("POST", "/customers", body={"name": name})
    studio_b("POST", "/customers", body={"name": "Zed"})
    cursor = studio_a("GET", "/customers", query={"limit": "1"}).body["next_cursor"]
    assert cursor

    # when studio B presents it
    answer = studio_b("GET", "/customers", query={"limit": "1", "cursor": cursor})

    # then it is refused as a problem, never a page of A
    assert 400 <= answer.status < 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert not {"Ada", "Bea", "Cy"} & set(re.findall(r"\w+", json.dumps(answer.body)))


def test_studio_id_in_the_body_is_refused(studio_a: Any, ada: dict[str, Any]) -> None:
    created = studio_a("POST", "/customers", body={"name": "Grace", "studio_id": "studio-b"})
    edited = studio_a("PATCH", f"/customers/{ada['customer_id']}", body={"studio_id": "studio-b"})

    for answer in (created, edited):
        assert answer.status == 422
        assert ["body", "studio_id"] in [error["loc"] for error in answer.body["errors"]]


def test_studio_id_in_query_or_header_is_ignored_for_writes(studio_a: Any, studio_b: Any) -> None:
    # when staff of A create a customer while naming studio B in the query and headers
    answer = studio_a(
        "POST",
        "/customers",
        body={"name": "Grace Hopper"},
        query={"studio_id": "studio-b"},
        headers={"X-Studio-Id": "studio-b", "Studio-Id": "studio-b"},
    )

    # then the customer is A's, as the token says
    assert answer.status == 201
    assert [c["name"] for c in studio_a("GET", "/customers").body["items"]] == ["Grace Hopper"]
    assert studio_b("GET", "/customers").body["items"] == []


def test_studio_id_in_query_or_header_is_ignored_for_reads(
    studio_b: Any, ada: dict[str, Any]
) -> None:
    spoof = {"query": {"studio_id": "studio-a"}, "headers": {"X-Studio-Id": "studio-a"}}

    listed = studio_b("GET", "/customers", **spoof)
    detail = studio_b("GET", f"/customers/{ada['customer_id']}", **spoof)

    assert listed.body["items"] == []
    assert detail.status == 404


ROUTES = [
    ("GET", "/customers", None),
    ("POST", "/customers", {"name": "Eve"}),
    ("GET", "/customers/{c}", None),
    ("PATCH", "/customers/{c}", {"name": "Eve"}),
    ("DELETE", "/customers/{c}", None),
    ("POST", "/customers/{c}/notes", {"text": "hi"}),
    ("PATCH", "/customers/{c}/notes/{n}", {"text": "hi"}),
    ("DELETE", "/customers/{c}/notes/{n}", None),
]


CALLERS = {
    "no-authorizer": (None, 401),
    "no-claims": ({}, 401),
    "no-studio": ({"sub": "u1", "custom:role": "owner"}, 401),
    "no-subject": ({"custom:studio_id": "studio-a", "custom:role": "owner"}, 401),
    "customer-role": (
        {"sub": "u1", "custom:studio_id": "studio-a", "custom:role": "customer"},
        403,
    ),
    "no-role": ({"sub": "u1", "custom:studio_id": "studio-a"}, 403),
    "empty-role": ({"sub": "u1", "custom:studio_id": "studio-a", "custom:role": ""}, 403),
    "other-case": ({"sub": "u1", "custom:studio_id": "studio-a", "custom:role": "Owner"}, 403),
    "customer-token": (
        {"sub": "u1", "custom:studio_id": "studio-a", "custom:customer_id": "cus_1"},
        403,
    ),
}


def test_callers_without_a_staff_token_are_refused_and_change_nothing(
    staff_api: Any, studio_a: Any, ada: dict[str, Any]
) -> None:
    # given callers whose token is missing, incomplete or not a staff member's
    wrong: dict[tuple[str, str, str], int] = {}
    for name, (claims, status) in CALLERS.items():
        caller = type(studio_a)(staff_api, claims)  # the conftest's Caller, with these claims

        # when each calls every customer route
        for method, template, body in ROUTES:
            path = template.format(c=ada["customer_id"], n=ada["note_id"])
            answer = caller(method, path, body=body)

            # then each is refused (401 without identity, 403 without a staff role)
            refused = (
                answer.status == status
                and answer.headers["content-type"] == "application/problem+json"
                and "Ada" not in json.dumps(answer.body)
            )
            if not refused:
                wrong[(name, method, template)] = answer.status

    assert wrong == {}
    # and nothing changed or was created
    detail = studio_a("GET", f"/customers/{ada['customer_id']}").body
    assert (detail["name"], detail["version"]) == ("Ada Lovelace", 1)
    assert [note["text"] for note in detail["notes"]] == ["VIP"]
    assert [c["name"] for c in studio_a("GET", "/customers").body["items"]] == ["Ada Lovelace"]


def test_responses_never_carry_keys_secrets_or_fingerprints(studio_a: Any) -> None:
    # given answers of every kind: created, replayed, read, listed, searched, edited, refused
    answers = []
    key = {"Idempotency-Key": "tenancy-1"}
    body = {"name": "Ada Lovelace", "email": "ada@example.com", "mobile": "07911 123456"}
    created = studio_a("POST", "/customers", body=body, headers=key)
    ada = created.body["customer_id"]
    answers += [created, studio_a("POST", "/customers", body=body, headers=key)]
    answers.append(studio_a("POST", "/customers", body={"name": "Other"}, headers=key))
    answers.append(studio_a("POST", "/customers", body={"name": "Bea"}))
    answers.append(studio_a("POST", f"/customers/{ada}/notes", body={"text": "VIP"}))
    answers.append(studio_a("GET", f"/customers/{ada}"))
    answers.append(studio_a("GET", "/customers", query={"limit": "1"}))
    answers.append(studio_a("GET", "/customers", query={"q": "ada", "limit": "1"}))
    answers.append(studio_a("PATCH", f"/customers/{ada}", body={"name": "Ada King"}))
    answers.append(
        studio_a("PATCH", f"/customers/{ada}", body={"name": "X"}, headers={"If-Match": '"1"'})
    )
    answers.append(studio_a("POST", "/customers", body={"name": "Dup", "email": "ada@example.com"}))
    answers.append(studio_a("PUT", f"/customers/{ada}/status", body={"status": "behind_payment"}))
    answers.append(studio_a("GET", "/customers", query={"cursor": "garbage"}))
    answers.append(studio_a("GET", "/customers/cus_nobody"))
    assert created.status == 201

    # then none of them shows a table key, a stored fingerprint or the cursor secret
    for answer in answers:
        text = json.dumps(answer.body) + json.dumps(answer.headers)
        for leak in ['"PK"', '"SK"', '"GSI', "S#studio-a", "fingerprint", "cursor_secret"]:
            assert leak not in text, (leak, answer)
        assert ENVIRONMENT["CURSOR_SECRET"] not in text
