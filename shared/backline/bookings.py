"""Bookings: a customer's slot in a room, priced by the studio (never by the client)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from botocore.exceptions import ClientError
from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints

from backline import keys
from backline.clock import isoformat, utcnow
from backline.customers import Note
from backline.dynamo import deserialize, is_condition_failure, serialize, values
from backline.errors import ConflictError, InvalidInputError, NotFoundError
from backline.studios import Room

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

MIN_LENGTH = timedelta(minutes=15)
MAX_LENGTH = timedelta(hours=24)

RoomRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class Booking(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    booking_id: str
    studio_id: str
    customer_id: str
    room_id: str
    starts_at: str
    ends_at: str
    price: int
    discount: int = 0
    amount_due: int
    currency: str
    coupon_id: str | None = None
    status: Literal["confirmed", "cancelled"] = "confirmed"
    payment_status: Literal["unpaid", "paid"] = "unpaid"
    payment_request_id: str | None = None
    customer_notes: tuple[Note, ...] = ()
    created_at: str
    created_by: str
    cancelled_at: str | None = None

    @property
    def owes(self) -> bool:
        return (
            self.status == "confirmed" and self.payment_status == "unpaid" and self.amount_due > 0
        )


class StaffBookingRequest(BaseModel):
    """Staff book for a known customer. There is no price field: a sent one is refused."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    customer_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    room_id: RoomRef
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class PublicBookingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
    mobile: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] | None = None
    room_id: RoomRef
    starts_at: AwareDatetime
    ends_at: AwareDatetime


def check_slot(starts_at: datetime, ends_at: datetime, now: datetime | None = None) -> None:
    """A slot must be ahead of now, forwards, and of a length a studio rents (15 min to 24 h).

    How far ahead a studio takes bookings is its own policy, not checked here."""
    moment = now or utcnow()
    if ends_at <= starts_at:
        raise InvalidInputError("ends_at must be after starts_at", field="ends_at")
    if ends_at - starts_at < MIN_LENGTH:
        raise InvalidInputError("a booking lasts at least 15 minutes", field="ends_at")
    if ends_at - starts_at > MAX_LENGTH:
        raise InvalidInputError("a booking lasts at most 24 hours", field="ends_at")
    if starts_at <= moment:
        raise InvalidInputError("starts_at is in the past", field="starts_at")


def price_of(room: Room, starts_at: datetime, ends_at: datetime) -> int:
    """The room's hourly rate for the booked time, rounded half up to the minor unit."""
    seconds = int((ends_at - starts_at).total_seconds())
    return (room.hourly_rate * seconds + 1800) // 3600


def booking_item(booking: Booking) -> dict[str, Any]:
    item: dict[str, Any] = {
        **keys.booking_key(booking.studio_id, booking.customer_id, booking.booking_id),
        "type": "booking",
        "GSI3PK": keys.booking_lookup_pk(booking.studio_id, booking.booking_id),
        "GSI3SK": "BOOKING",
        **booking.model_dump(mode="json"),
    }
    if booking.owes:
        # Sparse: only bookings that still owe money are in the sweep's index.
        item["GSI4PK"] = keys.unpaid_pk(booking.studio_id)
        item["GSI4SK"] = f"{booking.starts_at}#{booking.booking_id}"
    return item


def booking_from_item(item: dict[str, Any]) -> Booking:
    return Booking.model_validate(
        {name: item[name] for name in Booking.model_fields if name in item}
    )


class BookingStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def get(self, studio_id: str, booking_id: str) -> Booking:
        response = self._client.query(
            TableName=self._table,
            IndexName=keys.LOOKUP_INDEX,
            KeyConditionExpression="GSI3PK = :pk",
            ExpressionAttributeValues=values(pk=keys.booking_lookup_pk(studio_id, booking_id)),
        )
        items = response.get("Items", [])
        if not items:
            raise NotFoundError(f"booking {booking_id} not found")
        return booking_from_item(deserialize(items[0]))

    def cancel(self, booking: Booking) -> Booking:
        """Cancel a confirmed booking; cancelling a cancelled one changes nothing."""
        if booking.status == "cancelled":
            return booking
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=serialize(
                    keys.booking_key(booking.studio_id, booking.customer_id, booking.booking_id)
                ),
                UpdateExpression=(
                    "SET #status = :cancelled, cancelled_at = :at REMOVE GSI4PK, GSI4SK"
                ),
                ConditionExpression="attribute_exists(PK) AND #status = :confirmed",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values(
                    cancelled="cancelled", confirmed="confirmed", at=isoformat(utcnow())
                ),
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if is_condition_failure(error):
                raise ConflictError(f"booking {booking.booking_id} changed meanwhile") from error
            raise
        return booking_from_item(deserialize(response["Attributes"]))
