"""Request and response bodies of the HTTP API (what the OpenAPI document describes).

Requests forbid unknown fields, so a client can never slip a system field (`status`,
`registered`, `studio_id`, `paid`, ...) into an edit: it is answered 422.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backline.clock import isoformat, utcnow
from backline.customer_store import CustomerCollection
from backline.customers import CustomerStatus, StatusRequest

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
EmailText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
    Field(json_schema_extra={"format": "email"}),
]
MobileText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=32)]
NoteText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Message = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class Request(BaseModel):
    # Validators are built on first use, not at import: a cold start builds only what
    # its request needs.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Out(BaseModel):
    model_config = ConfigDict(defer_build=True)

    @classmethod
    def of(cls, source: BaseModel) -> Self:
        """The answer made of a domain object: the fields they share."""
        return cls.model_validate(source.model_dump())


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    limit: int = Field(default=25, ge=1, le=100, description="page size")
    cursor: str | None = Field(
        default=None, max_length=2048, description="next_cursor of the last page"
    )


class CustomerQuery(PageQuery):
    q: str | None = Field(default=None, max_length=200, description="name, email or mobile")
    status: CustomerStatus | None = None
    include_inactive: bool = False


class CustomerCreate(Request):
    name: Name
    email: EmailText | None = None
    mobile: MobileText | None = None
    opt_in_reminders: bool = False
    opt_in_mailing_list: bool = False


class CustomerEdit(Request):
    """Only the fields sent are changed; `email` or `mobile` sent as null are cleared."""

    name: Name | None = None
    email: EmailText | None = None
    mobile: MobileText | None = None
    opt_in_reminders: bool | None = None
    opt_in_mailing_list: bool | None = None


class StatusSet(Request):
    status: StatusRequest
    customer_message: Message | None = None


class NoteCreate(Request):
    text: NoteText


class NoteEdit(Request):
    text: NoteText


class CustomerOut(Out):
    customer_id: str
    name: str
    email: str | None
    mobile: str | None
    status: CustomerStatus
    registered: bool
    customer_message: str | None
    opt_in_reminders: bool
    opt_in_mailing_list: bool
    active: bool
    created_at: str
    updated_at: str
    version: int


class NoteOut(Out):
    note_id: str
    text: str
    author: str | None
    created_at: str
    updated_at: str


class StatusChangeOut(Out):
    status: StatusRequest
    customer_message: str | None
    changed_by: str
    changed_at: str


class PublicBookingOut(Out):
    """A booking as the customer who made it sees it: no staff notes."""

    booking_id: str
    customer_id: str
    room_id: str
    starts_at: str
    ends_at: str
    price: int
    discount: int
    amount_due: int
    currency: str
    coupon_id: str | None
    status: Literal["confirmed", "cancelled"]
    payment_status: Literal["unpaid", "paid"]
    payment_request_id: str | None
    created_at: str


class BookingOut(PublicBookingOut):
    """A booking as staff see it, with the customer's staff notes as they stood."""

    customer_notes: list[NoteOut]


class BookingsOut(Out):
    current: list[BookingOut]
    history: list[BookingOut]


class CouponOut(Out):
    coupon_id: str
    code: str
    description: str | None
    percent_off: int | None
    amount_off: int | None
    active: bool
    created_at: str


class BandOut(Out):
    band_id: str
    name: str
    created_at: str


class CouponPage(Out):
    items: list[CouponOut]
    next_cursor: str | None


class BandPage(Out):
    items: list[BandOut]
    next_cursor: str | None


class BandDetailOut(BandOut):
    members: list[str] = Field(description="customer ids")


class IntakeOut(Out):
    booking: PublicBookingOut
    alert: str | None = Field(description="a message for the customer, e.g. behind on payment")


class RoomOut(Out):
    room_id: str
    name: str
    hourly_rate: int


class AutoPaymentRequestsOut(Out):
    enabled: bool
    min_days_unpaid: int
    send: bool


class StudioOut(Out):
    studio_id: str
    name: str
    currency: str
    country: str
    public_signup: bool
    rooms: list[RoomOut]
    auto_payment_requests: AutoPaymentRequestsOut
    version: int
    updated_at: str | None


class PaymentRequestSummary(Out):
    payment_request_id: str
    status: str
    total: int
    currency: str
    created_at: str


class CustomerDetailOut(CustomerOut):
    bookings: BookingsOut
    notes: list[NoteOut]
    coupons: list[CouponOut]
    bands: list[BandOut]
    payment_requests: list[PaymentRequestSummary]
    status_history: list[StatusChangeOut]

    @classmethod
    def of_collection(cls, collection: CustomerCollection) -> CustomerDetailOut:
        """Bookings still ahead are `current`; past and cancelled ones are `history`."""
        now = isoformat(utcnow())
        ordered = sorted(collection.bookings, key=lambda booking: booking.starts_at)
        current = [b for b in ordered if b.status == "confirmed" and b.ends_at > now]
        history = [b for b in reversed(ordered) if b not in current]
        return cls.model_validate(
            {
                **collection.customer.model_dump(),
                "bookings": {
                    "current": [b.model_dump() for b in current],
                    "history": [b.model_dump() for b in history],
                },
                "notes": [note.model_dump() for note in collection.notes],
                "coupons": [coupon.model_dump() for coupon in collection.coupons],
                "bands": [band.model_dump() for band in collection.bands],
                "payment_requests": collection.payment_requests,
                "status_history": [c.model_dump() for c in collection.status_history],
            }
        )


class CustomerPage(Out):
    items: list[CustomerOut]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page")


class Deleted(Out):
    deleted: Literal["soft", "hard"]
