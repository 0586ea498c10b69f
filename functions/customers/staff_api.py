"""Staff API: customers and their notes, statuses, coupons and bands; bookings; studio.

Each route parses, authorises from the token's claims, calls one domain operation and
answers. Errors become problem documents in backline.web.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

import boto3
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.logging import correlation_paths

from backline.clock import isoformat, utcnow
from backline.cursor import CursorSigner
from backline.customer_service import CustomerService
from backline.customer_store import CustomerCollection, CustomerStore
from backline.customers import CustomerStatus
from backline.idempotency import IdempotencyStore
from backline.observability import MetricUnit, logger, metrics
from backline.schemas import (
    BookingOut,
    BookingsOut,
    CustomerCreate,
    CustomerDetailOut,
    CustomerEdit,
    CustomerOut,
    CustomerPage,
    Deleted,
    NoteCreate,
    NoteEdit,
    NoteOut,
    StatusChangeOut,
)
from backline.settings import Settings
from backline.web import idempotent, if_match, json_response, make_app, staff

settings = Settings.from_env()
dynamodb = boto3.client("dynamodb")
customers = CustomerService(
    CustomerStore(dynamodb, settings.table_name, CursorSigner(settings.cursor_secret)),
    settings.default_country,
)
idempotency = IdempotencyStore(dynamodb, settings.table_name)
app = make_app()

Limit = Annotated[int, Query(ge=1, le=100, description="page size")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the last page")]


# ---------------------------------------------------------------- customers


@app.get("/customers", tags=["customers"])
def list_customers(
    q: Annotated[str | None, Query(max_length=200, description="name, email or mobile")] = None,
    status: Annotated[CustomerStatus | None, Query()] = None,
    include_inactive: Annotated[bool, Query()] = False,
    limit: Limit = 25,
    cursor: Cursor = None,
) -> CustomerPage:
    caller = staff(app)
    page = customers.page(
        caller.studio_id,
        query=q,
        status=status.value if status else None,
        include_inactive=include_inactive,
        limit=limit,
        cursor=cursor,
    )
    return CustomerPage(items=[CustomerOut.of(c) for c in page.items], next_cursor=page.next_cursor)


@app.post("/customers", tags=["customers"])
def create_customer(body: Annotated[CustomerCreate, Body()]) -> Response[CustomerOut]:
    caller = staff(app)

    def create() -> Response[Any]:
        customer = customers.create(caller.studio_id, body)
        logger.info("customer created", customer_id=customer.customer_id)
        metrics.add_metric(name="CustomerCreated", unit=MetricUnit.Count, value=1)
        return json_response(CustomerOut.of(customer), HTTPStatus.CREATED, customer.version)

    return idempotent(app, idempotency, caller.studio_id, create)


@app.get("/customers/<customer_id>", tags=["customers"])
def get_customer(customer_id: str) -> Response[CustomerDetailOut]:
    caller = staff(app)
    collection = customers.detail(caller.studio_id, customer_id)
    detail = detail_of(collection)
    return json_response(detail, version=detail.version)


@app.patch("/customers/<customer_id>", tags=["customers"])
def edit_customer(customer_id: str, body: Annotated[CustomerEdit, Body()]) -> Response[CustomerOut]:
    caller = staff(app)
    customer = customers.edit(caller.studio_id, customer_id, body, if_match(app))
    logger.info("customer edited", customer_id=customer_id)
    return json_response(CustomerOut.of(customer), version=customer.version)


@app.delete("/customers/<customer_id>", tags=["customers"])
def delete_customer(customer_id: str) -> Deleted:
    caller = staff(app)
    kind = customers.delete(caller.studio_id, customer_id, if_match(app))
    logger.info("customer deleted", customer_id=customer_id, kind=kind)
    metrics.add_metric(name="CustomerDeleted", unit=MetricUnit.Count, value=1)
    return Deleted(deleted=kind)  # type: ignore[arg-type]


# ---------------------------------------------------------------- notes


@app.post("/customers/<customer_id>/notes", tags=["notes"])
def add_note(customer_id: str, body: Annotated[NoteCreate, Body()]) -> Response[NoteOut]:
    caller = staff(app)

    def add() -> Response[Any]:
        note = customers.add_note(caller.studio_id, customer_id, body.text, caller.subject)
        logger.info("note added", customer_id=customer_id, note_id=note.note_id)
        return json_response(NoteOut.of(note), HTTPStatus.CREATED)

    return idempotent(app, idempotency, caller.studio_id, add)


@app.patch("/customers/<customer_id>/notes/<note_id>", tags=["notes"])
def edit_note(customer_id: str, note_id: str, body: Annotated[NoteEdit, Body()]) -> NoteOut:
    caller = staff(app)
    return NoteOut.of(customers.edit_note(caller.studio_id, customer_id, note_id, body.text))


@app.delete("/customers/<customer_id>/notes/<note_id>", tags=["notes"])
def delete_note(customer_id: str, note_id: str) -> Response[None]:
    caller = staff(app)
    customers.delete_note(caller.studio_id, customer_id, note_id)
    return Response(status_code=HTTPStatus.NO_CONTENT.value)


# ---------------------------------------------------------------- shapes


def detail_of(collection: CustomerCollection) -> CustomerDetailOut:
    now = isoformat(utcnow())
    bookings = sorted(
        (BookingOut.model_validate(b) for b in collection.bookings), key=lambda b: b.starts_at
    )
    current = [b for b in bookings if b.status == "confirmed" and b.ends_at > now]
    history = [b for b in bookings if b not in current]
    profile: dict[str, Any] = CustomerOut.of(collection.customer).model_dump()
    return CustomerDetailOut(
        **profile,
        bookings=BookingsOut(current=current, history=history[::-1]),
        notes=[NoteOut.of(note) for note in collection.notes],
        coupons=[],
        bands=[],
        payment_requests=[],
        status_history=[
            StatusChangeOut.model_validate(c.model_dump()) for c in collection.status_history
        ],
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics(raise_on_empty_metrics=False)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
