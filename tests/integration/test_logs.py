"""QUALITY 27: logs hold no tokens, passwords, pay links or full emails, and still say
what happened (a constant lowercase message, ids as keys).

The handlers run against moto with the logger at INFO, as deployed, and everything the
function writes to stdout (log lines and metrics) is read back and searched.
"""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import boto3
import pytest

from backline import keys
from backline.dynamo import serialize
from backline.observability import logger
from tests.integration.conftest import Caller
from tests.support import ENVIRONMENT, TABLE

STUDIO = "studio-a"
ROOM = {"room_id": "live", "name": "Live room", "hourly_rate": 2000}
# Shaped like a Cognito ID token, so a header logged anywhere would show up.
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzdGFmZi0xIn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
BEARER = {"authorization": f"Bearer {TOKEN}"}

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")  # a masked `a***@x.com` does not match
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*")
MESSAGE = re.compile(r"^[a-z][a-z ]*[a-z]$")


@dataclass
class Logs:
    """All the functions wrote to stdout while the fixture was on: log lines and metrics."""

    capsys: pytest.CaptureFixture[str]
    text: str = ""

    def read(self) -> list[dict[str, Any]]:
        captured = self.capsys.readouterr()
        self.text += captured.out + captured.err
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def lines(self) -> list[dict[str, Any]]:
        """The logger's lines (metrics lines carry no `level`)."""
        return [line for line in self.read() if "level" in line]

    def with_message(self, message: str) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line["message"] == message]


class _Stdout(io.TextIOBase):
    """Whatever `sys.stdout` is at the time of writing (capsys swaps it between phases)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


@pytest.fixture
def logs(capsys: pytest.CaptureFixture[str]) -> Iterator[Logs]:
    # The logger's handler holds the stdout of import time, not the one capsys reads;
    # point it at the current stdout, and log at INFO as the deployed functions do.
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    level = logger.log_level
    stream = handler.setStream(_Stdout())
    logger.setLevel("INFO")
    yield Logs(capsys)
    logger.setLevel(level)
    if stream is not None:
        handler.setStream(stream)


@pytest.fixture
def owner(as_staff: Callable[..., Caller]) -> Caller:
    staff = as_staff(STUDIO)
    assert staff("PATCH", "/studio", body={"rooms": [ROOM]}).status == 200
    return staff


def _slot() -> dict[str, str]:
    start = (datetime.now(UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}


def _intake(email: str) -> dict[str, Any]:
    return {"name": "Guest Person", "email": email, "room_id": "live", **_slot()}


def assert_clean(logs: Logs, emails: list[str]) -> None:
    """Nothing secret in any line; every log line is JSON with a constant message."""
    records = logs.read()
    text = logs.text
    assert records, "the handlers wrote nothing to read"
    for email in emails:
        assert email.lower() not in text.lower(), f"{email} is in the logs"
    assert EMAIL.search(text) is None, f"an email is in the logs: {EMAIL.search(text)}"
    assert "bearer" not in text.lower()
    assert JWT.search(text) is None, f"a token is in the logs: {JWT.search(text)}"
    assert ENVIRONMENT["CURSOR_SECRET"] not in text
    assert ENVIRONMENT["PUBLIC_BASE_URL"] not in text
    for line in (record for record in records if "level" in record):
        assert isinstance(line["message"], str)
        assert MESSAGE.match(line["message"]), line["message"]


# ---------------------------------------------------------------- staff routes


def test_staff_customer_routes_log_ids_and_no_email(owner: Caller, logs: Logs) -> None:
    # given a studio, and staff calls that carry their token as API Gateway passes it
    created = owner(
        "POST",
        "/customers",
        headers=BEARER,
        body={"name": "Ada Lovelace", "email": "Ada.Lovelace@Example.com"},
    )
    assert created.status == 201, created.body
    customer_id = created.body["customer_id"]

    # when staff add the email again, search by it, edit it and send bad bodies with one
    taken = owner(
        "POST",
        "/customers",
        headers=BEARER,
        body={"name": "Ada Again", "email": "ada.lovelace@example.com"},
    )
    found = owner("GET", "/customers", headers=BEARER, query={"q": "ada.lovelace@example.com"})
    edited = owner(
        "PATCH",
        f"/customers/{customer_id}",
        headers=BEARER,
        body={"email": "countess@analytical.example.org"},
    )
    invalid = owner(
        "POST", "/customers", headers=BEARER, body={"name": "", "email": "val.id@example.net"}
    )
    unreadable = owner(
        "POST", "/customers", headers=BEARER, raw_body='{"email": "raw.body@example.net",'
    )

    # then each answered as expected
    assert (taken.status, found.status, edited.status) == (409, 200, 200)
    assert [c["customer_id"] for c in found.body["items"]] == [customer_id]
    assert (invalid.status, unreadable.status) == (422, 400)

    # and the logs name the customer and the refusals, never the addresses or the token
    assert_clean(
        logs,
        [
            "Ada.Lovelace@Example.com",
            "countess@analytical.example.org",
            "val.id@example.net",
            "raw.body@example.net",
        ],
    )
    assert [line["customer_id"] for line in logs.with_message("customer created")] == [customer_id]
    assert [line["customer_id"] for line in logs.with_message("customer edited")] == [customer_id]
    refusals = logs.with_message("request refused")
    refused = {(line["reason"], line.get("status")) for line in refusals}
    assert refused == {("EmailTakenError", 409), ("validation", None), ("unreadable", 400)}
    assert all(line["level"] == "WARNING" for line in refusals)


# ---------------------------------------------------------------- public intake


def test_public_intake_logs_ids_and_no_email(owner: Caller, as_public: Caller, logs: Logs) -> None:
    # given a known customer and a banned one whose email is blocked
    known = owner("POST", "/customers", body={"name": "Ada", "email": "ada@example.com"})
    banned = owner("POST", "/customers", body={"name": "Mal", "email": "mal.lory@example.com"})
    ban = {"status": "banned_blocked_email", "customer_message": "Please call the studio."}
    assert owner("PUT", f"/customers/{banned.body['customer_id']}/status", body=ban).status == 200
    path = f"/studios/{STUDIO}/bookings"

    # when a new guest, the known customer and the blocked email book on the studio's page
    guest = as_public("POST", path, headers=BEARER, body=_intake("Grace.Hopper@Example.com"))
    again = as_public("POST", path, headers=BEARER, body=_intake("ADA@example.com"))
    refused = as_public("POST", path, headers=BEARER, body=_intake("Mal.Lory+x@Example.com"))

    # then the guest and the known customer are booked and the blocked email refused
    assert (guest.status, again.status, refused.status) == (201, 201, 403)
    assert again.body["booking"]["customer_id"] == known.body["customer_id"]

    # and the logs name bookings and customers by id only
    assert_clean(
        logs,
        ["Grace.Hopper@Example.com", "ada@example.com", "mal.lory@example.com", "Mal.Lory+x"],
    )
    made = logs.with_message("public booking made")
    assert [(line["booking_id"], line["customer_id"]) for line in made] == [
        (guest.body["booking"]["booking_id"], guest.body["booking"]["customer_id"]),
        (again.body["booking"]["booking_id"], known.body["customer_id"]),
    ]
    assert all(line["studio_id"] == STUDIO for line in made)
    assert [(line["reason"], line["status"]) for line in logs.with_message("request refused")] == [
        ("BookingRefusedError", 403)
    ]


# ---------------------------------------------------------------- the unexpected


def test_an_unexpected_error_logs_its_trace_and_no_email(
    owner: Caller, staff_api: ModuleType, logs: Logs, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a store that fails in a way nobody planned for
    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("the table is unreachable")

    monkeypatch.setattr(staff_api.customer_store, "create", broken)

    # when staff add a customer with an email
    answer = owner(
        "POST", "/customers", headers=BEARER, body={"name": "Ada", "email": "ada@example.com"}
    )

    # then the caller gets a problem, and the log the trace, under a constant message
    assert answer.status == 500
    assert_clean(logs, ["ada@example.com"])
    [line] = logs.with_message("unexpected error")
    assert line["level"] == "ERROR"
    assert line["exception_name"] == "RuntimeError"
    assert "the table is unreachable" in line["exception"]
    assert line["correlation_id"]


def test_a_malformed_stored_customer_logs_no_email(owner: Caller, logs: Logs) -> None:
    # given a customer whose stored item lost a required field (an old writer, a hand edit)
    created = owner("POST", "/customers", body={"name": "Ada", "email": "ada.byron@example.com"})
    customer_id = created.body["customer_id"]
    boto3.client("dynamodb").update_item(
        TableName=TABLE,
        Key=serialize(keys.customer_key(STUDIO, customer_id)),
        UpdateExpression="REMOVE updated_at",
    )

    # when staff open the customer
    answer = owner("GET", f"/customers/{customer_id}", headers=BEARER)

    # then the answer is a problem, and the logged trace does not spell out the address
    assert answer.status == 500
    assert logs.with_message("unexpected error")
    assert_clean(logs, ["ada.byron@example.com"])
