"""Public booking intake: the studio's booking page posts here, without a token.

The customer is found by email or made as a guest; the studio's rules for restricted
customers apply (an alert for those behind on payment, a refusal for the banned).
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

import boto3
from aws_lambda_powertools.logging import correlation_paths

from backline.booking_service import BookingService
from backline.bookings import BookingStore, PublicBookingRequest
from backline.cursor import CursorSigner
from backline.customer_store import CustomerStore
from backline.errors import NotFoundError
from backline.idempotency import IdempotencyStore
from backline.observability import MetricUnit, logger, metrics, publish_metrics
from backline.schemas import IntakeOut, PublicBookingOut
from backline.settings import Settings
from backline.studios import StudioStore
from backline.web import Api, Reply, Request, idempotent

settings = Settings.from_env()
dynamodb = boto3.client("dynamodb")
bookings = BookingService(
    dynamodb,
    settings.table_name,
    StudioStore(dynamodb, settings.table_name, settings.default_country),
    CustomerStore(dynamodb, settings.table_name, CursorSigner(settings.cursor_secret)),
    BookingStore(dynamodb, settings.table_name),
)
idempotency = IdempotencyStore(dynamodb, settings.table_name)
app = Api(security="staff")

STUDIO_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@app.post(
    "/studios/{studio_id}/bookings",
    status=HTTPStatus.CREATED,
    tags=("public",),
    public=True,
    errors=(HTTPStatus.FORBIDDEN, HTTPStatus.CONFLICT),
)
def book(request: Request, studio_id: str, body: PublicBookingRequest) -> IntakeOut | Reply:
    """Book on the studio's page: the customer is found by email or added as a guest.

    403 carries the studio's message for a banned customer or a blocked email.
    """
    if not STUDIO_ID.match(studio_id):
        raise NotFoundError(f"studio {studio_id[:64]} not found")

    def intake() -> Reply:
        made = bookings.intake(studio_id, body)
        booking = made.booking
        logger.info(
            "public booking made",
            studio_id=studio_id,
            booking_id=booking.booking_id,
            customer_id=booking.customer_id,
            alert=made.alert is not None,
        )
        metrics.add_metric(name="PublicBookingMade", unit=MetricUnit.Count, value=1)
        answer = IntakeOut(booking=PublicBookingOut.of(booking), alert=made.alert)
        return Reply(answer, HTTPStatus.CREATED)

    return idempotent(request, idempotency, studio_id, intake)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@publish_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event)
