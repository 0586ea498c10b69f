"""Coupons: a studio's discounts, assigned to customers, applied to their bookings by
themselves (no promo code to type)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Self

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from backline import keys
from backline.clock import isoformat, new_id, utcnow
from backline.cursor import CursorSigner
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
from backline.errors import ConflictError, InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z0-9_-]{2,32}$"),
]


class Coupon(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    coupon_id: str
    code: str
    description: str | None = None
    percent_off: int | None = None
    amount_off: int | None = None
    active: bool = True
    created_at: str

    def discount_on(self, price: int) -> int:
        """The discount this coupon gives on a price, never more than the price."""
        if self.percent_off is not None:
            return min(price, (price * self.percent_off + 50) // 100)
        return min(price, self.amount_off or 0)


class CouponCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    code: Code
    percent_off: int | None = Field(default=None, ge=1, le=100)
    amount_off: int | None = Field(default=None, ge=1, le=10_000_000)
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = (
        None
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        if (self.percent_off is None) == (self.amount_off is None):
            raise ValueError("give exactly one of percent_off and amount_off")
        return self


class CouponEdit(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    active: bool | None = None
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = (
        None
    )


def best_coupon(coupons: list[Coupon], price: int) -> Coupon | None:
    """Of the coupons a customer holds, the one that takes the most off this price."""
    usable = [coupon for coupon in coupons if coupon.active and coupon.discount_on(price) > 0]
    return max(
        usable, key=lambda coupon: (coupon.discount_on(price), coupon.coupon_id), default=None
    )


def coupon_from_item(item: dict[str, Any]) -> Coupon:
    return Coupon.model_validate({name: item[name] for name in Coupon.model_fields if name in item})


class CouponStore:
    def __init__(self, client: DynamoDBClient, table: str, cursors: CursorSigner) -> None:
        self._client = client
        self._table = table
        self._cursors = cursors

    def create(self, studio_id: str, data: CouponCreate) -> Coupon:
        coupon = Coupon(
            coupon_id=new_id("cpn"),
            code=data.code,
            description=data.description,
            percent_off=data.percent_off,
            amount_off=data.amount_off,
            created_at=isoformat(utcnow()),
        )
        tx = Transaction(self._table)
        tx.put(
            {
                **keys.coupon_key(studio_id, coupon.coupon_id),
                "type": "coupon",
                **coupon.model_dump(),
            },
            condition="attribute_not_exists(PK)",
        )
        tx.put(
            {**keys.coupon_code_key(studio_id, coupon.code), "coupon_id": coupon.coupon_id},
            condition="attribute_not_exists(PK)",
        )
        try:
            run_transaction(self._client, tx)
        except TransactionFailedError as error:
            raise ConflictError(f"the studio already has a coupon {coupon.code}") from error
        return coupon

    def get(self, studio_id: str, coupon_id: str) -> Coupon:
        response = self._client.get_item(
            TableName=self._table,
            Key=serialize(keys.coupon_key(studio_id, coupon_id)),
            ConsistentRead=True,
        )
        if "Item" not in response:
            raise NotFoundError(f"coupon {coupon_id} not found")
        return coupon_from_item(deserialize(response["Item"]))

    def edit(self, studio_id: str, coupon_id: str, data: CouponEdit) -> Coupon:
        """Change a coupon, and the copies its holders carry (which bookings read)."""
        sets = {name: getattr(data, name) for name in data.model_fields_set}
        if not sets:
            return self.get(studio_id, coupon_id)
        if not self._update(keys.coupon_key(studio_id, coupon_id), sets):
            raise NotFoundError(f"coupon {coupon_id} not found")
        for customer_id in self._holders(studio_id, coupon_id):
            self._update(keys.coupon_assignment_key(studio_id, customer_id, coupon_id), sets)
        return self.get(studio_id, coupon_id)

    def _update(self, key: dict[str, str], sets: dict[str, Any]) -> bool:
        """Set fields on an item if it still exists; False when it does not."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=serialize(key),
                UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in sets),
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames={f"#{name}": name for name in sets},
                ExpressionAttributeValues=values(**sets),
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def _holders(self, studio_id: str, coupon_id: str) -> list[str]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.LOOKUP_INDEX,
            "KeyConditionExpression": "GSI3PK = :pk",
            "ExpressionAttributeValues": values(pk=keys.coupon_holders_pk(studio_id, coupon_id)),
        }
        return [str(item["customer_id"]) for item in query_all(self._client, request)]

    def page(
        self, studio_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Coupon], str | None]:
        items, next_cursor = query_prefix(
            self._client, self._table, self._cursors, studio_id, keys.COUPON_PREFIX, limit, cursor
        )
        return [coupon_from_item(item) for item in items], next_cursor

    def assign(self, studio_id: str, customer_id: str, coupon_id: str) -> Coupon:
        coupon = self.get(studio_id, coupon_id)
        if not coupon.active:
            raise InvalidInputError(f"coupon {coupon.code} is not active", field="coupon_id")
        tx = Transaction(self._table)
        tx.check(keys.customer_key(studio_id, customer_id), condition="attribute_exists(PK)")
        tx.put(
            {
                **keys.coupon_assignment_key(studio_id, customer_id, coupon_id),
                "type": "coupon_assignment",
                "GSI3PK": keys.coupon_holders_pk(studio_id, coupon_id),
                "GSI3SK": f"HOLDER#{customer_id}",
                "customer_id": customer_id,
                **coupon.model_dump(),
                "assigned_at": isoformat(utcnow()),
            }
        )
        try:
            run_transaction(self._client, tx)
        except TransactionFailedError as error:
            raise NotFoundError(f"customer {customer_id} not found") from error
        return coupon

    def unassign(self, studio_id: str, customer_id: str, coupon_id: str) -> None:
        key = keys.coupon_assignment_key(studio_id, customer_id, coupon_id)
        if not delete_existing(self._client, self._table, key):
            raise NotFoundError(f"coupon {coupon_id} is not assigned to this customer")


def query_prefix(
    client: DynamoDBClient,
    table: str,
    cursors: CursorSigner,
    studio_id: str,
    prefix: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a studio's items of one kind (coupons, bands)."""
    request: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": values(pk=keys.studio_pk(studio_id), prefix=prefix),
        "Limit": limit,
    }
    return query_page(client, request, cursors, f"{prefix}|{studio_id}", cursor)
