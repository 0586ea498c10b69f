"""Coupons: made by the studio, assigned to customers, and applied to their bookings by
themselves (no promo code); never reachable from another studio."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.conftest import Caller
from tests.support import LIVE_ROOM, slot


def _customer(staff: Caller, name: str = "Ada Lovelace", email: str = "ada@example.com") -> str:
    answer = staff("POST", "/customers", body={"name": name, "email": email})
    assert answer.status == 201, answer.body
    return str(answer.body["customer_id"])


def _coupon(staff: Caller, code: str, **off: int) -> str:
    answer = staff("POST", "/coupons", body={"code": code, **off})
    assert answer.status == 201, answer.body
    return str(answer.body["coupon_id"])


def _assign(staff: Caller, customer_id: str, coupon_id: str) -> None:
    answer = staff("PUT", f"/customers/{customer_id}/coupons/{coupon_id}")
    assert answer.status == 200, answer.body


def _staff_booking(staff: Caller, customer_id: str, days: int = 3) -> dict[str, Any]:
    body = {"customer_id": customer_id, "room_id": "live", **slot(days=days)}
    answer = staff("POST", "/bookings", body=body)
    assert answer.status == 201, answer.body
    return dict(answer.body)


def _public_booking(public: Caller, email: str, days: int = 3) -> dict[str, Any]:
    body = {"name": "Someone", "email": email, "room_id": "live", **slot(days=days)}
    answer = public("POST", "/studios/studio-a/bookings", body=body)
    assert answer.status == 201, answer.body
    return dict(answer.body["booking"])


@pytest.fixture
def owner(as_staff: Callable[..., Caller]) -> Caller:
    staff = as_staff("studio-a")
    assert staff("PATCH", "/studio", body={"rooms": [LIVE_ROOM]}).status == 200
    return staff


# ---------------------------------------------------------------- making coupons


def test_a_coupon_is_made_with_its_code_in_capitals_and_listed(owner: Caller) -> None:
    # when staff make a percent coupon with a lower-case code
    answer = owner(
        "POST", "/coupons", body={"code": " regular10 ", "percent_off": 10, "description": "Regs"}
    )

    # then it is active, its code in capitals, and in the studio's list
    assert answer.status == 201
    assert answer.body["code"] == "REGULAR10"
    assert answer.body["percent_off"] == 10
    assert answer.body["amount_off"] is None
    assert answer.body["active"] is True
    listed = owner("GET", "/coupons").body
    assert [c["coupon_id"] for c in listed["items"]] == [answer.body["coupon_id"]]
    assert listed["next_cursor"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"code": "BOTH", "percent_off": 10, "amount_off": 500},
        {"code": "NEITHER"},
        {"code": "ZERO", "percent_off": 0},
        {"code": "TOOMUCH", "percent_off": 101},
        {"code": "NEGATIVE", "amount_off": -5},
        {"code": "has space", "percent_off": 10},
        {"code": "EXTRA", "percent_off": 10, "active": False},
    ],
    ids=["both-kinds", "neither-kind", "zero-percent", "over-100", "negative", "bad-code", "extra"],
)
def test_a_coupon_that_is_not_exactly_one_valid_discount_is_422(
    owner: Caller, body: dict[str, Any]
) -> None:
    # when staff make a coupon that is not one clear discount
    answer = owner("POST", "/coupons", body=body)

    # then it is a validation problem and no coupon exists
    assert answer.status == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.body["errors"]
    assert owner("GET", "/coupons").body["items"] == []


def test_a_second_coupon_with_the_same_code_is_409(owner: Caller) -> None:
    # given a coupon SUMMER
    first = _coupon(owner, "SUMMER", percent_off=10)

    # when staff make another with the same code in another case
    answer = owner("POST", "/coupons", body={"code": "summer", "amount_off": 500})

    # then it conflicts, naming the code, and only the first exists
    assert answer.status == 409
    assert "SUMMER" in answer.body["detail"]
    assert [c["coupon_id"] for c in owner("GET", "/coupons").body["items"]] == [first]


# ---------------------------------------------------------------- applying by themselves


def test_an_assigned_percent_coupon_applies_to_a_staff_booking(owner: Caller) -> None:
    # given a customer holding 25% off
    customer_id = _customer(owner)
    coupon_id = _coupon(owner, "QUARTER", percent_off=25)
    _assign(owner, customer_id, coupon_id)

    # when staff book two hours at 2000 for them
    booking = _staff_booking(owner, customer_id)

    # then a quarter comes off, with the coupon named on the booking
    assert booking["price"] == 4000
    assert booking["discount"] == 1000
    assert booking["amount_due"] == 3000
    assert booking["coupon_id"] == coupon_id


def test_an_assigned_amount_coupon_applies_to_a_public_booking(
    owner: Caller, as_public: Caller
) -> None:
    # given a customer holding 5.00 off
    customer_id = _customer(owner, email="ada@example.com")
    coupon_id = _coupon(owner, "FIVER", amount_off=500)
    _assign(owner, customer_id, coupon_id)

    # when they book on the studio's page, typing no code
    booking = _public_booking(as_public, "ada@example.com")

    # then 500 comes off
    assert booking["customer_id"] == customer_id
    assert booking["discount"] == 500
    assert booking["amount_due"] == 3500
    assert booking["coupon_id"] == coupon_id


def test_a_coupon_applies_only_to_the_customer_it_is_assigned_to(
    owner: Caller, as_public: Caller
) -> None:
    # given Ada holds a coupon and Grace does not
    ada = _customer(owner, "Ada Lovelace", "ada@example.com")
    grace = _customer(owner, "Grace Hopper", "grace@example.com")
    _assign(owner, ada, _coupon(owner, "QUARTER", percent_off=25))

    # when Grace books, by staff and on the page
    by_staff = _staff_booking(owner, grace)
    on_page = _public_booking(as_public, "grace@example.com", days=4)

    # then she pays full price both times
    for booking in (by_staff, on_page):
        assert booking["discount"] == 0
        assert booking["amount_due"] == 4000
        assert booking["coupon_id"] is None


@pytest.mark.parametrize(
    ("percent", "amount", "best"),
    [(10, 1000, "amount"), (50, 1000, "percent")],
    ids=["amount-wins", "percent-wins"],
)
def test_of_several_assigned_coupons_the_one_worth_most_applies(
    owner: Caller, percent: int, amount: int, best: str
) -> None:
    # given a customer holding a percent and an amount coupon
    customer_id = _customer(owner)
    by_kind = {
        "percent": _coupon(owner, "PERCENT", percent_off=percent),
        "amount": _coupon(owner, "AMOUNT", amount_off=amount),
    }
    for coupon_id in by_kind.values():
        _assign(owner, customer_id, coupon_id)

    # when staff book 4000 worth for them
    booking = _staff_booking(owner, customer_id)

    # then the larger discount applies
    assert booking["coupon_id"] == by_kind[best]
    assert booking["discount"] == max(4000 * percent // 100, amount)


def test_an_amount_coupon_worth_more_than_the_booking_makes_it_free_not_negative(
    owner: Caller,
) -> None:
    # given a customer holding 50.00 off
    customer_id = _customer(owner)
    _assign(owner, customer_id, _coupon(owner, "BIG", amount_off=5000))

    # when they book 40.00 worth
    booking = _staff_booking(owner, customer_id)

    # then they owe nothing, and are not owed money
    assert booking["discount"] == 4000
    assert booking["amount_due"] == 0


def test_a_removed_coupon_no_longer_applies(owner: Caller) -> None:
    # given a customer who held a coupon that staff took back
    customer_id = _customer(owner)
    coupon_id = _coupon(owner, "QUARTER", percent_off=25)
    _assign(owner, customer_id, coupon_id)
    removed = owner("DELETE", f"/customers/{customer_id}/coupons/{coupon_id}")

    # when staff book for them
    booking = _staff_booking(owner, customer_id)

    # then the removal was 204, the detail lists no coupon, and the booking is full price
    assert removed.status == 204
    assert owner("GET", f"/customers/{customer_id}").body["coupons"] == []
    assert booking["discount"] == 0
    assert booking["coupon_id"] is None


def test_removing_a_coupon_the_customer_does_not_hold_is_404(owner: Caller) -> None:
    # given a coupon removed once
    customer_id = _customer(owner)
    coupon_id = _coupon(owner, "QUARTER", percent_off=25)
    _assign(owner, customer_id, coupon_id)
    owner("DELETE", f"/customers/{customer_id}/coupons/{coupon_id}")

    # when staff remove it again
    answer = owner("DELETE", f"/customers/{customer_id}/coupons/{coupon_id}")

    # then there is nothing to remove
    assert answer.status == 404


def test_a_deactivated_coupon_no_longer_applies(owner: Caller, as_public: Caller) -> None:
    # given a customer holding a coupon the studio then switched off
    customer_id = _customer(owner, email="ada@example.com")
    coupon_id = _coupon(owner, "QUARTER", percent_off=25)
    _assign(owner, customer_id, coupon_id)
    edited = owner("PATCH", f"/coupons/{coupon_id}", body={"active": False})

    # when they book, by staff and on the page
    by_staff = _staff_booking(owner, customer_id)
    on_page = _public_booking(as_public, "ada@example.com", days=4)

    # then the coupon reads inactive and neither booking is discounted
    assert edited.status == 200
    assert edited.body["active"] is False
    assert owner("GET", "/coupons").body["items"][0]["active"] is False
    for booking in (by_staff, on_page):
        assert booking["discount"] == 0
        assert booking["amount_due"] == 4000
        assert booking["coupon_id"] is None


def test_the_customer_detail_shows_a_deactivated_coupon_as_inactive(owner: Caller) -> None:
    # given a customer holding a coupon the studio then switched off
    customer_id = _customer(owner)
    coupon_id = _coupon(owner, "QUARTER", percent_off=25)
    _assign(owner, customer_id, coupon_id)
    owner("PATCH", f"/coupons/{coupon_id}", body={"active": False})

    # when staff open the customer
    coupons = owner("GET", f"/customers/{customer_id}").body["coupons"]

    # then the coupon they see there is the switched-off one, as on the coupon list
    assert [(c["coupon_id"], c["active"]) for c in coupons] == [(coupon_id, False)]


def test_a_customer_holding_several_deactivated_coupons_can_still_book(owner: Caller) -> None:
    # given a customer holding three coupons the studio has all switched off
    customer_id = _customer(owner)
    for code in ("ONE", "TWO", "THREE"):
        coupon_id = _coupon(owner, code, percent_off=10)
        _assign(owner, customer_id, coupon_id)
        owner("PATCH", f"/coupons/{coupon_id}", body={"active": False})

    # when staff book for them
    answer = owner(
        "POST", "/bookings", body={"customer_id": customer_id, "room_id": "live", **slot()}
    )

    # then the booking is made at full price
    assert answer.status == 201, answer.body
    assert answer.body["discount"] == 0


def test_a_reactivated_coupon_applies_again(owner: Caller) -> None:
    # given a customer's coupon switched off and on again
    customer_id = _customer(owner)
    coupon_id = _coupon(owner, "QUARTER", percent_off=25)
    _assign(owner, customer_id, coupon_id)
    owner("PATCH", f"/coupons/{coupon_id}", body={"active": False})
    owner("PATCH", f"/coupons/{coupon_id}", body={"active": True})

    # when staff book for them
    booking = _staff_booking(owner, customer_id)

    # then the coupon applies
    assert booking["coupon_id"] == coupon_id
    assert booking["discount"] == 1000


def test_a_deactivated_coupon_cannot_be_assigned(owner: Caller) -> None:
    # given a switched-off coupon
    customer_id = _customer(owner)
    coupon_id = _coupon(owner, "OLD", percent_off=25)
    owner("PATCH", f"/coupons/{coupon_id}", body={"active": False})

    # when staff assign it
    answer = owner("PUT", f"/customers/{customer_id}/coupons/{coupon_id}")

    # then it is refused and the customer holds nothing
    assert answer.status == 422
    assert owner("GET", f"/customers/{customer_id}").body["coupons"] == []


def test_assigning_to_an_unknown_customer_or_an_unknown_coupon_is_404(owner: Caller) -> None:
    customer_id = _customer(owner)
    coupon_id = _coupon(owner, "QUARTER", percent_off=25)

    assert owner("PUT", f"/customers/cus_nobody/coupons/{coupon_id}").status == 404
    assert owner("PUT", f"/customers/{customer_id}/coupons/cpn_nothing").status == 404
    assert owner("PATCH", "/coupons/cpn_nothing", body={"active": False}).status == 404


# ---------------------------------------------------------------- tenancy


def test_another_studio_cannot_assign_or_change_a_coupon_it_does_not_have(
    owner: Caller, as_staff: Callable[..., Caller]
) -> None:
    # given studio A's coupon, and studio B with its own customer
    a_coupon = _coupon(owner, "QUARTER", percent_off=25)
    other = as_staff("studio-b")
    b_customer = _customer(other)

    # when B assigns A's coupon to its customer, or switches it off
    assigned = other("PUT", f"/customers/{b_customer}/coupons/{a_coupon}")
    switched = other("PATCH", f"/coupons/{a_coupon}", body={"active": False})

    # then both are 404, B's customer holds nothing, and A's coupon is still on
    assert assigned.status == 404
    assert switched.status == 404
    assert other("GET", f"/customers/{b_customer}").body["coupons"] == []
    assert owner("GET", "/coupons").body["items"][0]["active"] is True


def test_another_studio_cannot_give_its_coupon_to_a_customer_it_does_not_have(
    owner: Caller, as_staff: Callable[..., Caller]
) -> None:
    # given studio A's customer, and studio B's coupon
    a_customer = _customer(owner)
    other = as_staff("studio-b")
    b_coupon = _coupon(other, "FREEBIE", percent_off=100)

    # when B assigns its coupon to A's customer
    answer = other("PUT", f"/customers/{a_customer}/coupons/{b_coupon}")

    # then it is 404 and A's customer still pays full price
    assert answer.status == 404
    assert owner("GET", f"/customers/{a_customer}").body["coupons"] == []
    assert _staff_booking(owner, a_customer)["discount"] == 0


def test_each_studio_lists_only_its_own_coupons(
    owner: Caller, as_staff: Callable[..., Caller]
) -> None:
    # given a coupon in each of two studios, with the same code
    a_coupon = _coupon(owner, "SUMMER", percent_off=10)
    other = as_staff("studio-b")
    b_coupon = _coupon(other, "SUMMER", amount_off=500)

    # when each lists its coupons
    a_list = owner("GET", "/coupons").body["items"]
    b_list = other("GET", "/coupons").body["items"]

    # then each sees only its own
    assert [c["coupon_id"] for c in a_list] == [a_coupon]
    assert [c["coupon_id"] for c in b_list] == [b_coupon]
