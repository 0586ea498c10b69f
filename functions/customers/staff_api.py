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

from backline.bands import BandCreate, BandStore
from backline.booking_service import BookingService
from backline.bookings import BookingStore, StaffBookingRequest
from backline.clock import isoformat, utcnow
from backline.coupons import CouponCreate, CouponEdit, CouponStore
from backline.cursor import CursorSigner
from backline.customer_service import CustomerService
from backline.customer_store import CustomerCollection, CustomerStore
from backline.customers import CustomerStatus
from backline.errors import require_version
from backline.idempotency import IdempotencyStore
from backline.observability import MetricUnit, logger, metrics
from backline.schemas import (
    BandDetailOut,
    BandOut,
    BandPage,
    BookingOut,
    BookingsOut,
    CouponOut,
    CouponPage,
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
    StatusSet,
    StudioOut,
)
from backline.settings import Settings
from backline.studios import StudioEdit, StudioStore
from backline.web import idempotent, if_match, json_response, make_app, owner, staff

settings = Settings.from_env()
dynamodb = boto3.client("dynamodb")
cursors = CursorSigner(settings.cursor_secret)
studios = StudioStore(dynamodb, settings.table_name, settings.default_country)
customer_store = CustomerStore(dynamodb, settings.table_name, cursors)
customers = CustomerService(customer_store, studios)
bookings = BookingService(
    dynamodb,
    settings.table_name,
    studios,
    customer_store,
    BookingStore(dynamodb, settings.table_name),
)
coupons = CouponStore(dynamodb, settings.table_name, cursors)
bands = BandStore(dynamodb, settings.table_name, cursors)
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


@app.put("/customers/<customer_id>/status", tags=["customers"])
def set_status(customer_id: str, body: Annotated[StatusSet, Body()]) -> Response[CustomerOut]:
    caller = staff(app)
    customer = customers.set_status(
        caller.studio_id, customer_id, body, if_match(app), by=caller.subject
    )
    logger.info("customer status set", customer_id=customer_id, status=body.status.value)
    metrics.add_metric(name="CustomerStatusChanged", unit=MetricUnit.Count, value=1)
    return json_response(CustomerOut.of(customer), version=customer.version)


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


# ---------------------------------------------------------------- coupons


@app.get("/coupons", tags=["coupons"])
def list_coupons(limit: Limit = 25, cursor: Cursor = None) -> CouponPage:
    caller = staff(app)
    found, next_cursor = coupons.page(caller.studio_id, limit, cursor)
    items = [CouponOut.model_validate(c.model_dump()) for c in found]
    return CouponPage(items=items, next_cursor=next_cursor)


@app.post("/coupons", tags=["coupons"])
def create_coupon(body: Annotated[CouponCreate, Body()]) -> Response[CouponOut]:
    caller = staff(app)

    def create() -> Response[Any]:
        coupon = coupons.create(caller.studio_id, body)
        logger.info("coupon created", coupon_id=coupon.coupon_id)
        return json_response(CouponOut.model_validate(coupon.model_dump()), HTTPStatus.CREATED)

    return idempotent(app, idempotency, caller.studio_id, create)


@app.patch("/coupons/<coupon_id>", tags=["coupons"])
def edit_coupon(coupon_id: str, body: Annotated[CouponEdit, Body()]) -> CouponOut:
    caller = staff(app)
    return CouponOut.model_validate(coupons.edit(caller.studio_id, coupon_id, body).model_dump())


@app.put("/customers/<customer_id>/coupons/<coupon_id>", tags=["coupons"])
def assign_coupon(customer_id: str, coupon_id: str) -> CouponOut:
    caller = staff(app)
    coupon = coupons.assign(caller.studio_id, customer_id, coupon_id)
    logger.info("coupon assigned", customer_id=customer_id, coupon_id=coupon_id)
    metrics.add_metric(name="CouponAssigned", unit=MetricUnit.Count, value=1)
    return CouponOut.model_validate(coupon.model_dump())


@app.delete("/customers/<customer_id>/coupons/<coupon_id>", tags=["coupons"])
def remove_coupon(customer_id: str, coupon_id: str) -> Response[None]:
    caller = staff(app)
    coupons.unassign(caller.studio_id, customer_id, coupon_id)
    return Response(status_code=HTTPStatus.NO_CONTENT.value)


# ---------------------------------------------------------------- bands


@app.get("/bands", tags=["bands"])
def list_bands(limit: Limit = 25, cursor: Cursor = None) -> BandPage:
    caller = staff(app)
    found, next_cursor = bands.page(caller.studio_id, limit, cursor)
    return BandPage(
        items=[BandOut.model_validate(b.model_dump()) for b in found], next_cursor=next_cursor
    )


@app.post("/bands", tags=["bands"])
def create_band(body: Annotated[BandCreate, Body()]) -> Response[BandOut]:
    caller = staff(app)

    def create() -> Response[Any]:
        band = bands.create(caller.studio_id, body.name)
        logger.info("band created", band_id=band.band_id)
        return json_response(BandOut.model_validate(band.model_dump()), HTTPStatus.CREATED)

    return idempotent(app, idempotency, caller.studio_id, create)


@app.get("/bands/<band_id>", tags=["bands"])
def get_band(band_id: str) -> BandDetailOut:
    caller = staff(app)
    band = bands.get(caller.studio_id, band_id)
    return BandDetailOut(**band.model_dump(), members=bands.members(caller.studio_id, band_id))


@app.put("/bands/<band_id>/members/<customer_id>", tags=["bands"])
def add_band_member(band_id: str, customer_id: str) -> BandOut:
    caller = staff(app)
    band = bands.add_member(caller.studio_id, band_id, customer_id)
    logger.info("band member added", band_id=band_id, customer_id=customer_id)
    return BandOut.model_validate(band.model_dump())


@app.delete("/bands/<band_id>/members/<customer_id>", tags=["bands"])
def remove_band_member(band_id: str, customer_id: str) -> Response[None]:
    caller = staff(app)
    bands.remove_member(caller.studio_id, band_id, customer_id)
    return Response(status_code=HTTPStatus.NO_CONTENT.value)


# ---------------------------------------------------------------- bookings


@app.post("/bookings", tags=["bookings"])
def create_booking(body: Annotated[StaffBookingRequest, Body()]) -> Response[BookingOut]:
    caller = staff(app)

    def book() -> Response[Any]:
        made = bookings.book_for_customer(caller.studio_id, body, by=f"staff:{caller.subject}")
        booking = made.booking
        logger.info("booking made", booking_id=booking.booking_id, customer_id=booking.customer_id)
        metrics.add_metric(name="BookingMade", unit=MetricUnit.Count, value=1)
        return json_response(BookingOut.model_validate(booking.model_dump()), HTTPStatus.CREATED)

    return idempotent(app, idempotency, caller.studio_id, book)


@app.get("/bookings/<booking_id>", tags=["bookings"])
def get_booking(booking_id: str) -> BookingOut:
    caller = staff(app)
    return BookingOut.model_validate(
        bookings.bookings.get(caller.studio_id, booking_id).model_dump()
    )


@app.post("/bookings/<booking_id>/cancel", tags=["bookings"])
def cancel_booking(booking_id: str) -> BookingOut:
    caller = staff(app)
    store = bookings.bookings
    cancelled = store.cancel(store.get(caller.studio_id, booking_id))
    logger.info("booking cancelled", booking_id=booking_id)
    metrics.add_metric(name="BookingCancelled", unit=MetricUnit.Count, value=1)
    return BookingOut.model_validate(cancelled.model_dump())


# ---------------------------------------------------------------- studio


@app.get("/studio", tags=["studio"])
def get_studio() -> Response[StudioOut]:
    caller = staff(app)
    studio = studios.get(caller.studio_id)
    return json_response(StudioOut.model_validate(studio.model_dump()), version=studio.version)


@app.patch("/studio", tags=["studio"])
def edit_studio(body: Annotated[StudioEdit, Body()]) -> Response[StudioOut]:
    caller = owner(app)
    before = studios.get(caller.studio_id)
    require_version(if_match(app), before.version)
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    if "rooms" in changes:
        changes["rooms"] = tuple(changes["rooms"] or ())
    changes = {name: value for name, value in changes.items() if value is not None}
    after = before.model_copy(
        update={**changes, "version": before.version + 1, "updated_at": isoformat(utcnow())}
    )
    studios.save(before, after)
    logger.info("studio settings changed", fields=sorted(changes))
    return json_response(StudioOut.model_validate(after.model_dump()), version=after.version)


# ---------------------------------------------------------------- shapes


def detail_of(collection: CustomerCollection) -> CustomerDetailOut:
    now = isoformat(utcnow())
    bookings = sorted(
        (BookingOut.model_validate(b.model_dump()) for b in collection.bookings),
        key=lambda b: b.starts_at,
    )
    current = [b for b in bookings if b.status == "confirmed" and b.ends_at > now]
    history = [b for b in bookings if b not in current]
    profile: dict[str, Any] = CustomerOut.of(collection.customer).model_dump()
    return CustomerDetailOut(
        **profile,
        bookings=BookingsOut(current=current, history=history[::-1]),
        notes=[NoteOut.of(note) for note in collection.notes],
        coupons=[CouponOut.model_validate(c.model_dump()) for c in collection.coupons],
        bands=[BandOut.model_validate(b.model_dump()) for b in collection.bands],
        payment_requests=[],
        status_history=[
            StatusChangeOut.model_validate(c.model_dump()) for c in collection.status_history
        ],
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics(raise_on_empty_metrics=False)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
