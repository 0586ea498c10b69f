"""When schedules fire: rate and at exactly, cron field by field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from local.workers import next_fire

NOON = datetime(2026, 3, 4, 12, 0, 30, tzinfo=UTC)  # a Wednesday


def test_rate_fires_one_interval_after() -> None:
    assert next_fire("rate(5 minutes)", NOON) == datetime(2026, 3, 4, 12, 5, 30, tzinfo=UTC)
    assert next_fire("rate(1 day)", NOON) == datetime(2026, 3, 5, 12, 0, 30, tzinfo=UTC)


def test_daily_cron_fires_tomorrow_once_its_time_has_passed() -> None:
    assert next_fire("cron(0 3 * * ? *)", NOON) == datetime(2026, 3, 5, 3, 0, tzinfo=UTC)


def test_cron_steps_and_ranges() -> None:
    assert next_fire("cron(0/15 * * * ? *)", NOON) == datetime(2026, 3, 4, 12, 15, tzinfo=UTC)
    assert next_fire("cron(0 9-17/4 * * ? *)", NOON) == datetime(2026, 3, 4, 13, 0, tzinfo=UTC)


def test_cron_weekday_names_count_from_sunday() -> None:
    assert next_fire("cron(0 9 ? * MON *)", NOON) == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    assert next_fire("cron(0 9 ? * 1 *)", NOON) == datetime(2026, 3, 8, 9, 0, tzinfo=UTC)


def test_cron_month_and_year() -> None:
    assert next_fire("cron(0 0 1 JAN ? 2027)", NOON) == datetime(2027, 1, 1, tzinfo=UTC)
    assert next_fire("cron(0 0 1 JAN ? 2020)", NOON) is None


def test_cron_runs_in_the_schedule_timezone() -> None:
    fire = next_fire("cron(0 9 * * ? *)", NOON, "America/New_York")

    assert fire == datetime(2026, 3, 4, 14, 0, tzinfo=UTC)


def test_cron_last_day_forms_are_approximated_as_any() -> None:
    assert next_fire("cron(0 3 L * ? *)", NOON) == datetime(2026, 3, 5, 3, 0, tzinfo=UTC)


def test_at_fires_once() -> None:
    assert next_fire("at(2026-03-04T13:00:00)", NOON) == datetime(2026, 3, 4, 13, tzinfo=UTC)
    assert next_fire("at(2026-03-04T11:00:00)", NOON) is None


def test_unknown_expression_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown schedule expression"):
        next_fire("every(5 minutes)", NOON)
