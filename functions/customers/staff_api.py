"""Staff API: customers and their notes, statuses, coupons and bands; bookings; studio.

Each route parses, authorises from the token's claims, calls one domain operation and
answers. Errors become problem documents in backline.web.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import boto3
from aws_lambda_powertools.logging import correlation_paths

from backline.bands import BandCreate, BandStore
from backline.booking_service import BookingService
from backline.bookings import BookingStore, StaffBookingRequest
from backline.coupons import CouponCreate, CouponEdit, CouponStore
from backline.cursor import CursorSigner
from backline.customer_service import CustomerService
from backline.customer_store import CustomerStore
from backline.idempotency import IdempotencyStore
from backline.observability import MetricUnit, logger, metrics, publish_metrics
from backline.schemas import (
    BandDetailOut,
    BandOut,
    BandPage,
    BookingOut,
    CouponOut,
    CouponPage,
    CustomerCreate,
    CustomerDetailOut,
    CustomerEdit,
    CustomerOut,
    CustomerPage,
    CustomerQuery,
    Deleted,
    NoteCreate,
    NoteEdit,
    NoteOut,
    PageQuery,
    StatusSet,
    StudioOut,
)
from backline.settings import Settings
from backline.studio_service import StudioService
from backline.studios import StudioEdit, StudioStore
from backline.web import Api, Reply, Request, idempotent, if_match, owner, staff, versioned

settings = Settings.from_env()
dynamodb = boto3.client("dynamodb")
cursors = CursorSigner(settings.cursor_secret)
studios = StudioStore(dynamodb, settings.table_name, settings.default_country)
customer_store = CustomerStore(dynamodb, settings.table_name, cursors)
customers = CustomerService(customer_store, studios)
booking_store = BookingStore(dynamodb, settings.table_name)
bookings = BookingService(dynamodb, settings.table_name, studios, customer_store, booking_store)
coupons = CouponStore(dynamodb, settings.table_name, cursors)
bands = BandStore(dynamodb, settings.table_name, cursors)
studio_settings = StudioService(studios)
idempotency = IdempotencyStore(dynamodb, settings.table_name)
app = Api(security="staff")

CREATED = HTTPStatus.CREATED
NO_CONTENT = HTTPStatus.NO_CONTENT
CONFLICT = HTTPStatus.CONFLICT
STALE = HTTPStatus.PRECONDITION_FAILED


# ---------------------------------------------------------------- customers


@app.get("/customers", tags=("customers",))
def list_customers(request: Request, query: CustomerQuery) -> CustomerPage:
    """List or search the studio's customers, a page at a time."""
    caller = staff(request)
    page = customers.page(caller.studio_id, query)
    return CustomerPage(items=[CustomerOut.of(c) for c in page.items], next_cursor=page.next_cursor)


@app.post("/customers", status=CREATED, tags=("customers",), errors=(CONFLICT,))
def create_customer(request: Request, body: CustomerCreate) -> CustomerOut | Reply:
    """Add a customer (409 when an active customer has the email)."""
    caller = staff(request)

    def create() -> Reply:
        customer = customers.create(caller.studio_id, body)
        logger.info("customer created", customer_id=customer.customer_id)
        metrics.add_metric(name="CustomerCreated", unit=MetricUnit.Count, value=1)
        return versioned(CustomerOut.of(customer), customer.version, CREATED)

    return idempotent(request, idempotency, caller.studio_id, create)


@app.get("/customers/{customer_id}", tags=("customers",))
def get_customer(request: Request, customer_id: str) -> CustomerDetailOut | Reply:
    """A customer with bookings, notes, coupons, bands and payment requests (one Query)."""
    caller = staff(request)
    detail = CustomerDetailOut.of_collection(customers.detail(caller.studio_id, customer_id))
    return versioned(detail, detail.version)


@app.patch("/customers/{customer_id}", tags=("customers",), errors=(CONFLICT, STALE))
def edit_customer(request: Request, customer_id: str, body: CustomerEdit) -> CustomerOut | Reply:
    """Change a customer's profile (If-Match honoured)."""
    caller = staff(request)
    customer = customers.edit(caller.studio_id, customer_id, body, if_match(request))
    logger.info("customer edited", customer_id=customer_id)
    return versioned(CustomerOut.of(customer), customer.version)


@app.delete("/customers/{customer_id}", tags=("customers",), errors=(STALE,))
def delete_customer(request: Request, customer_id: str) -> Deleted:
    """Delete a customer: kept inactive if they ever booked, gone otherwise."""
    caller = staff(request)
    kind = customers.delete(caller.studio_id, customer_id, if_match(request))
    logger.info("customer deleted", customer_id=customer_id, kind=kind)
    metrics.add_metric(name="CustomerDeleted", unit=MetricUnit.Count, value=1)
    return Deleted(deleted=kind)


@app.put("/customers/{customer_id}/status", tags=("customers",), errors=(CONFLICT, STALE))
def set_status(request: Request, customer_id: str, body: StatusSet) -> CustomerOut | Reply:
    """Mark a customer behind on payment, banned, banned with email blocked, or active."""
    caller = staff(request)
    customer = customers.set_status(
        caller.studio_id, customer_id, body, if_match(request), by=caller.subject
    )
    logger.info("customer status set", customer_id=customer_id, status=body.status.value)
    metrics.add_metric(name="CustomerStatusChanged", unit=MetricUnit.Count, value=1)
    return versioned(CustomerOut.of(customer), customer.version)


# ---------------------------------------------------------------- notes


@app.post("/customers/{customer_id}/notes", status=CREATED, tags=("notes",))
def add_note(request: Request, customer_id: str, body: NoteCreate) -> NoteOut | Reply:
    """Add a staff-only note; it rides along on the customer's next bookings."""
    caller = staff(request)

    def add() -> Reply:
        note = customers.add_note(caller.studio_id, customer_id, body.text, caller.subject)
        logger.info("note added", customer_id=customer_id, note_id=note.note_id)
        return Reply(NoteOut.of(note), CREATED)

    return idempotent(request, idempotency, caller.studio_id, add)


@app.patch("/customers/{customer_id}/notes/{note_id}", tags=("notes",))
def edit_note(request: Request, customer_id: str, note_id: str, body: NoteEdit) -> NoteOut:
    """Change a note's text."""
    caller = staff(request)
    return NoteOut.of(customers.edit_note(caller.studio_id, customer_id, note_id, body.text))


@app.delete("/customers/{customer_id}/notes/{note_id}", status=NO_CONTENT, tags=("notes",))
def delete_note(request: Request, customer_id: str, note_id: str) -> None:
    """Delete a note."""
    caller = staff(request)
    customers.delete_note(caller.studio_id, customer_id, note_id)


# ---------------------------------------------------------------- coupons


@app.get("/coupons", tags=("coupons",))
def list_coupons(request: Request, query: PageQuery) -> CouponPage:
    """The studio's coupons."""
    caller = staff(request)
    found, next_cursor = coupons.page(caller.studio_id, query.limit, query.cursor)
    return CouponPage(items=[CouponOut.of(c) for c in found], next_cursor=next_cursor)


@app.post("/coupons", status=CREATED, tags=("coupons",), errors=(CONFLICT,))
def create_coupon(request: Request, body: CouponCreate) -> CouponOut | Reply:
    """Add a coupon: a percentage or an amount off (409 when the code is taken)."""
    caller = staff(request)

    def create() -> Reply:
        coupon = coupons.create(caller.studio_id, body)
        logger.info("coupon created", coupon_id=coupon.coupon_id)
        return Reply(CouponOut.of(coupon), CREATED)

    return idempotent(request, idempotency, caller.studio_id, create)


@app.patch("/coupons/{coupon_id}", tags=("coupons",))
def edit_coupon(request: Request, coupon_id: str, body: CouponEdit) -> CouponOut:
    """Switch a coupon off or on, or change its description."""
    caller = staff(request)
    return CouponOut.of(coupons.edit(caller.studio_id, coupon_id, body))


@app.put("/customers/{customer_id}/coupons/{coupon_id}", tags=("coupons",))
def assign_coupon(request: Request, customer_id: str, coupon_id: str) -> CouponOut:
    """Give a customer a coupon: it applies by itself to their next bookings."""
    caller = staff(request)
    coupon = coupons.assign(caller.studio_id, customer_id, coupon_id)
    logger.info("coupon assigned", customer_id=customer_id, coupon_id=coupon_id)
    metrics.add_metric(name="CouponAssigned", unit=MetricUnit.Count, value=1)
    return CouponOut.of(coupon)


@app.delete("/customers/{customer_id}/coupons/{coupon_id}", status=NO_CONTENT, tags=("coupons",))
def remove_coupon(request: Request, customer_id: str, coupon_id: str) -> None:
    """Take a coupon back from a customer."""
    caller = staff(request)
    coupons.unassign(caller.studio_id, customer_id, coupon_id)


# ---------------------------------------------------------------- bands


@app.get("/bands", tags=("bands",))
def list_bands(request: Request, query: PageQuery) -> BandPage:
    """The studio's bands."""
    caller = staff(request)
    found, next_cursor = bands.page(caller.studio_id, query.limit, query.cursor)
    return BandPage(items=[BandOut.of(b) for b in found], next_cursor=next_cursor)


@app.post("/bands", status=CREATED, tags=("bands",))
def create_band(request: Request, body: BandCreate) -> BandOut | Reply:
    """Add a band."""
    caller = staff(request)

    def create() -> Reply:
        band = bands.create(caller.studio_id, body.name)
        logger.info("band created", band_id=band.band_id)
        return Reply(BandOut.of(band), CREATED)

    return idempotent(request, idempotency, caller.studio_id, create)


@app.get("/bands/{band_id}", tags=("bands",))
def get_band(request: Request, band_id: str) -> BandDetailOut:
    """A band with its members' customer ids."""
    caller = staff(request)
    band = bands.get(caller.studio_id, band_id)
    return BandDetailOut(**band.model_dump(), members=bands.members(caller.studio_id, band_id))


@app.put("/bands/{band_id}/members/{customer_id}", tags=("bands",))
def add_band_member(request: Request, band_id: str, customer_id: str) -> BandOut:
    """Put a customer in a band."""
    caller = staff(request)
    band = bands.add_member(caller.studio_id, band_id, customer_id)
    logger.info("band member added", band_id=band_id, customer_id=customer_id)
    return BandOut.of(band)


@app.delete("/bands/{band_id}/members/{customer_id}", status=NO_CONTENT, tags=("bands",))
def remove_band_member(request: Request, band_id: str, customer_id: str) -> None:
    """Take a customer out of a band."""
    caller = staff(request)
    bands.remove_member(caller.studio_id, band_id, customer_id)


# ---------------------------------------------------------------- bookings


@app.post("/bookings", status=CREATED, tags=("bookings",), errors=(CONFLICT,))
def create_booking(request: Request, body: StaffBookingRequest) -> BookingOut | Reply:
    """Book a room for a customer; the price comes from the room's rate."""
    caller = staff(request)

    def book() -> Reply:
        booking = bookings.book_for_customer(
            caller.studio_id, body, f"staff:{caller.subject}"
        ).booking
        logger.info("booking made", booking_id=booking.booking_id, customer_id=booking.customer_id)
        metrics.add_metric(name="BookingMade", unit=MetricUnit.Count, value=1)
        return Reply(BookingOut.of(booking), CREATED)

    return idempotent(request, idempotency, caller.studio_id, book)


@app.get("/bookings/{booking_id}", tags=("bookings",))
def get_booking(request: Request, booking_id: str) -> BookingOut:
    """A booking."""
    caller = staff(request)
    return BookingOut.of(booking_store.get(caller.studio_id, booking_id))


@app.post("/bookings/{booking_id}/cancel", tags=("bookings",), errors=(CONFLICT,))
def cancel_booking(request: Request, booking_id: str) -> BookingOut:
    """Cancel a booking (cancelling it again changes nothing)."""
    caller = staff(request)
    cancelled = booking_store.cancel(booking_store.get(caller.studio_id, booking_id))
    logger.info("booking cancelled", booking_id=booking_id)
    metrics.add_metric(name="BookingCancelled", unit=MetricUnit.Count, value=1)
    return BookingOut.of(cancelled)


# ---------------------------------------------------------------- studio


@app.get("/studio", tags=("studio",))
def get_studio(request: Request) -> StudioOut | Reply:
    """The studio's settings."""
    caller = staff(request)
    studio = studios.get(caller.studio_id)
    return versioned(StudioOut.of(studio), studio.version)


@app.patch("/studio", tags=("studio",), errors=(STALE,))
def edit_studio(request: Request, body: StudioEdit) -> StudioOut | Reply:
    """Change the studio's settings (owner only)."""
    caller = owner(request)
    studio = studio_settings.edit(caller.studio_id, body, if_match(request))
    logger.info("studio settings changed", fields=sorted(body.model_fields_set))
    return versioned(StudioOut.of(studio), studio.version)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@publish_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event)
