"""Customer operations: what staff can do to a studio's customer records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from backline import keys
from backline.clock import isoformat, new_id, utcnow
from backline.customer_store import CustomerCollection, CustomerStore, Page
from backline.customers import (
    Customer,
    Note,
    Restriction,
    StatusChange,
    StatusRequest,
    blocking_key,
    normalize_email,
    normalize_mobile,
)
from backline.errors import ConflictError, InvalidInputError, require_version
from backline.studios import StudioStore

if TYPE_CHECKING:
    from backline.schemas import CustomerCreate, CustomerEdit, CustomerQuery, StatusSet


@dataclass(frozen=True)
class Contact:
    email: str | None
    mobile: str | None


class CustomerService:
    def __init__(self, store: CustomerStore, studios: StudioStore) -> None:
        self.store = store
        self.studios = studios

    def contact(self, studio_id: str, email: str | None, mobile: str | None) -> Contact:
        return Contact(
            email=normalize_email(email) if email else None,
            mobile=self._mobile(studio_id, mobile) if mobile else None,
        )

    def _mobile(self, studio_id: str, mobile: str) -> str:
        """An international number needs no region; a national one is read in the studio's
        country (so the studio is read only then)."""
        if mobile.strip().startswith("+"):
            return normalize_mobile(mobile, "ZZ")
        return normalize_mobile(mobile, self.studios.get(studio_id).country)

    def create(self, studio_id: str, data: CustomerCreate) -> Customer:
        contact = self.contact(studio_id, data.email, data.mobile)
        now = isoformat(utcnow())
        customer = Customer(
            studio_id=studio_id,
            customer_id=new_id("cus"),
            name=" ".join(data.name.split()),
            email=contact.email,
            mobile=contact.mobile,
            opt_in_reminders=data.opt_in_reminders,
            opt_in_mailing_list=data.opt_in_mailing_list,
            created_at=now,
            updated_at=now,
        )
        self.store.create(customer)
        return customer

    def detail(self, studio_id: str, customer_id: str) -> CustomerCollection:
        return self.store.collection(studio_id, customer_id)

    def page(self, studio_id: str, query: CustomerQuery) -> Page:
        """A page of the list, or of a search when `q` is given."""
        status = query.status.value if query.status else None
        if query.q and query.q.strip():
            return self.store.search(
                studio_id,
                query.q,
                status=status,
                include_inactive=query.include_inactive,
                limit=query.limit,
                cursor=query.cursor,
            )
        return self.store.list_page(
            studio_id,
            status=status,
            include_inactive=query.include_inactive,
            limit=query.limit,
            cursor=query.cursor,
        )

    def edit(
        self, studio_id: str, customer_id: str, data: CustomerEdit, expected: int | None
    ) -> Customer:
        before = self.store.get(studio_id, customer_id)
        require_version(expected, before.version)
        sent = data.model_fields_set
        changes: dict[str, object] = {}
        if "name" in sent and data.name is not None:
            changes["name"] = " ".join(data.name.split())
        if "email" in sent:
            changes["email"] = self.contact(studio_id, data.email, None).email
        if "mobile" in sent:
            changes["mobile"] = self.contact(studio_id, None, data.mobile).mobile
        for flag in ("opt_in_reminders", "opt_in_mailing_list"):
            if flag in sent and getattr(data, flag) is not None:
                changes[flag] = getattr(data, flag)
        if not changes:
            return before
        after = before.model_copy(
            update={**changes, "version": before.version + 1, "updated_at": isoformat(utcnow())}
        )
        self.store.save(before, after)
        return after

    def delete(
        self, studio_id: str, customer_id: str, expected: int | None
    ) -> Literal["soft", "hard"]:
        """Customers who booked are kept inactive ("soft"); the rest are removed ("hard")."""
        collection = self.store.collection(studio_id, customer_id)
        customer = collection.customer
        require_version(expected, customer.version)
        if collection.bookings:
            if customer.active:
                after = customer.model_copy(
                    update={
                        "active": False,
                        "version": customer.version + 1,
                        "updated_at": isoformat(utcnow()),
                    }
                )
                self.store.save(customer, after)
            return "soft"
        filed = [keys.note_key(studio_id, customer_id, note.note_id) for note in collection.notes]
        filed += [
            keys.coupon_assignment_key(studio_id, customer_id, coupon.coupon_id)
            for coupon in collection.coupons
        ]
        filed += [
            keys.membership_key(studio_id, customer_id, band.band_id) for band in collection.bands
        ]
        filed += [
            keys.status_change_key(studio_id, customer_id, change.changed_at)
            for change in collection.status_history
        ]
        self.store.delete(customer, filed)
        return "hard"

    # ------------------------------------------------------------ notes

    def add_note(self, studio_id: str, customer_id: str, text: str, author: str) -> Note:
        now = isoformat(utcnow())
        note = Note(
            note_id=new_id("note"), text=text, author=author, created_at=now, updated_at=now
        )
        self.store.add_note(studio_id, customer_id, note)
        return note

    def edit_note(self, studio_id: str, customer_id: str, note_id: str, text: str) -> Note:
        return self.store.edit_note(studio_id, customer_id, note_id, text, isoformat(utcnow()))

    def delete_note(self, studio_id: str, customer_id: str, note_id: str) -> None:
        self.store.delete_note(studio_id, customer_id, note_id)

    # ------------------------------------------------------------ statuses

    def set_status(
        self, studio_id: str, customer_id: str, request: StatusSet, expected: int | None, by: str
    ) -> Customer:
        """Restrict a customer or lift it; every change is recorded with who, when, why."""
        before = self.store.get(studio_id, customer_id)
        require_version(expected, before.version)
        restriction = (
            None if request.status is StatusRequest.ACTIVE else Restriction(request.status.value)
        )
        message = (request.customer_message or None) if restriction else None
        block = None
        if restriction is Restriction.BANNED_BLOCKED_EMAIL:
            if not before.email:
                raise InvalidInputError("the customer has no email to block", field="status")
            if not self.studios.get(studio_id).public_signup:
                raise ConflictError(
                    "blocking an email needs public sign-up: without it, only existing "
                    "customers can book, so a ban already keeps them out"
                )
            block = blocking_key(before.email)
        now = isoformat(utcnow())
        after = before.model_copy(
            update={
                "restriction": restriction,
                "customer_message": message,
                "blocked_key": block,
                "version": before.version + 1,
                "updated_at": now,
            }
        )
        change = StatusChange(
            status=request.status, customer_message=message, changed_by=by, changed_at=now
        )
        self.store.set_status(before, after, change)
        return after
