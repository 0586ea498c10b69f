"""The rules a booking is priced and allowed by: the room's rate for the booked time, the
slots a studio rents, the coupon worth most, and who may book at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from backline.booking_service import alert_for, refuse_if_banned
from backline.bookings import check_slot, price_of
from backline.coupons import Coupon, best_coupon
from backline.customers import Customer, Restriction, blocking_key, fold_email
from backline.errors import BookingRefusedError, InvalidInputError
from backline.studios import Room

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
START = NOW + timedelta(days=2)


def _room(rate: int) -> Room:
    return Room(room_id="live", name="Live room", hourly_rate=rate)


def _coupon(coupon_id: str, *, percent: int | None = None, amount: int | None = None) -> Coupon:
    return Coupon(
        coupon_id=coupon_id,
        code=coupon_id.upper(),
        percent_off=percent,
        amount_off=amount,
        created_at="2030-01-01T00:00:00.000Z",
    )


def _customer(restriction: Restriction | None, message: str | None = None) -> Customer:
    return Customer(
        studio_id="studio-a",
        customer_id="cus_1",
        name="Ada",
        email="ada@example.com",
        restriction=restriction,
        customer_message=message,
        created_at="2030-01-01T00:00:00.000Z",
        updated_at="2030-01-01T00:00:00.000Z",
    )


# ---------------------------------------------------------------- price


@pytest.mark.parametrize(
    ("rate", "minutes", "price"),
    [
        (2000, 120, 4000),
        (2000, 90, 3000),
        (1999, 50, 1666),
        (1, 30, 1),
        (1, 29, 0),
        (3, 10, 1),
        (0, 120, 0),
        (10_000_000, 24 * 60, 240_000_000),
    ],
    ids=[
        "two-hours",
        "ninety-minutes",
        "fraction-rounds-up",
        "half-unit-rounds-up",
        "under-half-rounds-down",
        "exact-half-of-three",
        "free-room",
        "largest-rate-whole-day",
    ],
)
def test_price_is_the_hourly_rate_for_the_booked_time_rounded_half_up(
    rate: int, minutes: int, price: int
) -> None:
    assert price_of(_room(rate), START, START + timedelta(minutes=minutes)) == price


def test_price_counts_seconds_not_just_minutes() -> None:
    # 3600 an hour is 1 a second: 15 minutes and 30 seconds is 930
    assert price_of(_room(3600), START, START + timedelta(minutes=15, seconds=30)) == 930


# ---------------------------------------------------------------- slots


def test_a_slot_ahead_of_now_between_15_minutes_and_a_day_is_accepted() -> None:
    check_slot(START, START + timedelta(minutes=15), now=NOW)
    check_slot(START, START + timedelta(hours=24), now=NOW)
    check_slot(NOW + timedelta(seconds=1), NOW + timedelta(hours=1), now=NOW)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        (START, START - timedelta(hours=1), "ends_at"),
        (START, START, "ends_at"),
        (START, START + timedelta(minutes=14, seconds=59), "ends_at"),
        (START, START + timedelta(hours=24, seconds=1), "ends_at"),
        (NOW, NOW + timedelta(hours=1), "starts_at"),
        (NOW - timedelta(hours=2), NOW + timedelta(hours=1), "starts_at"),
    ],
    ids=[
        "reversed",
        "zero-length",
        "under-15-minutes",
        "over-a-day",
        "starting-now",
        "started-already",
    ],
)
def test_a_slot_a_studio_does_not_rent_is_refused_naming_the_field(
    starts_at: datetime, ends_at: datetime, field: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        check_slot(starts_at, ends_at, now=NOW)

    assert refused.value.field == field


def test_times_in_other_offsets_are_compared_as_instants() -> None:
    # at noon UTC, 13:30 at +02:00 (11:30 UTC) is past and 14:30 at +02:00 is ahead
    east = timezone(timedelta(hours=2))
    past = datetime(2030, 5, 1, 13, 30, tzinfo=east)
    ahead = datetime(2030, 5, 1, 14, 30, tzinfo=east)

    with pytest.raises(InvalidInputError):
        check_slot(past, past + timedelta(hours=1), now=NOW)
    check_slot(ahead, ahead + timedelta(hours=1), now=NOW)


# ---------------------------------------------------------------- coupons


@pytest.mark.parametrize(
    ("percent", "price", "discount"),
    [(25, 4000, 1000), (33, 1001, 330), (50, 1, 1), (10, 5, 1), (10, 4, 0), (100, 4000, 4000)],
    ids=["quarter", "rounds-down", "half-unit-up", "half-up", "under-half-down", "all"],
)
def test_a_percent_coupon_takes_that_share_rounded_half_up(
    percent: int, price: int, discount: int
) -> None:
    assert _coupon("pct", percent=percent).discount_on(price) == discount


@pytest.mark.parametrize(
    ("amount", "price", "discount"),
    [(500, 4000, 500), (5000, 4000, 4000), (500, 0, 0)],
    ids=["less-than-price", "more-than-price", "free-booking"],
)
def test_an_amount_coupon_never_takes_off_more_than_the_price(
    amount: int, price: int, discount: int
) -> None:
    assert _coupon("amt", amount=amount).discount_on(price) == discount


def test_the_best_coupon_is_the_one_that_takes_most_off_this_price() -> None:
    ten_percent = _coupon("pct", percent=10)
    fiver = _coupon("amt", amount=500)

    # 10% of 4000 is 400 (the fiver wins); 10% of 8000 is 800 (the percent wins)
    assert best_coupon([ten_percent, fiver], 4000) == fiver
    assert best_coupon([ten_percent, fiver], 8000) == ten_percent


def test_an_inactive_coupon_is_never_the_best() -> None:
    big = _coupon("big", percent=90).model_copy(update={"active": False})
    small = _coupon("small", amount=100)

    assert best_coupon([big, small], 4000) == small
    assert best_coupon([big], 4000) is None


def test_no_coupon_applies_when_none_is_held_or_none_takes_anything_off() -> None:
    assert best_coupon([], 4000) is None
    assert best_coupon([_coupon("pct", percent=10)], 0) is None


def test_between_equal_discounts_the_choice_does_not_depend_on_order() -> None:
    a, b = _coupon("cpn_a", amount=500), _coupon("cpn_b", amount=500)

    assert best_coupon([a, b], 4000) == best_coupon([b, a], 4000)


# ---------------------------------------------------------------- who may book


@pytest.mark.parametrize("restriction", [Restriction.BANNED, Restriction.BANNED_BLOCKED_EMAIL])
def test_a_banned_customer_is_refused_with_the_studios_message(
    restriction: Restriction,
) -> None:
    with pytest.raises(BookingRefusedError) as refused:
        refuse_if_banned(_customer(restriction, "Call us about the amp."))

    assert refused.value.detail == "Call us about the amp."


def test_a_banned_customer_without_a_message_is_refused_with_a_general_one() -> None:
    with pytest.raises(BookingRefusedError) as refused:
        refuse_if_banned(_customer(Restriction.BANNED))

    assert refused.value.detail


@pytest.mark.parametrize("restriction", [None, Restriction.BEHIND_PAYMENT])
def test_unrestricted_and_behind_on_payment_customers_may_book(
    restriction: Restriction | None,
) -> None:
    refuse_if_banned(_customer(restriction, "Please settle up."))


def test_only_behind_on_payment_gets_an_alert_and_it_carries_the_message() -> None:
    assert alert_for(_customer(Restriction.BEHIND_PAYMENT, "Please settle up.")) == (
        "Please settle up."
    )
    assert alert_for(_customer(Restriction.BEHIND_PAYMENT))
    assert alert_for(_customer(None)) is None


# ---------------------------------------------------------------- blocked emails


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ("ada@example.com", "ada@example.com"),
        ("Ada@Example.COM", "ada@example.com"),
        ("ada+gig@example.com", "ada@example.com"),
        ("ada+gig+late@example.com", "ada@example.com"),
        ("a.da@example.com", "a.da@example.com"),
        ("Ada.Lovelace+band@gmail.com", "adalovelace@gmail.com"),
        ("ada.lovelace@googlemail.com", "adalovelace@gmail.com"),
    ],
    ids=[
        "plain",
        "case",
        "plus-tag",
        "two-plus-tags",
        "dots-kept-outside-gmail",
        "gmail-dots-and-tag",
        "googlemail-is-gmail",
    ],
)
def test_the_blocking_key_folds_case_tags_and_gmail_dots(email: str, key: str) -> None:
    assert blocking_key(email) == key


def test_identity_folds_only_case_so_variants_stay_different_customers() -> None:
    assert fold_email("Ada@Example.com") == fold_email("ada@example.com")
    assert fold_email("ada+gig@example.com") != fold_email("ada@example.com")
    assert fold_email("a.da@gmail.com") != fold_email("ada@gmail.com")
