"""Bookings made by staff: priced by the studio, checked slots, notes kept as they stood,
read and cancelled by id, and never reachable from another studio."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.integration.conftest import Caller
from tests.support import LIVE_ROOM, slot


def _open_studio(staff: Caller, **settings: Any) -> None:
    answer = staff("PATCH", "/studio", body={"rooms": [LIVE_ROOM], **settings})
    assert answer.status == 200, answer.body


def _customer(staff: Caller, name: str = "Ada Lovelace", email: str = "ada@example.com") -> str:
    answer = staff("POST", "/customers", body={"name": name, "email": email})
    assert answer.status == 201, answer.body
    return str(answer.body["customer_id"])


def _book(staff: Caller, customer_id: str, **times: str) -> dict[str, Any]:
    body = {"customer_id": customer_id, "room_id": "live", **(times or slot())}
    answer = staff("POST", "/bookings", body=body)
    assert answer.status == 201, answer.body
    return dict(answer.body)


@pytest.fixture
def owner(as_staff: Callable[..., Caller]) -> Caller:
    staff = as_staff("studio-a")
    _open_studio(staff)
    return staff


# ---------------------------------------------------------------- price


def test_a_booking_costs_the_rooms_hourly_rate_times_the_hours(owner: Caller) -> None:
    # given a room at 2000 an hour and a customer
    customer_id = _customer(owner)

    # when staff book two hours
    answer = owner(
        "POST", "/bookings", body={"customer_id": customer_id, "room_id": "live", **slot()}
    )

    # then the booking is confirmed, unpaid, at 4000 in the studio's currency
    assert answer.status == 201
    booking = answer.body
    assert booking["price"] == 4000
    assert booking["discount"] == 0
    assert booking["amount_due"] == 4000
    assert booking["currency"] == "GBP"
    assert booking["coupon_id"] is None
    assert booking["status"] == "confirmed"
    assert booking["payment_status"] == "unpaid"
    assert booking["customer_id"] == customer_id


@pytest.mark.parametrize(
    ("rate", "minutes", "price"),
    [(2000, 90, 3000), (1999, 50, 1666), (1001, 45, 751), (2, 15, 1), (2000, 15, 500)],
    ids=["90-minutes", "50-minutes-up", "45-minutes-up", "half-a-unit-up", "15-minutes"],
)
def test_part_hours_are_priced_pro_rata_and_rounded_to_the_minor_unit(
    as_staff: Callable[..., Caller], rate: int, minutes: int, price: int
) -> None:
    # given a room at some hourly rate
    staff = as_staff()
    staff("PATCH", "/studio", body={"rooms": [{**LIVE_ROOM, "hourly_rate": rate}]})
    customer_id = _customer(staff)

    # when staff book part of an hour beyond the whole ones
    booking = _book(staff, customer_id, **slot(minutes=minutes))

    # then the price is the pro-rata amount, rounded half up
    assert booking["price"] == price
    assert booking["amount_due"] == price


def test_a_booking_is_charged_in_the_studios_currency(as_staff: Callable[..., Caller]) -> None:
    # given a studio that charges in euros
    staff = as_staff()
    _open_studio(staff, currency="EUR")

    # when staff book
    booking = _book(staff, _customer(staff))

    # then the booking is in euros
    assert booking["currency"] == "EUR"


@pytest.mark.parametrize(
    "tampered",
    [{"price": 1}, {"amount_due": 0}, {"discount": 4000}, {"status": "cancelled"}],
    ids=["price", "amount_due", "discount", "status"],
)
def test_a_client_cannot_set_the_price_of_a_booking(
    owner: Caller, tampered: dict[str, Any]
) -> None:
    # given a customer
    customer_id = _customer(owner)

    # when the booking request carries a price of the client's own
    body = {"customer_id": customer_id, "room_id": "live", **slot(), **tampered}
    answer = owner("POST", "/bookings", body=body)

    # then it is refused, naming the field, and no booking is written
    assert answer.status == 422
    assert any(next(iter(tampered)) in error["loc"] for error in answer.body["errors"])
    detail = owner("GET", f"/customers/{customer_id}").body
    assert detail["bookings"] == {"current": [], "history": []}


# ---------------------------------------------------------------- slots


def _later(slot: dict[str, str], minutes: int) -> str:
    return (datetime.fromisoformat(slot["starts_at"]) + timedelta(minutes=minutes)).isoformat()


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda s: {**s, "ends_at": _later(s, -60)}, "ends_at"),
        (lambda s: {**s, "ends_at": s["starts_at"]}, "ends_at"),
        (lambda s: {**s, "ends_at": _later(s, 10)}, "ends_at"),
        (lambda s: {**s, "ends_at": _later(s, 25 * 60)}, "ends_at"),
        (lambda s: slot(days=-1), "starts_at"),
        (lambda s: {**s, "room_id": "attic"}, "room_id"),
    ],
    ids=[
        "reversed",
        "zero-length",
        "ten-minutes",
        "over-a-day",
        "in-the-past",
        "unknown-room",
    ],
)
def test_a_slot_the_studio_cannot_rent_is_422_naming_the_field(
    owner: Caller, make: Callable[[dict[str, str]], dict[str, str]], field: str
) -> None:
    # given a customer
    customer_id = _customer(owner)

    # when staff try to book a slot that cannot be rented
    body = {"customer_id": customer_id, "room_id": "live", **make(slot())}
    answer = owner("POST", "/bookings", body=body)

    # then it is a validation problem naming the field, and nothing is booked
    assert answer.status == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.body["detail"]
    assert [error["loc"] for error in answer.body["errors"]] == [["body", field]]
    detail = owner("GET", f"/customers/{customer_id}").body
    assert detail["bookings"] == {"current": [], "history": []}


def test_times_without_a_timezone_are_refused(owner: Caller) -> None:
    # given a customer
    customer_id = _customer(owner)

    # when the times carry no offset (which wall clock is meant?)
    naive = {key: value.removesuffix("+00:00") for key, value in slot().items()}
    answer = owner(
        "POST", "/bookings", body={"customer_id": customer_id, "room_id": "live", **naive}
    )

    # then they are refused
    assert answer.status == 422


def test_a_studio_without_rooms_cannot_be_booked(as_staff: Callable[..., Caller]) -> None:
    # given a studio that has set up no rooms
    staff = as_staff()
    customer_id = _customer(staff)

    # when staff try to book
    body = {"customer_id": customer_id, "room_id": "live", **slot()}
    answer = staff("POST", "/bookings", body=body)

    # then the room is unknown
    assert answer.status == 422
    assert answer.body["errors"][0]["loc"] == ["body", "room_id"]


def test_booking_for_an_unknown_customer_is_404(owner: Caller) -> None:
    # when staff book for a customer id that does not exist
    body = {"customer_id": "cus_nobody", "room_id": "live", **slot()}
    answer = owner("POST", "/bookings", body=body)

    # then it is not found
    assert answer.status == 404


# ---------------------------------------------------------------- notes on bookings


def test_a_booking_keeps_the_customers_notes_as_they_stood_when_it_was_made(
    owner: Caller,
) -> None:
    # given a customer with a staff note
    customer_id = _customer(owner)
    note = owner(
        "POST", f"/customers/{customer_id}/notes", body={"text": "Brings own drum kit"}
    ).body

    # when staff book, and afterwards edit the note
    booking = _book(owner, customer_id)
    edited = owner(
        "PATCH",
        f"/customers/{customer_id}/notes/{note['note_id']}",
        body={"text": "Uses the house drum kit"},
    )
    assert edited.status == 200

    # then the booking still shows the note as it was, and the customer the new text
    read = owner("GET", f"/bookings/{booking['booking_id']}").body
    assert [n["text"] for n in booking["customer_notes"]] == ["Brings own drum kit"]
    assert [n["text"] for n in read["customer_notes"]] == ["Brings own drum kit"]
    detail = owner("GET", f"/customers/{customer_id}").body
    assert [n["text"] for n in detail["notes"]] == ["Uses the house drum kit"]


# ---------------------------------------------------------------- read and cancel


def test_a_booking_reads_back_by_id_and_is_in_the_customers_current_bookings(
    owner: Caller,
) -> None:
    # given a booking
    customer_id = _customer(owner)
    booking = _book(owner, customer_id)

    # when staff read it by id
    answer = owner("GET", f"/bookings/{booking['booking_id']}")

    # then it is the booking made, and the customer detail lists it as current
    assert answer.status == 200
    assert answer.body == booking
    detail = owner("GET", f"/customers/{customer_id}").body
    assert [b["booking_id"] for b in detail["bookings"]["current"]] == [booking["booking_id"]]


def test_an_unknown_booking_id_is_404(owner: Caller) -> None:
    # when staff read a booking that does not exist
    answer = owner("GET", "/bookings/bkg_nothing")

    # then it is a not-found problem
    assert answer.status == 404
    assert answer.headers["content-type"] == "application/problem+json"


def test_cancelling_a_booking_marks_it_cancelled_and_moves_it_to_history(
    owner: Caller,
) -> None:
    # given a confirmed booking
    customer_id = _customer(owner)
    booking = _book(owner, customer_id)

    # when staff cancel it
    answer = owner("POST", f"/bookings/{booking['booking_id']}/cancel")

    # then it reads cancelled and sits in the customer's history, not current
    assert answer.status == 200
    assert answer.body["status"] == "cancelled"
    assert owner("GET", f"/bookings/{booking['booking_id']}").body["status"] == "cancelled"
    detail = owner("GET", f"/customers/{customer_id}").body
    assert detail["bookings"]["current"] == []
    assert [b["booking_id"] for b in detail["bookings"]["history"]] == [booking["booking_id"]]


def test_cancelling_a_cancelled_booking_again_is_still_200_and_cancelled(
    owner: Caller,
) -> None:
    # given a cancelled booking
    booking = _book(owner, _customer(owner))
    owner("POST", f"/bookings/{booking['booking_id']}/cancel")

    # when staff cancel it again (a double click)
    answer = owner("POST", f"/bookings/{booking['booking_id']}/cancel")

    # then the answer is the same cancelled booking
    assert answer.status == 200
    assert answer.body["status"] == "cancelled"


def test_cancelling_an_unknown_booking_is_404(owner: Caller) -> None:
    assert owner("POST", "/bookings/bkg_nothing/cancel").status == 404


# ---------------------------------------------------------------- tenancy


def test_another_studio_cannot_read_a_booking_it_answers_as_missing(
    owner: Caller, as_staff: Callable[..., Caller]
) -> None:
    # given a booking of studio A
    booking = _book(owner, _customer(owner))
    other = as_staff("studio-b")

    # when studio B reads it by id
    answer = other("GET", f"/bookings/{booking['booking_id']}")

    # then B gets exactly what a missing id gets
    missing = other("GET", f"/bookings/{booking['booking_id']}x")
    assert answer.status == 404
    assert {k: v for k, v in answer.body.items() if k != "detail"} == {
        k: v for k, v in missing.body.items() if k != "detail"
    }
    assert "customer_id" not in answer.body


def test_another_studio_cannot_cancel_a_booking(
    owner: Caller, as_staff: Callable[..., Caller]
) -> None:
    # given a booking of studio A
    booking = _book(owner, _customer(owner))

    # when studio B tries to cancel it
    answer = as_staff("studio-b")("POST", f"/bookings/{booking['booking_id']}/cancel")

    # then B gets 404 and A's booking stays confirmed
    assert answer.status == 404
    assert owner("GET", f"/bookings/{booking['booking_id']}").body["status"] == "confirmed"


def test_another_studio_cannot_book_for_a_customer_it_does_not_have(
    owner: Caller, as_staff: Callable[..., Caller]
) -> None:
    # given a customer of studio A, and studio B with the same room id
    customer_id = _customer(owner)
    other = as_staff("studio-b")
    _open_studio(other)

    # when B books for A's customer
    answer = other(
        "POST", "/bookings", body={"customer_id": customer_id, "room_id": "live", **slot()}
    )

    # then B is told the customer does not exist, and A's customer has no booking
    assert answer.status == 404
    detail = owner("GET", f"/customers/{customer_id}").body
    assert detail["bookings"]["current"] == []
