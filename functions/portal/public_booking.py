"""Public booking intake: the studio's booking page posts here, without a token.

The customer is found by email or made as a guest; the studio's rules for restricted
customers apply (an alert for those behind on payment, a refusal for the banned).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

import boto3
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths

from backline.booking_service import BookingService
from backline.bookings import BookingStore, PublicBookingRequest
from backline.cursor import CursorSigner
from backline.customer_store import CustomerStore
from backline.idempotency import IdempotencyStore
from backline.observability import MetricUnit, logger, metrics
from backline.schemas import BookingOut, IntakeOut
from backline.settings import Settings
from backline.studios import StudioStore
from backline.web import idempotent, json_response, make_app

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
app = make_app()

StudioId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@app.post("/studios/<studio_id>/bookings", tags=["public"])
def book(studio_id: StudioId, body: Annotated[PublicBookingRequest, Body()]) -> Response[IntakeOut]:
    def intake() -> Response[Any]:
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
        answer = IntakeOut(
            booking=BookingOut.model_validate(booking.model_dump()), alert=made.alert
        )
        return json_response(answer, HTTPStatus.CREATED)

    return idempotent(app, idempotency, studio_id, intake)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics(raise_on_empty_metrics=False)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
