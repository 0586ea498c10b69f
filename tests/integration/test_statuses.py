"""Customer statuses: behind on payment (book with an alert), banned (refused, nothing
written), banned with the email blocked (every variant of the address refused), lifted
by `active`; each change recorded, guarded by If-Match, and never outrun by a booking."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from backline.booking_service import BookingService
from backline.customer_store import CustomerStore
from tests.integration.conftest import Caller
from tests.support import LIVE_ROOM, slot

BAN_MESSAGE = "Please call the studio about the damaged amp."
BEHIND_MESSAGE = "Please settle last month's sessions."


def _request(email: str, days: int = 3) -> dict[str, Any]:
    return {"name": "Ada Lovelace", "email": email, "room_id": "live", **slot(days=days)}


def _customer(staff: Caller, email: str | None = "ada@example.com", name: str = "Ada") -> str:
    body = {"name": name, **({"email": email} if email else {})}
    answer = staff("POST", "/customers", body=body)
    assert answer.status == 201, answer.body
    return str(answer.body["customer_id"])


def _set(staff: Caller, customer_id: str, status: str, message: str | None = None) -> Any:
    body = {"status": status, **({"customer_message": message} if message else {})}
    return staff("PUT", f"/customers/{customer_id}/status", body=body)


def _bookings(staff: Caller, customer_id: str) -> list[dict[str, Any]]:
    found = staff("GET", f"/customers/{customer_id}").body["bookings"]
    return [*found["current"], *found["history"]]


@pytest.fixture
def owner(as_staff: Callable[..., Caller]) -> Caller:
    staff = as_staff("studio-a")
    assert staff("PATCH", "/studio", body={"rooms": [LIVE_ROOM]}).status == 200
    return staff


# ---------------------------------------------------------------- behind on payment


def test_behind_on_payment_books_with_an_alert_carrying_the_message(
    owner: Caller, as_public: Caller
) -> None:
    # given a customer marked behind on payment, with a message
    customer_id = _customer(owner)
    marked = _set(owner, customer_id, "behind_payment", BEHIND_MESSAGE)

    # when they book on the studio's page
    answer = as_public("POST", "/studios/studio-a/bookings", body=_request("ada@example.com"))

    # then the booking goes through and the answer alerts them with the message
    assert marked.status == 200
    assert marked.body["status"] == "behind_payment"
    assert marked.body["customer_message"] == BEHIND_MESSAGE
    assert answer.status == 201
    assert answer.body["alert"] == BEHIND_MESSAGE
    assert answer.body["booking"]["status"] == "confirmed"
    assert answer.body["booking"]["customer_id"] == customer_id


def test_behind_on_payment_without_a_message_still_alerts(owner: Caller, as_public: Caller) -> None:
    customer_id = _customer(owner)
    _set(owner, customer_id, "behind_payment")

    answer = as_public("POST", "/studios/studio-a/bookings", body=_request("ada@example.com"))

    assert answer.status == 201
    assert answer.body["alert"]


# ---------------------------------------------------------------- banned


def test_a_banned_customer_is_refused_with_the_message_and_nothing_is_written(
    owner: Caller, as_public: Caller
) -> None:
    # given a customer with one booking, then banned with a message
    customer_id = _customer(owner)
    as_public("POST", "/studios/studio-a/bookings", body=_request("ada@example.com"))
    _set(owner, customer_id, "banned", BAN_MESSAGE)

    # when they book on the page
    answer = as_public(
        "POST", "/studios/studio-a/bookings", body=_request("ada@example.com", days=5)
    )

    # then they are refused with the studio's message and still have just the one booking
    assert answer.status == 403
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.body["detail"] == BAN_MESSAGE
    assert len(_bookings(owner, customer_id)) == 1
    assert len(owner("GET", "/customers").body["items"]) == 1


def test_a_banned_customer_without_a_message_is_refused_with_a_general_one(
    owner: Caller, as_public: Caller
) -> None:
    customer_id = _customer(owner)
    _set(owner, customer_id, "banned")

    answer = as_public("POST", "/studios/studio-a/bookings", body=_request("ada@example.com"))

    assert answer.status == 403
    assert answer.body["detail"]


def test_staff_cannot_book_for_a_banned_customer_either(owner: Caller) -> None:
    # given a banned customer
    customer_id = _customer(owner)
    _set(owner, customer_id, "banned", BAN_MESSAGE)

    # when staff book for them
    body = {"customer_id": customer_id, "room_id": "live", **slot()}
    answer = owner("POST", "/bookings", body=body)

    # then it is refused and nothing is booked
    assert answer.status == 403
    assert _bookings(owner, customer_id) == []


def test_a_banned_customer_is_listed_under_their_status(owner: Caller) -> None:
    banned = _customer(owner, "ada@example.com", "Ada")
    _customer(owner, "grace@example.com", "Grace")
    _set(owner, banned, "banned")

    listed = owner("GET", "/customers", query={"status": "banned"}).body["items"]

    assert [(c["customer_id"], c["status"]) for c in listed] == [(banned, "banned")]


# ---------------------------------------------------------------- blocked emails


@pytest.mark.parametrize(
    "attempt",
    ["ada@example.com", "ADA@Example.COM", "ada+gig@example.com", "Ada+Late.Night@EXAMPLE.com"],
    ids=["same", "case", "plus-tag", "plus-tag-and-case"],
)
def test_a_blocked_email_is_refused_in_its_case_and_tag_variants(
    owner: Caller, as_public: Caller, attempt: str
) -> None:
    # given a customer banned with their email blocked
    customer_id = _customer(owner, "ada@example.com")
    assert _set(owner, customer_id, "banned_blocked_email", BAN_MESSAGE).status == 200

    # when anyone books on the page with a variant of that email
    answer = as_public("POST", "/studios/studio-a/bookings", body=_request(attempt))

    # then they are refused with the message, and no booking or guest is made
    assert answer.status == 403
    assert answer.body["detail"] == BAN_MESSAGE
    assert _bookings(owner, customer_id) == []
    assert [c["customer_id"] for c in owner("GET", "/customers").body["items"]] == [customer_id]


@pytest.mark.parametrize(
    "attempt",
    [
        "ada.lovelace@gmail.com",
        "adalovelace@gmail.com",
        "a.d.a.lovelace@gmail.com",
        "Ada.Lovelace+band@googlemail.com",
    ],
    ids=["same", "no-dots", "more-dots", "googlemail-tag"],
)
def test_a_blocked_gmail_address_is_refused_in_its_dot_variants(
    owner: Caller, as_public: Caller, attempt: str
) -> None:
    # given a Gmail customer banned with their email blocked
    customer_id = _customer(owner, "ada.lovelace@gmail.com")
    _set(owner, customer_id, "banned_blocked_email", BAN_MESSAGE)

    # when anyone books with the address written another way Gmail delivers the same
    answer = as_public("POST", "/studios/studio-a/bookings", body=_request(attempt))

    # then they are refused with the message
    assert answer.status == 403
    assert answer.body["detail"] == BAN_MESSAGE
    assert len(owner("GET", "/customers").body["items"]) == 1


@pytest.mark.parametrize("other", ["grace@example.com", "a.da@example.com", "ada@example.org"])
def test_a_different_real_email_still_books_while_one_is_blocked(
    owner: Caller, as_public: Caller, other: str
) -> None:
    # given ada@example.com is blocked (dots only fold at Gmail)
    customer_id = _customer(owner, "ada@example.com")
    _set(owner, customer_id, "banned_blocked_email", BAN_MESSAGE)

    # when someone with another address books
    answer = as_public("POST", "/studios/studio-a/bookings", body=_request(other))

    # then they book as a new guest
    assert answer.status == 201
    assert answer.body["booking"]["customer_id"] != customer_id


def test_blocking_is_wider_than_identity_a_tag_variant_is_not_the_same_customer(
    owner: Caller,
) -> None:
    # given ada@example.com is banned with the email blocked
    customer_id = _customer(owner, "ada@example.com")
    _set(owner, customer_id, "banned_blocked_email", BAN_MESSAGE)

    # when staff search for the tag variant and for the email itself
    variant = owner("GET", "/customers", query={"q": "ada+x@example.com"}).body["items"]
    itself = owner("GET", "/customers", query={"q": "ada@example.com"}).body["items"]

    # then only the exact email finds her
    assert variant == []
    assert [c["customer_id"] for c in itself] == [customer_id]


def test_staff_cannot_book_for_a_customer_banned_with_the_email_blocked(owner: Caller) -> None:
    customer_id = _customer(owner)
    _set(owner, customer_id, "banned_blocked_email", BAN_MESSAGE)

    body = {"customer_id": customer_id, "room_id": "live", **slot()}
    answer = owner("POST", "/bookings", body=body)

    assert answer.status == 403
    assert answer.body["detail"] == BAN_MESSAGE


def test_blocking_an_email_needs_public_signup_otherwise_409(
    as_staff: Callable[..., Caller],
) -> None:
    # given a studio that books its existing customers only
    owner = as_staff()
    owner("PATCH", "/studio", body={"rooms": [LIVE_ROOM], "public_signup": False})
    customer_id = _customer(owner)

    # when staff ban a customer and block the email
    answer = _set(owner, customer_id, "banned_blocked_email", BAN_MESSAGE)

    # then it conflicts with the studio's policy and the customer is unchanged
    assert answer.status == 409
    assert answer.body["detail"]
    detail = owner("GET", f"/customers/{customer_id}").body
    assert detail["status"] == "unregistered"
    assert detail["status_history"] == []


def test_blocking_the_email_of_a_customer_without_one_is_422(owner: Caller) -> None:
    # given a customer known by name only
    customer_id = _customer(owner, email=None)

    # when staff try to block their email
    answer = _set(owner, customer_id, "banned_blocked_email", BAN_MESSAGE)

    # then there is nothing to block, and nothing changes
    assert answer.status == 422
    assert answer.body["errors"]
    detail = owner("GET", f"/customers/{customer_id}").body
    assert detail["status"] == "unregistered"
    assert detail["status_history"] == []


def test_active_lifts_the_ban_and_the_blocked_email(owner: Caller, as_public: Caller) -> None:
    # given a customer banned with the email blocked
    customer_id = _customer(owner, "ada@example.com")
    _set(owner, customer_id, "banned_blocked_email", BAN_MESSAGE)

    # when staff set them active again
    lifted = _set(owner, customer_id, "active")

    # then they read as an ordinary guest, and both they and the tag variant can book
    assert lifted.status == 200
    assert lifted.body["status"] == "unregistered"
    assert lifted.body["customer_message"] is None
    own = as_public("POST", "/studios/studio-a/bookings", body=_request("ada@example.com"))
    assert own.status == 201
    assert own.body["alert"] is None
    assert own.body["booking"]["customer_id"] == customer_id
    variant = as_public(
        "POST", "/studios/studio-a/bookings", body=_request("ada+x@example.com", days=4)
    )
    assert variant.status == 201
    assert variant.body["booking"]["customer_id"] != customer_id


def test_lifting_one_of_two_blocks_on_the_same_address_keeps_the_other(
    owner: Caller, as_public: Caller
) -> None:
    # given two customers whose emails fold to one blocked address, both blocked
    ada = _customer(owner, "ada@example.com", "Ada")
    tagged = _customer(owner, "ada+band@example.com", "Ada's band")
    _set(owner, ada, "banned_blocked_email", BAN_MESSAGE)
    _set(owner, tagged, "banned_blocked_email", BAN_MESSAGE)

    # when staff lift only the second customer's ban
    _set(owner, tagged, "active")

    # then the first is still banned with the email blocked: a new variant is refused
    assert owner("GET", f"/customers/{ada}").body["status"] == "banned_blocked_email"
    answer = as_public("POST", "/studios/studio-a/bookings", body=_request("ada+new@example.com"))
    assert answer.status == 403


# ---------------------------------------------------------------- history and versions


def test_every_status_change_is_recorded_with_who_when_and_the_message(
    owner: Caller, as_staff: Callable[..., Caller]
) -> None:
    # given a customer, and a second member of staff
    customer_id = _customer(owner)
    colleague = as_staff(role="staff")
    before = datetime.now(UTC)

    # when the owner marks them behind, the colleague bans them, and the owner lifts it
    _set(owner, customer_id, "behind_payment", BEHIND_MESSAGE)
    _set(colleague, customer_id, "banned", BAN_MESSAGE)
    _set(owner, customer_id, "active")

    # then the detail lists the three changes in order, each with who, when and message
    history = owner("GET", f"/customers/{customer_id}").body["status_history"]
    assert owner.claims is not None
    assert colleague.claims is not None
    assert [(h["status"], h["customer_message"], h["changed_by"]) for h in history] == [
        ("behind_payment", BEHIND_MESSAGE, owner.claims["sub"]),
        ("banned", BAN_MESSAGE, colleague.claims["sub"]),
        ("active", None, owner.claims["sub"]),
    ]
    moments = [datetime.fromisoformat(h["changed_at"]) for h in history]
    assert moments == sorted(moments)
    assert all(before <= moment <= datetime.now(UTC) for moment in moments)


def test_two_staff_setting_a_status_from_the_same_version_one_wins_the_other_412(
    owner: Caller, as_staff: Callable[..., Caller]
) -> None:
    # given two members of staff who opened the same customer at the same version
    customer_id = _customer(owner)
    colleague = as_staff(role="staff")
    etag = owner("GET", f"/customers/{customer_id}").headers["etag"]

    # when both set a status with that version
    first = owner(
        "PUT",
        f"/customers/{customer_id}/status",
        body={"status": "behind_payment", "customer_message": BEHIND_MESSAGE},
        headers={"If-Match": etag},
    )
    second = colleague(
        "PUT",
        f"/customers/{customer_id}/status",
        body={"status": "banned", "customer_message": BAN_MESSAGE},
        headers={"If-Match": etag},
    )

    # then the first wins, the second is told it is stale, and only the first is recorded
    assert first.status == 200
    assert second.status == 412
    detail = owner("GET", f"/customers/{customer_id}").body
    assert detail["status"] == "behind_payment"
    assert [h["status"] for h in detail["status_history"]] == ["behind_payment"]


def test_an_unknown_status_is_422(owner: Caller) -> None:
    customer_id = _customer(owner)

    answer = owner("PUT", f"/customers/{customer_id}/status", body={"status": "vip"})

    assert answer.status == 422
    assert owner("GET", f"/customers/{customer_id}").body["status"] == "unregistered"


# ---------------------------------------------------------------- a ban racing a booking


@pytest.fixture
def ban_after_read(owner: Caller, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Staff ban the customer just after a booking has read their record (once): the
    booking is then decided on a record that is already stale. Lists who was banned."""
    real = CustomerStore.collection
    banned: list[str] = []

    def read_then_ban(store: CustomerStore, studio_id: str, who: str) -> Any:
        stale = real(store, studio_id, who)
        if not banned:
            assert _set(owner, who, "banned", BAN_MESSAGE).status == 200
            banned.append(who)
        return stale

    monkeypatch.setattr(CustomerStore, "collection", read_then_ban)
    return banned


def test_a_ban_written_while_a_public_booking_is_decided_refuses_it(
    owner: Caller, as_public: Caller, ban_after_read: list[str]
) -> None:
    # given a customer, and staff who ban them just after intake read their record
    customer_id = _customer(owner)

    def book() -> Any:
        return as_public("POST", "/studios/studio-a/bookings", body=_request("ada@example.com"))

    _assert_the_ban_wins(owner, customer_id, book, ban_after_read)


def test_a_ban_written_while_a_staff_booking_is_decided_refuses_it(
    owner: Caller, ban_after_read: list[str]
) -> None:
    # given a customer who is banned just after the staff booking read their record
    customer_id = _customer(owner)

    def book() -> Any:
        body = {"customer_id": customer_id, "room_id": "live", **slot()}
        return owner("POST", "/bookings", body=body)

    _assert_the_ban_wins(owner, customer_id, book, ban_after_read)


def _assert_the_ban_wins(
    owner: Caller, customer_id: str, book: Callable[[], Any], banned: list[str]
) -> None:
    # when the booking is decided on the record read before the ban
    answer = book()

    # then the ban wins: refused with its message, and no booking was written
    assert banned == [customer_id]
    assert answer.status == 403
    assert answer.body["detail"] == BAN_MESSAGE
    assert _bookings(owner, customer_id) == []


def test_an_email_blocked_while_a_new_guest_books_refuses_the_guest(
    owner: Caller, as_public: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given ada@example.com, whose email is blocked just after intake looked for blocks
    customer_id = _customer(owner, "ada@example.com")
    real = BookingService._read_for_intake
    blocked: list[str] = []

    def read_then_block(service: BookingService, studio_id: str, email: str) -> Any:
        stale = real(service, studio_id, email)
        if not blocked:
            assert _set(owner, customer_id, "banned_blocked_email", BAN_MESSAGE).status == 200
            blocked.append(email)
        return stale

    monkeypatch.setattr(BookingService, "_read_for_intake", read_then_block)

    # when a tag variant of her address books as a new guest on that stale read
    answer = as_public("POST", "/studios/studio-a/bookings", body=_request("ada+x@example.com"))

    # then the block wins: refused with the message, and no guest was made
    assert blocked == ["ada+x@example.com"]
    assert answer.status == 403
    assert answer.body["detail"] == BAN_MESSAGE
    assert [c["customer_id"] for c in owner("GET", "/customers").body["items"]] == [customer_id]
