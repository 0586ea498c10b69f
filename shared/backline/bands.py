"""Bands: customers grouped under a name (the people who rehearse together)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

from backline import keys
from backline.clock import isoformat, new_id, utcnow
from backline.coupons import query_prefix
from backline.cursor import CursorSigner
from backline.dynamo import (
    Transaction,
    TransactionFailedError,
    delete_existing,
    deserialize,
    query_all,
    serialize,
    values,
)
from backline.dynamo import run as run_transaction
from backline.errors import NotFoundError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

BandName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Band(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    band_id: str
    name: str
    created_at: str


class BandCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: BandName


def band_from_item(item: dict[str, Any]) -> Band:
    return Band.model_validate({name: item[name] for name in Band.model_fields if name in item})


class BandStore:
    def __init__(self, client: DynamoDBClient, table: str, cursors: CursorSigner) -> None:
        self._client = client
        self._table = table
        self._cursors = cursors

    def create(self, studio_id: str, name: str) -> Band:
        band = Band(band_id=new_id("band"), name=name, created_at=isoformat(utcnow()))
        self._client.put_item(
            TableName=self._table,
            Item=serialize(
                {**keys.band_key(studio_id, band.band_id), "type": "band", **band.model_dump()}
            ),
            ConditionExpression="attribute_not_exists(PK)",
        )
        return band

    def get(self, studio_id: str, band_id: str) -> Band:
        response = self._client.get_item(
            TableName=self._table,
            Key=serialize(keys.band_key(studio_id, band_id)),
            ConsistentRead=True,
        )
        if "Item" not in response:
            raise NotFoundError(f"band {band_id} not found")
        return band_from_item(deserialize(response["Item"]))

    def page(self, studio_id: str, limit: int, cursor: str | None) -> tuple[list[Band], str | None]:
        items, next_cursor = query_prefix(
            self._client, self._table, self._cursors, studio_id, keys.BAND_PREFIX, limit, cursor
        )
        return [band_from_item(item) for item in items], next_cursor

    def members(self, studio_id: str, band_id: str) -> list[str]:
        """Customer ids in the band (through the index, so read a moment behind writes)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.LOOKUP_INDEX,
            "KeyConditionExpression": "GSI3PK = :pk",
            "ExpressionAttributeValues": values(pk=keys.band_members_pk(studio_id, band_id)),
        }
        return [str(item["customer_id"]) for item in query_all(self._client, request)]

    def add_member(self, studio_id: str, band_id: str, customer_id: str) -> Band:
        band = self.get(studio_id, band_id)
        tx = Transaction(self._table)
        tx.check(keys.customer_key(studio_id, customer_id), condition="attribute_exists(PK)")
        tx.put(
            {
                **keys.membership_key(studio_id, customer_id, band_id),
                "type": "band_membership",
                "GSI3PK": keys.band_members_pk(studio_id, band_id),
                "GSI3SK": f"MEMBER#{customer_id}",
                "customer_id": customer_id,
                **band.model_dump(),
                "joined_at": isoformat(utcnow()),
            }
        )
        try:
            run_transaction(self._client, tx)
        except TransactionFailedError as error:
            raise NotFoundError(f"customer {customer_id} not found") from error
        return band

    def remove_member(self, studio_id: str, band_id: str, customer_id: str) -> None:
        key = keys.membership_key(studio_id, customer_id, band_id)
        if not delete_existing(self._client, self._table, key):
            raise NotFoundError(f"customer {customer_id} is not in band {band_id}")
