"""Making bookings: by staff for a known customer, or through the public booking page,
which finds the customer by email or makes a guest.

Every booking is written in one transaction that also checks what the decision rested
on: the customer's version (a ban written meanwhile bumps it), that the email is not
blocked, and that the applied coupon is still active. If any of them moved, the whole
decision is taken again from fresh reads, so a booking is never written for a customer
who was banned after we looked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from backline import keys
from backline.bookings import (
    Booking,
    BookingStore,
    PublicBookingRequest,
    StaffBookingRequest,
    booking_item,
    check_slot,
    price_of,
)
from backline.clock import isoformat, new_id, utcnow
from backline.coupons import Coupon, best_coupon
from backline.customer_store import (
    CustomerCollection,
    CustomerStore,
    EmailTakenError,
    block_message,
)
from backline.customers import (
    Customer,
    Restriction,
    blocking_key,
    fold_email,
    normalize_email,
    normalize_mobile,
)
from backline.dynamo import Transaction, TransactionFailedError, deserialize, serialize, values
from backline.dynamo import run as run_transaction
from backline.errors import BookingRefusedError, ConflictError, InvalidInputError, NotFoundError
from backline.studios import Studio, StudioStore, studio_from_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

ATTEMPTS = 3  # fresh decisions after the customer changed under us
BANNED_MESSAGE = "This studio cannot take your booking online. Please contact the studio."
BEHIND_MESSAGE = "Your account is behind on payment. Please settle it with the studio."
MEMBERS_ONLY = (
    "This studio takes online bookings from its existing customers only. "
    "Please contact the studio to book."
)


@dataclass(frozen=True)
class Wanted:
    """What is asked for: a room, a slot, and who asks (`public` or `staff:{sub}`)."""

    room_id: str
    starts_at: datetime
    ends_at: datetime
    by: str


@dataclass(frozen=True)
class Intake:
    booking: Booking
    alert: str | None


@dataclass
class _Riders:
    """Indexes, in the transaction, of the checks that guard a booking's decision."""

    customer: int | None = None
    blocked: int | None = None
    coupon: int | None = None


def refuse_if_banned(customer: Customer) -> None:
    if customer.restriction in (Restriction.BANNED, Restriction.BANNED_BLOCKED_EMAIL):
        raise BookingRefusedError(customer.customer_message or BANNED_MESSAGE)


def alert_for(customer: Customer) -> str | None:
    if customer.restriction is Restriction.BEHIND_PAYMENT:
        return customer.customer_message or BEHIND_MESSAGE
    return None


class BookingService:
    def __init__(
        self,
        client: DynamoDBClient,
        table: str,
        studios: StudioStore,
        customers: CustomerStore,
        bookings: BookingStore,
    ) -> None:
        self._client = client
        self._table = table
        self.studios = studios
        self.customers = customers
        self.bookings = bookings

    # ------------------------------------------------------------ staff

    def book_for_customer(self, studio_id: str, request: StaffBookingRequest, by: str) -> Intake:
        check_slot(request.starts_at, request.ends_at)
        wanted = Wanted(request.room_id, request.starts_at, request.ends_at, by)
        excluded: set[str] = set()
        for _ in range(ATTEMPTS):
            studio = self.studios.get(studio_id)
            done = self._book_known(studio, request.customer_id, wanted, excluded)
            if done is not None:
                return done
        raise ConflictError("the customer kept changing while booking; please try again")

    # ------------------------------------------------------------ public

    def intake(self, studio_id: str, request: PublicBookingRequest) -> Intake:
        """Book through the studio's public page: find the customer by email or add a guest."""
        email = normalize_email(request.email)
        check_slot(request.starts_at, request.ends_at)
        wanted = Wanted(request.room_id, request.starts_at, request.ends_at, "public")
        excluded: set[str] = set()
        for _ in range(ATTEMPTS):
            studio, holder, block = self._read_for_intake(studio_id, email)
            refusal = block_message(block)
            if refusal is not None:
                raise BookingRefusedError(refusal or BANNED_MESSAGE)
            if holder is not None:
                done = self._book_known(studio, holder, wanted, excluded)
            else:
                done = self._book_guest(studio, email, request, wanted)
            if done is not None:
                return done
        raise ConflictError("the customer kept changing while booking; please try again")

    def _book_known(
        self, studio: Studio, customer_id: str, wanted: Wanted, excluded: set[str]
    ) -> Intake | None:
        """Book for an existing customer; None when what we read changed before we wrote."""
        collection = self.customers.collection(studio.studio_id, customer_id)
        customer = collection.customer
        if not customer.active:
            raise ConflictError(f"customer {customer.customer_id} was deleted")
        refuse_if_banned(customer)
        booking, coupon = compose(studio, collection, wanted, excluded)
        tx = Transaction(self._table)
        riders = self._riders(tx, customer, coupon)
        tx.put(booking_item(booking), condition="attribute_not_exists(PK)")
        if self._committed(tx, riders, coupon, excluded):
            return Intake(booking, alert_for(customer))
        return None

    def _book_guest(
        self, studio: Studio, email: str, request: PublicBookingRequest, wanted: Wanted
    ) -> Intake | None:
        if not studio.public_signup:
            raise BookingRefusedError(MEMBERS_ONLY)
        now = isoformat(utcnow())
        customer = Customer(
            studio_id=studio.studio_id,
            customer_id=new_id("cus"),
            name=" ".join(request.name.split()),
            email=email,
            mobile=normalize_mobile(request.mobile, studio.country) if request.mobile else None,
            created_at=now,
            updated_at=now,
        )
        collection = CustomerCollection(customer=customer)
        booking, _ = compose(studio, collection, wanted, set())
        tx = Transaction(self._table)
        riders = _Riders(blocked=self._check_not_blocked(tx, customer))
        tx.put(booking_item(booking), condition="attribute_not_exists(PK)")
        try:
            self.customers.create(customer, transaction=tx)
        except EmailTakenError:
            return None  # someone booked with this email meanwhile: book as that customer
        except TransactionFailedError as error:
            self._refuse_if_blocked(error, riders)
            raise
        return Intake(booking, None)

    # ------------------------------------------------------------ the guards

    def _riders(self, tx: Transaction, customer: Customer, coupon: Coupon | None) -> _Riders:
        riders = _Riders()
        riders.customer = tx.check(
            keys.customer_key(customer.studio_id, customer.customer_id),
            condition="version = :version AND active = :yes",
            vals=values(version=customer.version, yes=True),
        )
        riders.blocked = self._check_not_blocked(tx, customer)
        if coupon is not None:
            riders.coupon = tx.check(
                keys.coupon_key(customer.studio_id, coupon.coupon_id),
                condition="active = :yes",
                vals=values(yes=True),
            )
        return riders

    def _check_not_blocked(self, tx: Transaction, customer: Customer) -> int | None:
        if not customer.email:
            return None
        return tx.check(
            keys.blocked_key(customer.studio_id, blocking_key(customer.email)),
            condition="attribute_not_exists(holders)",
            return_old_on_failure=True,
        )

    def _committed(
        self, tx: Transaction, riders: _Riders, coupon: Coupon | None, excluded: set[str]
    ) -> bool:
        """Run the booking's transaction: True when written, False to decide again."""
        try:
            run_transaction(self._client, tx)
        except TransactionFailedError as error:
            self._refuse_if_blocked(error, riders)
            if coupon is not None and riders.coupon is not None and error.failed(riders.coupon):
                excluded.add(coupon.coupon_id)
                return False
            if riders.customer is not None and error.failed(riders.customer):
                return False
            raise
        return True

    @staticmethod
    def _refuse_if_blocked(error: TransactionFailedError, riders: _Riders) -> None:
        if riders.blocked is not None and error.failed(riders.blocked):
            refusal = block_message(error.old_item(riders.blocked))
            raise BookingRefusedError(refusal or BANNED_MESSAGE)

    def _read_for_intake(
        self, studio_id: str, email: str
    ) -> tuple[Studio, str | None, dict[str, Any] | None]:
        """The studio, the email's customer and any block on it: one BatchGetItem."""
        wanted = {
            "studio": keys.studio_key(studio_id),
            "holder": keys.email_guard_key(studio_id, fold_email(email)),
            "block": keys.blocked_key(studio_id, blocking_key(email)),
        }
        request: dict[str, Any] = {
            self._table: {
                "Keys": [serialize(key) for key in wanted.values()],
                "ConsistentRead": True,
            }
        }
        found: dict[tuple[str, str], dict[str, Any]] = {}
        while request:
            response = self._client.batch_get_item(RequestItems=request)
            for raw in response.get("Responses", {}).get(self._table, []):
                item = deserialize(raw)
                found[(item["PK"], item["SK"])] = item
            request = dict(response.get("UnprocessedKeys") or {})

        def pick(name: str) -> dict[str, Any] | None:
            key = wanted[name]
            return found.get((key["PK"], key["SK"]))

        studio_item = pick("studio")
        if studio_item is None:
            raise NotFoundError(f"studio {studio_id} not found")
        holder = pick("holder")
        studio = studio_from_item(studio_item)
        return studio, (str(holder["customer_id"]) if holder else None), pick("block")


def compose(
    studio: Studio, collection: CustomerCollection, wanted: Wanted, excluded: set[str]
) -> tuple[Booking, Coupon | None]:
    """The booking the studio's rates and the customer's coupons make of this slot."""
    room = studio.room(wanted.room_id)
    if room is None:
        raise InvalidInputError(f"the studio has no room {wanted.room_id}", field="room_id")
    check_slot(wanted.starts_at, wanted.ends_at)
    price = price_of(room, wanted.starts_at, wanted.ends_at)
    held = [coupon for coupon in collection.coupons if coupon.coupon_id not in excluded]
    coupon = best_coupon(held, price)
    discount = coupon.discount_on(price) if coupon else 0
    customer = collection.customer
    booking = Booking(
        booking_id=new_id("bkg"),
        studio_id=studio.studio_id,
        customer_id=customer.customer_id,
        room_id=room.room_id,
        starts_at=isoformat(wanted.starts_at),
        ends_at=isoformat(wanted.ends_at),
        price=price,
        discount=discount,
        amount_due=price - discount,
        currency=studio.currency,
        coupon_id=coupon.coupon_id if coupon else None,
        customer_notes=tuple(sorted(collection.notes, key=lambda note: note.created_at)),
        created_at=isoformat(utcnow()),
        created_by=wanted.by,
    )
    return booking, coupon
