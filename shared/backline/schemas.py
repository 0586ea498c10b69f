"""Request and response bodies of the HTTP API (what the OpenAPI document describes).

Requests forbid unknown fields, so a client can never slip a system field (`status`,
`registered`, `studio_id`, `paid`, ...) into an edit: it is answered 422.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backline.customers import Customer, CustomerStatus, Note, StatusRequest

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
EmailText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
MobileText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=32)]
NoteText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Message = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


class CustomerOut(BaseModel):
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

    @classmethod
    def of(cls, customer: Customer) -> CustomerOut:
        return cls(
            customer_id=customer.customer_id,
            name=customer.name,
            email=customer.email,
            mobile=customer.mobile,
            status=customer.status,
            registered=customer.registered,
            customer_message=customer.customer_message,
            opt_in_reminders=customer.opt_in_reminders,
            opt_in_mailing_list=customer.opt_in_mailing_list,
            active=customer.active,
            created_at=customer.created_at,
            updated_at=customer.updated_at,
            version=customer.version,
        )


class NoteOut(BaseModel):
    note_id: str
    text: str
    author: str | None
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, note: Note) -> NoteOut:
        return cls.model_validate(note.model_dump())


class StatusChangeOut(BaseModel):
    status: StatusRequest
    customer_message: str | None
    changed_by: str
    changed_at: str


class BookingOut(BaseModel):
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
    customer_notes: list[NoteOut]
    created_at: str


class BookingsOut(BaseModel):
    current: list[BookingOut]
    history: list[BookingOut]


class CouponOut(BaseModel):
    coupon_id: str
    code: str
    description: str | None
    percent_off: int | None
    amount_off: int | None
    active: bool
    created_at: str


class BandOut(BaseModel):
    band_id: str
    name: str
    created_at: str


class CouponPage(BaseModel):
    items: list[CouponOut]
    next_cursor: str | None


class BandPage(BaseModel):
    items: list[BandOut]
    next_cursor: str | None


class BandDetailOut(BandOut):
    members: list[str] = Field(description="customer ids")


class IntakeOut(BaseModel):
    booking: BookingOut
    alert: str | None = Field(description="a message for the customer, e.g. behind on payment")


class RoomOut(BaseModel):
    room_id: str
    name: str
    hourly_rate: int


class AutoPaymentRequestsOut(BaseModel):
    enabled: bool
    min_days_unpaid: int
    send: bool


class StudioOut(BaseModel):
    studio_id: str
    name: str
    currency: str
    country: str
    public_signup: bool
    rooms: list[RoomOut]
    auto_payment_requests: AutoPaymentRequestsOut
    version: int
    updated_at: str | None


class PaymentRequestSummary(BaseModel):
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


class CustomerPage(BaseModel):
    items: list[CustomerOut]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page")


class Deleted(BaseModel):
    deleted: Literal["soft", "hard"]


class Problem(BaseModel):
    """RFC 9457 problem document; 422 answers add `errors`."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, object]] | None = None
