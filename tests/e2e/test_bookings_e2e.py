"""Bookings over HTTP: the public page, prices, coupons, bans and blocked emails."""

from __future__ import annotations

import uuid

from tests.e2e.conftest import Call, Stack, client
from tests.support import slot


def _studio(stack: Stack, **settings: object) -> tuple[str, Call]:
    studio = f"e2e-{uuid.uuid4().hex[:10]}"
    owner = client(stack, stack.token(studio, role="owner"))
    room = {"room_id": "live", "name": "Live Room", "hourly_rate": 3000}
    answer = owner("PATCH", "/studio", json={"name": "E2E", "rooms": [room], **settings})
    assert answer.status_code == 200, answer.text
    return studio, owner


def test_public_booking_makes_a_guest_priced_by_the_studio(stack: Stack) -> None:
    studio, owner = _studio(stack)
    public = client(stack, None)

    answer = public(
        "POST",
        f"/studios/{studio}/bookings",
        json={"name": "Bo", "email": "bo@example.com", "room_id": "live", **slot()},
    )

    assert answer.status_code == 201
    booking = answer.json()["booking"]
    assert booking["price"] == 6000
    assert booking["amount_due"] == 6000
    guests = owner("GET", "/customers", params={"q": "bo@example.com"}).json()["items"]
    assert [g["customer_id"] for g in guests] == [booking["customer_id"]]
    assert owner("GET", f"/bookings/{booking['booking_id']}").json()["status"] == "confirmed"


def test_a_price_sent_by_the_client_is_refused(stack: Stack) -> None:
    studio, _ = _studio(stack)

    answer = client(stack, None)(
        "POST",
        f"/studios/{studio}/bookings",
        json={"name": "Bo", "email": "bo@example.com", "room_id": "live", "price": 1, **slot()},
    )

    assert answer.status_code == 422


def test_an_assigned_coupon_applies_by_itself(stack: Stack) -> None:
    studio, owner = _studio(stack)
    customer = owner("POST", "/customers", json={"name": "Cat", "email": "cat@example.com"}).json()
    coupon = owner("POST", "/coupons", json={"code": "BAND25", "percent_off": 25}).json()
    owner("PUT", f"/customers/{customer['customer_id']}/coupons/{coupon['coupon_id']}")

    answer = client(stack, None)(
        "POST",
        f"/studios/{studio}/bookings",
        json={"name": "Cat", "email": "CAT@example.com", "room_id": "live", **slot()},
    )

    booking = answer.json()["booking"]
    assert (booking["discount"], booking["amount_due"]) == (1500, 4500)
    assert booking["coupon_id"] == coupon["coupon_id"]


def test_behind_payment_alerts_and_a_blocked_email_is_refused(stack: Stack) -> None:
    studio, owner = _studio(stack, public_signup=True)
    public = client(stack, None)
    dee = owner("POST", "/customers", json={"name": "Dee", "email": "dee@gmail.com"}).json()
    path = f"/customers/{dee['customer_id']}/status"

    owner("PUT", path, json={"status": "behind_payment", "customer_message": "Settle up first"})
    alerted = public(
        "POST",
        f"/studios/{studio}/bookings",
        json={"name": "Dee", "email": "dee@gmail.com", "room_id": "live", **slot(4)},
    )
    owner("PUT", path, json={"status": "banned_blocked_email", "customer_message": "Not here"})
    refused = public(
        "POST",
        f"/studios/{studio}/bookings",
        json={"name": "D", "email": "D.e.e+new@gmail.com", "room_id": "live", **slot(5)},
    )

    assert alerted.status_code == 201
    assert alerted.json()["alert"] == "Settle up first"
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Not here"
    history = owner("GET", f"/customers/{dee['customer_id']}").json()["status_history"]
    assert [h["status"] for h in history] == ["behind_payment", "banned_blocked_email"]
