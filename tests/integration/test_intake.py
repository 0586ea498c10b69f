"""Public intake: the booking page finds the studio's customer by email or makes a guest,
within the studio's sign-up policy, in a bounded number of DynamoDB calls."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from tests.integration.conftest import Caller
from tests.support import LIVE_ROOM, slot


def _request(email: str, name: str = "Ada Lovelace", **extra: Any) -> dict[str, Any]:
    return {"name": name, "email": email, "room_id": "live", **slot(), **extra}


def _customer(staff: Caller, name: str = "Ada Lovelace", email: str = "ada@example.com") -> str:
    answer = staff("POST", "/customers", body={"name": name, "email": email})
    assert answer.status == 201, answer.body
    return str(answer.body["customer_id"])


@pytest.fixture
def owner(as_staff: Callable[..., Caller]) -> Caller:
    staff = as_staff("studio-a")
    assert staff("PATCH", "/studio", body={"rooms": [LIVE_ROOM]}).status == 200
    return staff


def _counting(module: ModuleType) -> Iterator[list[str]]:
    """The names of the DynamoDB operations a handler module's client makes."""
    calls: list[str] = []

    def count(model: Any, **_: Any) -> None:
        calls.append(model.name)

    events = module.dynamodb.meta.events
    events.register("before-call.dynamodb.*", count, unique_id="test-intake-count")
    yield calls
    events.unregister("before-call.dynamodb.*", unique_id="test-intake-count")


@pytest.fixture
def intake_calls(public_booking: ModuleType) -> Iterator[list[str]]:
    yield from _counting(public_booking)


@pytest.fixture
def staff_calls(staff_api: ModuleType) -> Iterator[list[str]]:
    yield from _counting(staff_api)


# ---------------------------------------------------------------- customers made by intake


def test_a_new_email_books_and_becomes_an_unregistered_guest(
    owner: Caller, as_public: Caller
) -> None:
    # given a studio with public sign-up (the default) and no customers
    # when someone new books through the booking page
    answer = as_public(
        "POST",
        "/studios/studio-a/bookings",
        body=_request("Grace.Hopper@Example.com", name="  Grace   Hopper ", mobile="07911 123456"),
    )

    # then the booking is made at the room's price with no alert
    assert answer.status == 201
    assert answer.body["alert"] is None
    booking = answer.body["booking"]
    assert booking["price"] == 4000
    assert booking["status"] == "confirmed"

    # and staff find a guest with what was given, the mobile in E.164
    customer = owner("GET", f"/customers/{booking['customer_id']}").body
    assert customer["name"] == "Grace Hopper"
    assert customer["email"] == "Grace.Hopper@example.com"
    assert customer["mobile"] == "+447911123456"
    assert customer["status"] == "unregistered"
    assert customer["registered"] is False
    assert [b["booking_id"] for b in customer["bookings"]["current"]] == [booking["booking_id"]]
    listed = owner("GET", "/customers").body["items"]
    assert [c["customer_id"] for c in listed] == [booking["customer_id"]]


def test_a_known_email_in_another_case_books_as_the_same_customer(
    owner: Caller, as_public: Caller
) -> None:
    # given a customer staff added with an email
    customer_id = _customer(owner, email="ada@example.com")

    # when they book on the page typing their email in capitals
    answer = as_public("POST", "/studios/studio-a/bookings", body=_request("ADA@Example.COM"))

    # then the booking is theirs and no second customer appears
    assert answer.status == 201
    assert answer.body["booking"]["customer_id"] == customer_id
    listed = owner("GET", "/customers").body["items"]
    assert [c["customer_id"] for c in listed] == [customer_id]


def test_two_bookings_by_one_new_guest_make_one_customer(owner: Caller, as_public: Caller) -> None:
    # given a guest who booked once through the page
    first = as_public("POST", "/studios/studio-a/bookings", body=_request("new@example.com"))

    # when they book again
    second = as_public(
        "POST", "/studios/studio-a/bookings", body=_request("new@example.com", **slot(days=4))
    )

    # then both bookings belong to one customer
    assert second.status == 201
    assert second.body["booking"]["customer_id"] == first.body["booking"]["customer_id"]
    detail = owner("GET", f"/customers/{first.body['booking']['customer_id']}").body
    assert len(detail["bookings"]["current"]) == 2
    assert len(owner("GET", "/customers").body["items"]) == 1


def test_without_public_signup_an_unknown_email_is_refused_clearly_and_nothing_is_made(
    as_staff: Callable[..., Caller], as_public: Caller
) -> None:
    # given a studio that takes online bookings from its customers only
    owner = as_staff()
    owner("PATCH", "/studio", body={"rooms": [LIVE_ROOM], "public_signup": False})

    # when someone it does not know books on the page
    answer = as_public("POST", "/studios/studio-a/bookings", body=_request("stranger@example.com"))

    # then they are told the studio books existing customers only, and no guest is made
    assert answer.status == 403
    assert answer.headers["content-type"] == "application/problem+json"
    assert "existing customers" in answer.body["detail"]
    assert owner("GET", "/customers").body["items"] == []


def test_without_public_signup_an_existing_customer_still_books(
    as_staff: Callable[..., Caller], as_public: Caller
) -> None:
    # given a members-only studio and one of its customers
    owner = as_staff()
    owner("PATCH", "/studio", body={"rooms": [LIVE_ROOM], "public_signup": False})
    customer_id = _customer(owner, email="ada@example.com")

    # when the customer books on the page
    answer = as_public("POST", "/studios/studio-a/bookings", body=_request("ada@example.com"))

    # then the booking is made for them
    assert answer.status == 201
    assert answer.body["booking"]["customer_id"] == customer_id


def test_booking_at_an_unknown_studio_is_404(as_public: Caller) -> None:
    # when someone books at a studio id that does not exist
    answer = as_public("POST", "/studios/no-such-studio/bookings", body=_request("a@example.com"))

    # then it is not found
    assert answer.status == 404
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_studio_only_finds_its_own_customers_by_email(
    owner: Caller, as_staff: Callable[..., Caller], as_public: Caller
) -> None:
    # given studio A's customer, and studio B open for bookings
    a_customer = _customer(owner, email="ada@example.com")
    other = as_staff("studio-b")
    other("PATCH", "/studio", body={"rooms": [LIVE_ROOM]})

    # when the same email books at studio B
    answer = as_public("POST", "/studios/studio-b/bookings", body=_request("ada@example.com"))

    # then B makes its own guest, and A's customer gains no booking
    assert answer.status == 201
    assert answer.body["booking"]["customer_id"] != a_customer
    assert owner("GET", f"/customers/{a_customer}").body["bookings"]["current"] == []


# ---------------------------------------------------------------- what the page may send


@pytest.mark.parametrize(
    "tampered",
    [{"price": 1}, {"amount_due": 0}, {"discount": 4000}, {"coupon_id": "cpn_x"}],
    ids=["price", "amount_due", "discount", "coupon_id"],
)
def test_the_booking_page_cannot_set_the_price(
    owner: Caller, as_public: Caller, tampered: dict[str, Any]
) -> None:
    # when the page's request carries a price of its own
    answer = as_public(
        "POST", "/studios/studio-a/bookings", body=_request("ada@example.com", **tampered)
    )

    # then it is refused naming the field, and no customer or booking is made
    assert answer.status == 422
    assert any(next(iter(tampered)) in error["loc"] for error in answer.body["errors"])
    assert owner("GET", "/customers").body["items"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"mobile": "12"}, "mobile"),
        ({"room_id": "attic"}, "room_id"),
        (slot(days=-2), "starts_at"),
    ],
    ids=["bad-email", "bad-mobile", "unknown-room", "past-slot"],
)
def test_an_invalid_booking_request_is_422_and_makes_no_guest(
    owner: Caller, as_public: Caller, change: dict[str, str], field: str
) -> None:
    # when the page sends a request with one invalid part
    answer = as_public(
        "POST", "/studios/studio-a/bookings", body={**_request("ada@example.com"), **change}
    )

    # then it names the part, and no guest is left behind
    assert answer.status == 422
    assert [error["loc"] for error in answer.body["errors"]] == [["body", field]]
    assert owner("GET", "/customers").body["items"] == []


# ---------------------------------------------------------------- DynamoDB calls


def test_intake_of_a_new_customer_takes_at_most_three_dynamodb_calls(
    owner: Caller, as_public: Caller, intake_calls: list[str]
) -> None:
    # given a studio open for bookings
    intake_calls.clear()

    # when a new customer books
    answer = as_public("POST", "/studios/studio-a/bookings", body=_request("new@example.com"))

    # then the page's function made three DynamoDB calls or fewer, and no scan
    assert answer.status == 201
    assert "TransactWriteItems" in intake_calls
    assert len(intake_calls) <= 3, intake_calls
    assert "Scan" not in intake_calls


def test_intake_of_a_known_customer_takes_at_most_three_dynamodb_calls(
    owner: Caller, as_public: Caller, intake_calls: list[str]
) -> None:
    # given a customer with a note, a coupon and past bookings
    customer_id = _customer(owner, email="ada@example.com")
    owner("POST", f"/customers/{customer_id}/notes", body={"text": "Loud"})
    coupon = owner("POST", "/coupons", body={"code": "TENOFF", "percent_off": 10}).body
    owner("PUT", f"/customers/{customer_id}/coupons/{coupon['coupon_id']}")
    as_public("POST", "/studios/studio-a/bookings", body=_request("ada@example.com"))
    intake_calls.clear()

    # when they book again on the page
    answer = as_public(
        "POST", "/studios/studio-a/bookings", body=_request("ada@example.com", **slot(days=5))
    )

    # then the page's function made three DynamoDB calls or fewer
    assert answer.status == 201
    assert answer.body["booking"]["coupon_id"] == coupon["coupon_id"]
    assert "TransactWriteItems" in intake_calls
    assert len(intake_calls) <= 3, intake_calls
    assert "Scan" not in intake_calls


def test_customer_detail_with_everything_is_one_dynamodb_query(
    owner: Caller, as_public: Caller, staff_calls: list[str]
) -> None:
    # given a customer with bookings, notes, a coupon, a band and a status change
    customer_id = _customer(owner, email="ada@example.com")
    for days in (3, 4):
        owner(
            "POST",
            "/bookings",
            body={"customer_id": customer_id, "room_id": "live", **slot(days=days)},
        )
    owner("POST", f"/customers/{customer_id}/notes", body={"text": "Loud"})
    owner("POST", f"/customers/{customer_id}/notes", body={"text": "Pays cash"})
    coupon = owner("POST", "/coupons", body={"code": "TENOFF", "percent_off": 10}).body
    owner("PUT", f"/customers/{customer_id}/coupons/{coupon['coupon_id']}")
    band = owner("POST", "/bands", body={"name": "The Engines"}).body
    owner("PUT", f"/bands/{band['band_id']}/members/{customer_id}")
    owner("PUT", f"/customers/{customer_id}/status", body={"status": "behind_payment"})
    staff_calls.clear()

    # when staff open the customer
    answer = owner("GET", f"/customers/{customer_id}")

    # then everything is there, from exactly one Query
    assert answer.status == 200
    assert len(answer.body["bookings"]["current"]) == 2
    assert len(answer.body["notes"]) == 2
    assert [c["coupon_id"] for c in answer.body["coupons"]] == [coupon["coupon_id"]]
    assert [b["band_id"] for b in answer.body["bands"]] == [band["band_id"]]
    assert len(answer.body["status_history"]) == 1
    assert staff_calls == ["Query"]


def test_intake_of_a_customer_holding_a_switched_off_coupon_takes_at_most_three_calls(
    owner: Caller, as_public: Caller, intake_calls: list[str]
) -> None:
    # given a customer whose coupon the studio has switched off
    customer_id = _customer(owner, email="ada@example.com")
    coupon = owner("POST", "/coupons", body={"code": "OLD", "percent_off": 10}).body
    owner("PUT", f"/customers/{customer_id}/coupons/{coupon['coupon_id']}")
    owner("PATCH", f"/coupons/{coupon['coupon_id']}", body={"active": False})
    intake_calls.clear()

    # when they book on the page
    answer = as_public("POST", "/studios/studio-a/bookings", body=_request("ada@example.com"))

    # then the booking is full price, still within three DynamoDB calls
    assert answer.status == 201
    assert answer.body["booking"]["coupon_id"] is None
    assert len(intake_calls) <= 3, intake_calls


def test_staff_notes_never_reach_the_public_booking_page(owner: Caller, as_public: Caller) -> None:
    # given a known customer with a staff-only note
    customer_id = _customer(owner)
    note = "Owes for the broken snare; do not extend credit"
    assert owner("POST", f"/customers/{customer_id}/notes", body={"text": note}).status == 201

    # when they book through the public page
    answer = as_public("POST", "/studios/studio-a/bookings", body=_request("ada@example.com"))

    # then the public answer carries no notes, while staff still see them on the booking
    assert answer.status == 201
    assert "customer_notes" not in answer.body["booking"]
    assert note not in str(answer.body)
    booking = owner("GET", f"/bookings/{answer.body['booking']['booking_id']}").body
    assert [n["text"] for n in booking["customer_notes"]] == [note]
