"""Deleting a customer who booked keeps them, inactive, with their bookings readable;
a customer who never booked is removed for good."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.conftest import Caller
from tests.support import LIVE_ROOM, slot


def _request(email: str, days: int = 3) -> dict[str, Any]:
    return {"name": "Ada Lovelace", "email": email, "room_id": "live", **slot(days=days)}


@pytest.fixture
def owner(as_staff: Callable[..., Caller]) -> Caller:
    staff = as_staff("studio-a")
    assert staff("PATCH", "/studio", body={"rooms": [LIVE_ROOM]}).status == 200
    return staff


@pytest.fixture
def booked(owner: Caller, as_public: Caller) -> dict[str, Any]:
    """A guest who booked once on the page."""
    answer = as_public("POST", "/studios/studio-a/bookings", body=_request("ada@example.com"))
    assert answer.status == 201, answer.body
    return dict(answer.body["booking"])


def test_deleting_a_customer_who_booked_keeps_them_inactive_with_their_bookings(
    owner: Caller, booked: dict[str, Any]
) -> None:
    # given a customer with a booking
    customer_id = booked["customer_id"]

    # when staff delete them
    answer = owner("DELETE", f"/customers/{customer_id}")

    # then the delete is soft: the detail still reads, inactive, with the booking in it
    assert answer.status == 200
    assert answer.body == {"deleted": "soft"}
    detail = owner("GET", f"/customers/{customer_id}")
    assert detail.status == 200
    assert detail.body["active"] is False
    assert [b["booking_id"] for b in detail.body["bookings"]["current"]] == [booked["booking_id"]]


def test_a_soft_deleted_customers_booking_is_still_readable_by_id(
    owner: Caller, booked: dict[str, Any]
) -> None:
    # given a customer deleted after booking
    owner("DELETE", f"/customers/{booked['customer_id']}")

    # when staff open the booking
    answer = owner("GET", f"/bookings/{booked['booking_id']}")

    # then it is intact: what the public page answered, plus the staff notes (none here)
    assert answer.status == 200
    assert answer.body == {**booked, "customer_notes": []}


def test_a_soft_deleted_customer_is_out_of_the_default_list_but_in_the_full_one(
    owner: Caller, booked: dict[str, Any]
) -> None:
    # given a deleted customer who booked, and an active one
    deleted = booked["customer_id"]
    kept = owner("POST", "/customers", body={"name": "Grace Hopper"}).body["customer_id"]
    owner("DELETE", f"/customers/{deleted}")

    # when staff list customers, with and without the inactive ones
    default = owner("GET", "/customers").body["items"]
    everyone = owner("GET", "/customers", query={"include_inactive": "true"}).body["items"]

    # then only the full list shows the deleted customer
    assert [c["customer_id"] for c in default] == [kept]
    assert {c["customer_id"]: c["active"] for c in everyone} == {kept: True, deleted: False}


def test_intake_by_a_soft_deleted_customers_email_makes_a_new_guest(
    owner: Caller, as_public: Caller, booked: dict[str, Any]
) -> None:
    # given a customer deleted after booking
    old_id = booked["customer_id"]
    owner("DELETE", f"/customers/{old_id}")

    # when their email books on the page again
    answer = as_public(
        "POST", "/studios/studio-a/bookings", body=_request("ada@example.com", days=5)
    )

    # then a new active guest holds the new booking, and the old record keeps the old one
    assert answer.status == 201
    new_id = answer.body["booking"]["customer_id"]
    assert new_id != old_id
    new = owner("GET", f"/customers/{new_id}").body
    assert new["active"] is True
    assert new["email"] == "ada@example.com"
    old = owner("GET", f"/customers/{old_id}").body
    assert old["active"] is False
    assert [b["booking_id"] for b in old["bookings"]["current"]] == [booked["booking_id"]]
    assert [c["customer_id"] for c in owner("GET", "/customers").body["items"]] == [new_id]


def test_deleting_a_soft_deleted_customer_again_is_still_soft(
    owner: Caller, booked: dict[str, Any]
) -> None:
    owner("DELETE", f"/customers/{booked['customer_id']}")

    answer = owner("DELETE", f"/customers/{booked['customer_id']}")

    assert answer.status == 200
    assert answer.body == {"deleted": "soft"}
    assert owner("GET", f"/customers/{booked['customer_id']}").body["active"] is False


def test_a_cancelled_booking_still_makes_the_delete_soft(
    owner: Caller, booked: dict[str, Any]
) -> None:
    # given a customer whose only booking was cancelled (it is still their history)
    owner("POST", f"/bookings/{booked['booking_id']}/cancel")

    # when staff delete them
    answer = owner("DELETE", f"/customers/{booked['customer_id']}")

    # then the record and its history are kept
    assert answer.body == {"deleted": "soft"}
    history = owner("GET", f"/customers/{booked['customer_id']}").body["bookings"]["history"]
    assert [b["booking_id"] for b in history] == [booked["booking_id"]]


def test_deleting_a_customer_who_never_booked_is_permanent(owner: Caller) -> None:
    # given a customer with a note and a band but no booking
    customer_id = owner(
        "POST", "/customers", body={"name": "Grace Hopper", "email": "grace@example.com"}
    ).body["customer_id"]
    owner("POST", f"/customers/{customer_id}/notes", body={"text": "Asked about rates"})
    band_id = owner("POST", "/bands", body={"name": "The Compilers"}).body["band_id"]
    owner("PUT", f"/bands/{band_id}/members/{customer_id}")

    # when staff delete them
    answer = owner("DELETE", f"/customers/{customer_id}")

    # then they are gone for good, from the detail, the list and their band
    assert answer.body == {"deleted": "hard"}
    assert owner("GET", f"/customers/{customer_id}").status == 404
    everyone = owner("GET", "/customers", query={"include_inactive": "true"}).body["items"]
    assert everyone == []
    assert owner("GET", f"/bands/{band_id}").body["members"] == []
