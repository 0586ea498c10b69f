"""Background work of the local stack: SQS event sources and schedules.

A `QueuePoller` does what Lambda's SQS event source mapping does: it receives up to the
batch size, calls the function with an SQS event and deletes what succeeded. With
`ReportBatchItemFailures` only the messages not named in `batchItemFailures` are deleted;
the rest become visible again after the queue's visibility timeout, and the queue's
redrive policy moves them to the dead-letter queue after `maxReceiveCount` receives.

`Schedules` runs every schedule on its expression and on demand. `rate(...)` and
`at(...)` are exact. `cron(...)` is computed field by field (lists, ranges, steps, names,
the year, ScheduleExpressionTimezone); the `L`, `W` and `#` forms are approximated by
treating their field as `*`, which a message at start says.
"""

from __future__ import annotations

import re
import threading
import time
import traceback
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from local.aws import aws_session
from local.runtime import Functions
from local.template import ACCOUNT_ID, REGION, QueueSourceSpec, ScheduleSpec

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import DeleteMessageBatchRequestEntryTypeDef

# ---------------------------------------------------------------------------- SQS


def sqs_event(messages: Iterable[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda sends for a batch received from SQS."""
    records = []
    for message in messages:
        attributes = {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value.get("DataType", "String"),
            }
            for name, value in (message.get("MessageAttributes") or {}).items()
        }
        records.append(
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": dict(message.get("Attributes") or {}),
                "messageAttributes": attributes,
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
        )
    return {"Records": records}


def failed_message_ids(result: Any, batch_ids: set[str]) -> set[str]:
    """The messages of a batch to leave on the queue, read as Lambda reads the response.

    No response, or no or an empty `batchItemFailures`, is a full success. A failure entry
    without a valid `itemIdentifier` of this batch fails the whole batch.
    """
    if result is None or result == {}:
        return set()
    if not isinstance(result, dict):
        return set(batch_ids)
    failures = result.get("batchItemFailures") or []
    if not isinstance(failures, list):
        return set(batch_ids)
    failed: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if identifier not in batch_ids:
            return set(batch_ids)
        failed.add(str(identifier))
    return failed


class QueuePoller:
    """One SQS event source: a thread that polls its queue and calls its function."""

    def __init__(
        self,
        spec: QueueSourceSpec,
        queue_url: str,
        functions: Functions,
        endpoint: str,
        *,
        interval_s: float = 0.2,
    ) -> None:
        self.spec = spec
        self._queue_url = queue_url
        self._functions = functions
        self._sqs = aws_session().client("sqs", endpoint_url=endpoint)
        self._interval_s = interval_s
        self._stop = threading.Event()
        name = f"sqs-{spec.function_id}-{spec.event_name}"
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self._functions.spec(self.spec.function_id).timeout_s + 5)

    def poll_once(self) -> int:
        """Receive one batch and hand it to the function; returns how many messages."""
        messages = self._receive()
        if not messages:
            return 0
        ids = {message["MessageId"] for message in messages}
        label = f"{self.spec.function_id} ({self.spec.event_name})"
        try:
            result = self._functions.invoke(
                self.spec.function_id, sqs_event(messages, self.spec.queue_arn)
            )
        except Exception:  # noqa: BLE001 - a failed invocation leaves the whole batch
            print(f"[sqs] {label} failed; the batch stays:\n{traceback.format_exc()}")
            return len(messages)
        failed = failed_message_ids(result, ids) if self.spec.report_batch_item_failures else set()
        done = [message for message in messages if message["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            entries: list[DeleteMessageBatchRequestEntryTypeDef] = [
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                for index, message in enumerate(done[start : start + 10])
            ]
            self._sqs.delete_message_batch(QueueUrl=self._queue_url, Entries=entries)
        print(f"[sqs] {label}: {len(messages)} messages, {len(failed)} failed")
        return len(messages)

    def _receive(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while len(messages) < self.spec.batch_size:
            answer = self._sqs.receive_message(
                QueueUrl=self._queue_url,
                MaxNumberOfMessages=min(10, self.spec.batch_size - len(messages)),
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            )
            received = answer.get("Messages", [])
            if not received:
                break
            messages.extend(dict(message) for message in received)
        return messages

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                handled = self.poll_once()
            except Exception:  # noqa: BLE001 - keep polling, as the event source mapping does
                print(f"[sqs] polling {self.spec.queue_arn} failed:\n{traceback.format_exc()}")
                handled = 0
            if not handled:
                self._stop.wait(self._interval_s)


# ---------------------------------------------------------------------------- schedules

_RATE = re.compile(r"rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {
    name: number
    for number, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
_WEEKDAYS = {
    name: number for number, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)
}


class CronExpression:
    """An EventBridge `cron(minutes hours day-of-month month day-of-week year)`."""

    def __init__(self, fields: str) -> None:
        parts = fields.split()
        if len(parts) != 6:
            raise ValueError(f"cron needs 6 fields, got {fields!r}")
        self.approximated = any(mark in fields.upper() for mark in ("L", "W", "#"))
        self.minutes = _cron_field(parts[0], 0, 59, {})
        self.hours = _cron_field(parts[1], 0, 23, {})
        self.days = _cron_field(parts[2], 1, 31, {})
        self.months = _cron_field(parts[3], 1, 12, _MONTHS)
        self.weekdays = _cron_field(parts[4], 1, 7, _WEEKDAYS)
        self.years = _cron_field(parts[5], 1970, 2199, {})

    def matches_day(self, day: date) -> bool:
        weekday = (day.weekday() + 1) % 7 + 1  # EventBridge counts SUN=1 .. SAT=7
        return all(
            allowed is None or value in allowed
            for allowed, value in (
                (self.years, day.year),
                (self.months, day.month),
                (self.days, day.day),
                (self.weekdays, weekday),
            )
        )

    def next_after(self, after: datetime, zone: ZoneInfo) -> datetime | None:
        start = after.astimezone(zone).replace(second=0, microsecond=0) + timedelta(minutes=1)
        hours = sorted(self.hours) if self.hours is not None else range(24)
        minutes = sorted(self.minutes) if self.minutes is not None else range(60)
        for offset in range(366 * 5):
            day = start.date() + timedelta(days=offset)
            if not self.matches_day(day):
                continue
            for hour in hours:
                for minute in minutes:
                    candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
                    if candidate >= start:
                        return candidate.astimezone(UTC)
        return None


def _cron_field(text: str, low: int, high: int, names: dict[str, int]) -> set[int] | None:
    """The values a cron field allows; None for any (`*`, `?`, and the approximated forms)."""
    text = text.upper()
    if text in ("*", "?") or any(mark in text for mark in ("L", "W", "#")):
        return None

    def number(token: str) -> int:
        return names[token] if token in names else int(token)

    values: set[int] = set()
    for part in text.split(","):
        part, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if part == "*":
            first, last = low, high
        elif "-" in part:
            first_text, last_text = part.split("-", 1)
            first, last = number(first_text), number(last_text)
        else:
            first = number(part)
            last = high if step_text else first
        values.update(range(first, last + 1, step))
    return values


def next_fire(expression: str, after: datetime, timezone: str = "UTC") -> datetime | None:
    """When a schedule fires next after `after` (UTC), or None if it never does again."""
    expression = expression.strip()
    rate = _RATE.fullmatch(expression)
    if rate:
        amount, unit = int(rate.group(1)), rate.group(2).rstrip("s")
        return after + timedelta(seconds=amount * _UNITS[unit])
    zone = ZoneInfo(timezone)
    if expression.startswith("at(") and expression.endswith(")"):
        moment = datetime.fromisoformat(expression[3:-1]).replace(tzinfo=zone).astimezone(UTC)
        return moment if moment > after else None
    if expression.startswith("cron(") and expression.endswith(")"):
        return CronExpression(expression[5:-1]).next_after(after, zone)
    raise ValueError(f"unknown schedule expression {expression!r}")


def schedule_event(spec: ScheduleSpec) -> Any:
    """What the function receives: its Input, else EventBridge's or Scheduler's default."""
    if spec.payload is not None:
        return spec.payload
    if spec.kind == "scheduler":
        return {}
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{spec.name}"],
        "detail": {},
    }


class UnknownScheduleError(KeyError):
    """No schedule of that name in the template."""


class Schedules:
    """The template's schedules: a timer thread for each enabled one, and runs on demand.

    `time_scale` speeds up the clock the timers follow (600 turns a minute into 0.1 s),
    for tests; 1 is real time.
    """

    def __init__(
        self, specs: Iterable[ScheduleSpec], functions: Functions, *, time_scale: float = 1.0
    ) -> None:
        self._specs = {spec.name: spec for spec in specs}
        self._functions = functions
        self._time_scale = time_scale
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._origin = (time.monotonic(), datetime.now(UTC))
        for spec in self._specs.values():
            next_fire(spec.expression, datetime.now(UTC), spec.timezone)  # fail early
            if (
                spec.expression.startswith("cron(")
                and CronExpression(spec.expression[5:-1]).approximated
            ):
                print(f"[schedule] {spec.name}: L, W and # in {spec.expression} run as '*'")

    def list(self) -> list[ScheduleSpec]:
        return list(self._specs.values())

    def run_now(self, name: str) -> Any:
        """Invoke the schedule's function now; returns its result (raises what it raises)."""
        if name not in self._specs:
            raise UnknownScheduleError(name)
        spec = self._specs[name]
        started = time.monotonic()
        result = self._functions.invoke(spec.function_id, schedule_event(spec))
        elapsed = (time.monotonic() - started) * 1000
        print(f"[schedule] {name} ran {spec.function_id} in {elapsed:.0f} ms")
        return result

    def start(self) -> None:
        for spec in self._specs.values():
            if spec.enabled:
                thread = threading.Thread(
                    target=self._timer, args=(spec,), name=f"schedule-{spec.name}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)

    def _now(self) -> datetime:
        started, origin = self._origin
        elapsed = (time.monotonic() - started) * self._time_scale
        return origin + timedelta(seconds=elapsed)

    def _timer(self, spec: ScheduleSpec) -> None:
        last = self._now()
        while True:
            fire_at = next_fire(spec.expression, last, spec.timezone)
            if fire_at is None:
                return
            while (wait_s := (fire_at - self._now()).total_seconds() / self._time_scale) > 0:
                if self._stop.wait(min(wait_s, 30.0)):
                    return
            if self._stop.is_set():
                return
            try:
                self.run_now(spec.name)
            except Exception:  # noqa: BLE001 - a failing run must not stop the timer
                print(f"[schedule] {spec.name} failed:\n{traceback.format_exc()}")
            last = max(fire_at, self._now() - timedelta(seconds=1))
