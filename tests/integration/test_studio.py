"""Studio settings through the staff API: read by any staff, changed by the owner only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.conftest import Caller

ROOMS = [
    {"room_id": "live", "name": "Live room", "hourly_rate": 2000},
    {"room_id": "booth", "name": "Vocal booth", "hourly_rate": 1200},
]


def test_a_studio_that_never_saved_settings_reads_as_the_defaults(
    as_staff: Callable[..., Caller],
) -> None:
    # given a studio whose owner has never opened the settings
    owner = as_staff("studio-new")

    # when they read them
    answer = owner("GET", "/studio")

    # then they see the defaults at version 0
    assert answer.status == 200
    assert answer.headers["etag"] == '"0"'
    assert answer.body == {
        "studio_id": "studio-new",
        "name": "",
        "currency": "GBP",
        "country": "GB",
        "public_signup": True,
        "rooms": [],
        "auto_payment_requests": {"enabled": False, "min_days_unpaid": 7, "send": False},
        "version": 0,
        "updated_at": None,
    }


def test_owner_changes_the_settings_and_gets_the_next_version(
    as_staff: Callable[..., Caller],
) -> None:
    # given the owner of a new studio
    owner = as_staff("studio-a", role="owner")

    # when they name the studio, add rooms and turn automatic payment requests on
    answer = owner(
        "PATCH",
        "/studio",
        body={
            "name": "Rehearsal Rooms",
            "currency": "EUR",
            "country": "IE",
            "public_signup": False,
            "rooms": ROOMS,
            "auto_payment_requests": {"enabled": True, "min_days_unpaid": 14, "send": True},
        },
        headers={"If-Match": '"0"'},
    )

    # then the answer and a later read both show the new settings at version 1
    assert answer.status == 200
    assert answer.headers["etag"] == '"1"'
    assert answer.body["version"] == 1
    assert answer.body["updated_at"] is not None
    read = owner("GET", "/studio")
    assert read.headers["etag"] == '"1"'
    assert read.body["name"] == "Rehearsal Rooms"
    assert read.body["currency"] == "EUR"
    assert read.body["country"] == "IE"
    assert read.body["public_signup"] is False
    assert read.body["rooms"] == ROOMS
    assert read.body["auto_payment_requests"] == {
        "enabled": True,
        "min_days_unpaid": 14,
        "send": True,
    }


def test_a_partial_change_keeps_the_settings_it_does_not_name(
    as_staff: Callable[..., Caller],
) -> None:
    # given a studio with rooms
    owner = as_staff()
    owner("PATCH", "/studio", body={"name": "Rehearsal Rooms", "rooms": ROOMS})

    # when the owner changes only the name
    answer = owner("PATCH", "/studio", body={"name": "Backline Rooms"})

    # then the rooms are still there
    assert answer.status == 200
    assert answer.body["name"] == "Backline Rooms"
    assert answer.body["rooms"] == ROOMS
    assert answer.body["version"] == 2


def test_staff_role_can_read_but_not_change_the_settings(
    as_staff: Callable[..., Caller],
) -> None:
    # given a studio the owner has named
    as_staff(role="owner")("PATCH", "/studio", body={"name": "Rehearsal Rooms"})
    member = as_staff(role="staff")

    # when a staff member (not the owner) tries to rename it
    answer = member("PATCH", "/studio", body={"name": "Mine now"})

    # then they are refused with a problem and the name stays
    assert answer.status == 403
    assert answer.headers["content-type"] == "application/problem+json"
    read = member("GET", "/studio")
    assert read.status == 200
    assert read.body["name"] == "Rehearsal Rooms"


def test_a_change_from_a_stale_version_is_412_and_changes_nothing(
    as_staff: Callable[..., Caller],
) -> None:
    # given two owners' sessions that both read version 0, and the first saved a change
    owner = as_staff()
    owner("PATCH", "/studio", body={"name": "First"}, headers={"If-Match": '"0"'})

    # when the second saves from the version it read
    answer = owner("PATCH", "/studio", body={"name": "Second"}, headers={"If-Match": '"0"'})

    # then it is refused and the first change stands
    assert answer.status == 412
    assert answer.body["status"] == 412
    read = owner("GET", "/studio")
    assert read.body["name"] == "First"
    assert read.body["version"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"currency": "gbp"}, "currency"),
        ({"currency": "EURO"}, "currency"),
        ({"country": "XX"}, "country"),
        ({"country": "gb"}, "country"),
        ({"rooms": [ROOMS[0], {**ROOMS[1], "room_id": "live"}]}, "rooms"),
        ({"rooms": [{**ROOMS[0], "hourly_rate": -1}]}, "rooms"),
        ({"rooms": [{**ROOMS[0], "room_id": "live room!"}]}, "rooms"),
        ({"auto_payment_requests": {"enabled": True, "min_days_unpaid": 0}}, "min_days_unpaid"),
        ({"plan": "gold"}, "plan"),
        ({"version": 9}, "version"),
        ({"studio_id": "studio-b"}, "studio_id"),
    ],
    ids=[
        "lower-case-currency",
        "four-letter-currency",
        "unknown-country",
        "lower-case-country",
        "duplicate-room-ids",
        "negative-rate",
        "room-id-with-spaces",
        "zero-days-unpaid",
        "unknown-field",
        "system-field-version",
        "system-field-studio-id",
    ],
)
def test_invalid_settings_are_422_with_the_field_named_and_change_nothing(
    as_staff: Callable[..., Caller], body: dict[str, Any], field: str
) -> None:
    # given a studio with settings
    owner = as_staff()
    owner("PATCH", "/studio", body={"name": "Rehearsal Rooms", "rooms": ROOMS})

    # when the owner sends an invalid change
    answer = owner("PATCH", "/studio", body=body)

    # then it is a validation problem that points at the field, and nothing moved
    assert answer.status == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert any(field in [str(part) for part in error["loc"]] for error in answer.body["errors"])
    read = owner("GET", "/studio")
    assert read.body["version"] == 1
    assert read.body["rooms"] == ROOMS
    assert read.body["studio_id"] == "studio-a"


def test_a_currency_that_is_not_an_iso_4217_code_is_refused(
    as_staff: Callable[..., Caller],
) -> None:
    # given a studio on pounds
    owner = as_staff()

    # when the owner sets a currency no payment provider knows (three capitals, no code)
    answer = owner("PATCH", "/studio", body={"currency": "ZZZ"})

    # then it is refused: prices are charged in this currency
    assert answer.status == 422
    assert owner("GET", "/studio").body["currency"] == "GBP"


def test_each_studio_reads_only_its_own_settings(as_staff: Callable[..., Caller]) -> None:
    # given studio A has named itself and set rooms
    as_staff("studio-a")("PATCH", "/studio", body={"name": "Studio A", "rooms": ROOMS})

    # when studio B reads its settings
    answer = as_staff("studio-b")("GET", "/studio")

    # then it sees its own defaults, nothing of A's
    assert answer.body["studio_id"] == "studio-b"
    assert answer.body["name"] == ""
    assert answer.body["rooms"] == []
