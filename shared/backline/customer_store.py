"""Customers in the single table: records, guards, search lookups and staff notes.

Every customer write is one transaction that carries the customer item (conditioned on
its version), the email guard that keeps one active customer per email, and the search
lookup items, so the three can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from backline import keys
from backline.bands import Band, band_from_item
from backline.bookings import Booking, booking_from_item
from backline.coupons import Coupon, coupon_from_item
from backline.cursor import CursorSigner
from backline.customers import (
    Customer,
    Note,
    StatusChange,
    fold_email,
    query_tokens,
    sort_name,
)
from backline.dynamo import (
    Transaction,
    TransactionFailedError,
    delete_existing,
    deserialize,
    is_condition_failure,
    query_all,
    query_page,
    serialize,
    values,
)
from backline.dynamo import run as run_transaction
from backline.errors import ConflictError, NotFoundError, StaleVersionError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

CUSTOMER_FIELDS = tuple(Customer.model_fields)
NOTE_FIELDS = tuple(Note.model_fields)


@dataclass(frozen=True)
class Page:
    items: list[Customer]
    next_cursor: str | None


@dataclass
class CustomerCollection:
    """Everything the customer's item collection holds, read by one Query."""

    customer: Customer
    notes: list[Note] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)
    coupons: list[Coupon] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    status_history: list[StatusChange] = field(default_factory=list)
    payment_requests: list[dict[str, Any]] = field(default_factory=list)


def customer_item(customer: Customer) -> dict[str, Any]:
    listed = keys.customer_list_sk(customer.active, sort_name(customer.name), customer.customer_id)
    return {
        **keys.customer_key(customer.studio_id, customer.customer_id),
        "type": "customer",
        "GSI1PK": keys.customers_pk(customer.studio_id),
        "GSI1SK": listed,
        "GSI2PK": keys.status_pk(customer.studio_id, customer.status.value),
        "GSI2SK": listed,
        **customer.model_dump(mode="json"),
    }


def customer_from_item(item: dict[str, Any]) -> Customer:
    return Customer.model_validate({name: item[name] for name in CUSTOMER_FIELDS if name in item})


def note_from_item(item: dict[str, Any]) -> Note:
    return Note.model_validate({name: item[name] for name in NOTE_FIELDS if name in item})


class CustomerStore:
    def __init__(self, client: DynamoDBClient, table: str, cursors: CursorSigner) -> None:
        self._client = client
        self._table = table
        self._cursors = cursors

    # ------------------------------------------------------------ reads

    def get(self, studio_id: str, customer_id: str) -> Customer:
        response = self._client.get_item(
            TableName=self._table,
            Key=serialize(keys.customer_key(studio_id, customer_id)),
            ConsistentRead=True,
        )
        if "Item" not in response:
            raise NotFoundError(f"customer {customer_id} not found")
        return customer_from_item(deserialize(response["Item"]))

    def collection(self, studio_id: str, customer_id: str) -> CustomerCollection:
        """The customer and everything filed under them: one Query (more only past 1 MB)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": values(pk=keys.customer_pk(studio_id, customer_id)),
            "ConsistentRead": True,
        }
        return _collection_from_items(customer_id, query_all(self._client, request))

    def find_by_email(self, studio_id: str, email: str) -> str | None:
        """The id of the studio's active customer with this email (case-insensitive)."""
        response = self._client.get_item(
            TableName=self._table,
            Key=serialize(keys.email_guard_key(studio_id, fold_email(email))),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return str(deserialize(item)["customer_id"]) if item else None

    def list_page(
        self,
        studio_id: str,
        *,
        status: str | None,
        include_inactive: bool,
        limit: int,
        cursor: str | None,
    ) -> Page:
        index, pk = (
            (keys.STATUS_INDEX, keys.status_pk(studio_id, status))
            if status
            else (keys.LIST_INDEX, keys.customers_pk(studio_id))
        )
        scope = f"list|{studio_id}|{status}|{include_inactive}"
        condition = f"{index}PK = :pk"
        vals: dict[str, Any] = {"pk": pk}
        if not include_inactive:
            condition += f" AND begins_with({index}SK, :active)"
            vals["active"] = keys.ACTIVE
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values(**vals),
            "Limit": limit,
        }
        items, next_cursor = query_page(self._client, request, self._cursors, scope, cursor)
        return Page([customer_from_item(item) for item in items], next_cursor)

    def search(
        self,
        studio_id: str,
        query: str,
        *,
        status: str | None,
        include_inactive: bool,
        limit: int,
        cursor: str | None,
    ) -> Page:
        """One Query over the lookup items of the query's longest word; its other words
        narrow the page. The cost follows the matches, not the size of the studio."""
        tokens = query_tokens(query)
        if not tokens:
            return Page([], None)
        lead = max(tokens, key=len)
        scope = f"search|{studio_id}|{query}|{status}|{include_inactive}"
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :token)",
            "ExpressionAttributeValues": values(pk=keys.lookup_pk(studio_id), token=lead),
            "Limit": limit,
        }
        items, next_cursor = query_page(self._client, request, self._cursors, scope, cursor)
        seen: set[str] = set()
        found: list[Customer] = []
        for item in items:
            customer = customer_from_item(item["customer"])
            if customer.customer_id in seen:
                continue
            seen.add(customer.customer_id)
            if not include_inactive and not customer.active:
                continue
            if status and customer.status.value != status:
                continue
            if not _matches_all(customer, tokens):
                continue
            found.append(customer)
        return Page(found, next_cursor)

    # ------------------------------------------------------------ writes

    def create(self, customer: Customer, transaction: Transaction | None = None) -> None:
        """Write a new customer with its guard and lookups, in one transaction.

        Raises ConflictError naming the active customer who already has the email.
        """
        tx = transaction or Transaction(self._table)
        record = tx.put(customer_item(customer), condition="attribute_not_exists(PK)")
        guard = self._put_email_guard(tx, customer)
        self._put_lookups(tx, customer, removed=set())
        self._run(tx, customer, record, guard)

    def save(
        self,
        before: Customer,
        after: Customer,
        transaction: Transaction | None = None,
    ) -> None:
        """Replace `before` with `after` if nobody changed it meanwhile (same version).

        `after.version` must be `before.version + 1`. Extra writes that must happen only
        together with this one ride in `transaction`.
        """
        tx = transaction or Transaction(self._table)
        record = tx.put(
            customer_item(after),
            condition="attribute_exists(PK) AND version = :version",
            vals=values(version=before.version),
        )
        guard = None
        if before.email_fold != after.email_fold or before.active != after.active:
            if before.email_fold and before.active:
                tx.delete(
                    keys.email_guard_key(after.studio_id, before.email_fold),
                    condition="customer_id = :id",
                    vals=values(id=after.customer_id),
                )
            guard = self._put_email_guard(tx, after)
        self._put_lookups(tx, after, removed=before.search_tokens() - after.search_tokens())
        self._run(tx, after, record, guard)

    def delete(self, customer: Customer, collection_keys: list[dict[str, str]]) -> None:
        """Remove a customer who never booked: the record, its guard, lookups and notes."""
        tx = Transaction(self._table)
        record = tx.delete(
            keys.customer_key(customer.studio_id, customer.customer_id),
            condition="version = :version",
            vals=values(version=customer.version),
        )
        for key in collection_keys:
            tx.delete(key)
        if customer.email_fold and customer.active:
            tx.delete(keys.email_guard_key(customer.studio_id, customer.email_fold))
        if customer.blocked_key:
            self._leave_block(tx, customer.studio_id, customer.blocked_key, customer.customer_id)
        for token in customer.search_tokens():
            tx.delete(keys.lookup_key(customer.studio_id, token, customer.customer_id))
        self._run(tx, customer, record, None)

    def set_status(self, before: Customer, after: Customer, change: StatusChange) -> None:
        """Save a status change with its record and the blocked-email guard it implies.

        One guard may stand for several customers whose emails fold to the same blocking
        key: it holds the set of customers who block it, and blocks while that set is not
        empty, so lifting one ban never lifts another's block.
        """
        studio_id, customer_id = after.studio_id, after.customer_id
        tx = Transaction(self._table)
        tx.put(
            {
                **keys.status_change_key(studio_id, customer_id, change.changed_at),
                "type": "status_change",
                **change.model_dump(mode="json"),
            }
        )
        if before.blocked_key and before.blocked_key != after.blocked_key:
            self._leave_block(tx, studio_id, before.blocked_key, customer_id)
        if after.blocked_key:
            tx.update(
                keys.blocked_key(studio_id, after.blocked_key),
                "ADD holders :me SET #message = :message, #type = :type",
                names={"#message": f"message#{customer_id}", "#type": "type"},
                vals=values(
                    me={customer_id}, message=after.customer_message or "", type="blocked_email"
                ),
            )
        self.save(before, after, transaction=tx)

    @staticmethod
    def _leave_block(tx: Transaction, studio_id: str, blocked: str, customer_id: str) -> None:
        tx.update(
            keys.blocked_key(studio_id, blocked),
            "DELETE holders :me REMOVE #message",
            names={"#message": f"message#{customer_id}"},
            vals=values(me={customer_id}),
        )

    # ------------------------------------------------------------ notes

    def add_note(self, studio_id: str, customer_id: str, note: Note) -> None:
        tx = Transaction(self._table)
        tx.check(keys.customer_key(studio_id, customer_id), condition="attribute_exists(PK)")
        tx.put(
            {
                **keys.note_key(studio_id, customer_id, note.note_id),
                "type": "note",
                **note.model_dump(mode="json"),
            },
            condition="attribute_not_exists(PK)",
        )
        try:
            run_transaction(self._client, tx)
        except TransactionFailedError as error:
            raise NotFoundError(f"customer {customer_id} not found") from error

    def edit_note(self, studio_id: str, customer_id: str, note_id: str, text: str, at: str) -> Note:
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=serialize(keys.note_key(studio_id, customer_id, note_id)),
                UpdateExpression="SET #text = :text, updated_at = :at",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames={"#text": "text"},
                ExpressionAttributeValues=values(text=text, at=at),
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if is_condition_failure(error):
                raise NotFoundError(f"note {note_id} not found") from error
            raise
        return note_from_item(deserialize(response["Attributes"]))

    def delete_note(self, studio_id: str, customer_id: str, note_id: str) -> None:
        key = keys.note_key(studio_id, customer_id, note_id)
        if not delete_existing(self._client, self._table, key):
            raise NotFoundError(f"note {note_id} not found")

    # ------------------------------------------------------------ helpers

    def _put_email_guard(self, tx: Transaction, customer: Customer) -> int | None:
        if not customer.email_fold or not customer.active:
            return None
        return tx.put(
            {
                **keys.email_guard_key(customer.studio_id, customer.email_fold),
                "type": "email_guard",
                "customer_id": customer.customer_id,
            },
            condition="attribute_not_exists(PK) OR customer_id = :id",
            vals=values(id=customer.customer_id),
            return_old_on_failure=True,
        )

    def _put_lookups(self, tx: Transaction, customer: Customer, removed: set[str]) -> None:
        summary = customer.model_dump(mode="json")
        for token in sorted(removed):
            tx.delete(keys.lookup_key(customer.studio_id, token, customer.customer_id))
        for token in sorted(customer.search_tokens()):
            tx.put(
                {
                    **keys.lookup_key(customer.studio_id, token, customer.customer_id),
                    "type": "lookup",
                    "customer": summary,
                }
            )

    def _run(self, tx: Transaction, customer: Customer, record: int, guard: int | None) -> None:
        """Run the write; a failed guard is a taken email, a failed record a stale version.
        Other failed conditions (riders in the transaction) reach the caller as they are."""
        try:
            run_transaction(self._client, tx)
        except TransactionFailedError as error:
            if guard is not None and error.failed(guard):
                raise EmailTakenError(
                    self._email_taken(customer, error.old_item(guard)), error
                ) from error
            if error.failed(record):
                raise StaleVersionError(
                    f"customer {customer.customer_id} was changed by someone else; "
                    "reload it and try again"
                ) from error
            raise

    def _email_taken(self, customer: Customer, guard: dict[str, Any] | None) -> str:
        holder = guard.get("customer_id") if guard else None
        if holder is None and customer.email:
            holder = self.find_by_email(customer.studio_id, customer.email)
        return f"an active customer already has the email {customer.email}: {holder}"


def block_message(guard: dict[str, Any] | None) -> str | None:
    """The message a blocked email is refused with, or None when nobody blocks it."""
    holders = sorted((guard or {}).get("holders") or [])
    if not holders or guard is None:
        return None
    return next((str(guard[f"message#{h}"]) for h in holders if guard.get(f"message#{h}")), "")


class EmailTakenError(ConflictError):
    """Another active customer of the studio holds the email."""

    def __init__(self, detail: str, cause: TransactionFailedError) -> None:
        super().__init__(detail)
        self.cause = cause


def _matches_all(customer: Customer, tokens: list[str]) -> bool:
    own = customer.search_tokens()
    return all(any(word.startswith(token) for word in own) for token in tokens)


def _collection_from_items(customer_id: str, items: list[dict[str, Any]]) -> CustomerCollection:
    customer_items = [item for item in items if item["SK"] == keys.CUSTOMER_SK]
    if not customer_items:
        raise NotFoundError(f"customer {customer_id} not found")
    collection = CustomerCollection(customer=customer_from_item(customer_items[0]))
    for item in items:
        sk: str = item["SK"]
        if sk.startswith(keys.NOTE_PREFIX):
            collection.notes.append(note_from_item(item))
        elif sk.startswith(keys.BOOKING_PREFIX):
            collection.bookings.append(booking_from_item(item))
        elif sk.startswith(keys.COUPON_PREFIX):
            collection.coupons.append(coupon_from_item(item))
        elif sk.startswith(keys.BAND_PREFIX):
            collection.bands.append(band_from_item(item))
        elif sk.startswith(keys.STATUS_PREFIX):
            collection.status_history.append(
                StatusChange.model_validate(
                    {name: item.get(name) for name in StatusChange.model_fields}
                )
            )
    return collection
