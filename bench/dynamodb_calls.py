"""DynamoDB calls (and capacity units) per API operation, counted through botocore's
event hooks while the real handlers run against moto. Counts do not depend on speed.

Goals (QUALITY.md): customer detail 1, a list page 1, create customer 1, public booking
at most 3, scans 0.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for folder in ("shared", "functions/customers", "functions/portal", "."):
    sys.path.insert(0, str(ROOT / folder))

from tests.support import (  # noqa: E402
    ENVIRONMENT,
    FakeContext,
    http_event,
    staff_claims,
    table_definition,
)

os.environ.update(ENVIRONMENT)
os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

STUDIO = "bench-studio"


class Meter:
    """Counts calls by operation and adds up the capacity DynamoDB says each consumed."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.capacity = 0.0

    def reset(self) -> None:
        self.calls.clear()
        self.capacity = 0.0

    def before(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.calls[model.name] += 1
        if model.name != "BatchWriteItem":
            params.setdefault("ReturnConsumedCapacity", "TOTAL")

    def after(self, parsed: dict[str, Any], **_: Any) -> None:
        consumed = parsed.get("ConsumedCapacity")
        entries = consumed if isinstance(consumed, list) else [consumed] if consumed else []
        self.capacity += sum(float(entry.get("CapacityUnits", 0)) for entry in entries)


def main() -> None:
    with mock_aws():
        boto3.client("dynamodb").create_table(**table_definition())
        import public_booking
        import staff_api

        meter = Meter()
        for module in (staff_api, public_booking):
            events = module.dynamodb.meta.events
            events.register("before-parameter-build.dynamodb.*", meter.before)
            events.register("after-call.dynamodb.*", meter.after)

        claims = staff_claims(STUDIO)

        def staff(method: str, path: str, **kwargs: Any) -> Any:
            return staff_api.handler(
                http_event(method, path, claims=claims, **kwargs), FakeContext()
            )

        def public(body: dict[str, Any]) -> Any:
            path = f"/studios/{STUDIO}/bookings"
            return public_booking.handler(http_event("POST", path, body=body), FakeContext())

        start = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
        slot = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}
        rooms = [{"room_id": "a", "name": "A", "hourly_rate": 2000}]
        staff("PATCH", "/studio", body={"name": "Bench", "rooms": rooms})
        for n in range(30):
            staff("POST", "/customers", body={"name": f"Person {n}", "email": f"p{n}@example.com"})
        created: dict[str, Any] = {}

        def create() -> Any:
            body = {"name": "Ada Lovelace", "email": "ada@example.com", "mobile": "+447911123456"}
            created["customer"] = staff("POST", "/customers", body=body)
            return created["customer"]

        def customer_id() -> str:
            import json

            return str(json.loads(created["customer"]["body"])["customer_id"])

        operations: list[tuple[str, Callable[[], Any], str]] = [
            ("create customer", create, "1"),
            ("list page (25)", lambda: staff("GET", "/customers"), "1"),
            ("search 'lovel'", lambda: staff("GET", "/customers", query={"q": "lovel"}), "1"),
            ("customer detail", lambda: staff("GET", f"/customers/{customer_id()}"), "1"),
            (
                "edit customer",
                lambda: staff("PATCH", f"/customers/{customer_id()}", body={"name": "Ada King"}),
                "-",
            ),
            (
                "public booking, new customer",
                lambda: public({"name": "Bo", "email": "bo@example.com", "room_id": "a", **slot}),
                "<= 3",
            ),
            (
                "public booking, known customer",
                lambda: public({"name": "Ada", "email": "ADA@example.com", "room_id": "a", **slot}),
                "<= 3",
            ),
            (
                "staff booking",
                lambda: staff(
                    "POST", "/bookings", body={"customer_id": customer_id(), "room_id": "a", **slot}
                ),
                "-",
            ),
            (
                "set status (banned)",
                lambda: staff(
                    "PUT", f"/customers/{customer_id()}/status", body={"status": "banned"}
                ),
                "-",
            ),
        ]
        print(f"{'operation':34} {'calls':>5} {'goal':>5} {'capacity':>9}  by call")
        scans = 0
        for name, run, goal in operations:
            meter.reset()
            answer = run()
            status = answer["statusCode"]
            total = sum(meter.calls.values())
            scans += meter.calls["Scan"]
            detail = ", ".join(f"{op} {n}" for op, n in sorted(meter.calls.items()))
            print(f"{name:34} {total:5d} {goal:>5} {meter.capacity:9.1f}  {detail} [{status}]")
        print(f"scans in all operations: {scans}")


if __name__ == "__main__":
    main()
