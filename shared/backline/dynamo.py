"""Thin helpers over the low-level DynamoDB client: (de)serialising and transactions.

The low-level client is used rather than the resource API: it starts faster and it is the
only one that does transactions. Items that carry keys never leave the store modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from backline.cursor import CursorSigner

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

_serializer = TypeSerializer()

MAX_TRANSACTION_ITEMS = 100


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(Decimal(text))


def _plain(typed: Mapping[str, Any]) -> Any:
    """One attribute value as plain Python: numbers as int (or float), sets as lists.

    boto3's TypeDeserializer builds Decimals through a strict context; on a list page of 25
    customers it was most of the handler's own time. We store no floats and no binary.
    """
    ((kind, value),) = typed.items()
    if kind in ("S", "BOOL"):
        return value
    if kind == "N":
        return _number(value)
    if kind == "M":
        return {name: _plain(inner) for name, inner in value.items()}
    if kind == "L":
        return [_plain(inner) for inner in value]
    if kind == "SS":
        return list(value)
    if kind == "NS":
        return [_number(inner) for inner in value]
    if kind == "NULL":
        return None
    raise ValueError(f"Backline stores no {kind} attributes")


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in item.items() if value is not None}


def deserialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _plain(value) for name, value in item.items()}


def values(**named: Any) -> dict[str, Any]:
    """ExpressionAttributeValues from keyword arguments: values(v=1) -> {':v': {'N': '1'}}."""
    return {f":{name}": _serializer.serialize(value) for name, value in named.items()}


class Transaction:
    """Collects the writes of one TransactWriteItems call."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.items: list[TransactWriteItemTypeDef] = []

    def put(
        self,
        item: Mapping[str, Any],
        condition: str | None = None,
        names: dict[str, str] | None = None,
        vals: dict[str, Any] | None = None,
        return_old_on_failure: bool = False,
    ) -> int:
        put: dict[str, Any] = {"TableName": self.table, "Item": serialize(item)}
        self._conditions(put, condition, names, vals, return_old_on_failure)
        return self._add({"Put": put})

    def delete(
        self,
        key: Mapping[str, str],
        condition: str | None = None,
        names: dict[str, str] | None = None,
        vals: dict[str, Any] | None = None,
    ) -> int:
        delete: dict[str, Any] = {"TableName": self.table, "Key": serialize(key)}
        self._conditions(delete, condition, names, vals, False)
        return self._add({"Delete": delete})

    def update(
        self,
        key: Mapping[str, str],
        expression: str,
        condition: str | None = None,
        names: dict[str, str] | None = None,
        vals: dict[str, Any] | None = None,
    ) -> int:
        update: dict[str, Any] = {
            "TableName": self.table,
            "Key": serialize(key),
            "UpdateExpression": expression,
        }
        self._conditions(update, condition, names, vals, False)
        return self._add({"Update": update})

    def check(
        self,
        key: Mapping[str, str],
        condition: str,
        names: dict[str, str] | None = None,
        vals: dict[str, Any] | None = None,
        return_old_on_failure: bool = False,
    ) -> int:
        check: dict[str, Any] = {"TableName": self.table, "Key": serialize(key)}
        self._conditions(check, condition, names, vals, return_old_on_failure)
        return self._add({"ConditionCheck": check})

    def _add(self, entry: Any) -> int:
        self.items.append(entry)
        return len(self.items) - 1

    @staticmethod
    def _conditions(
        target: dict[str, Any],
        condition: str | None,
        names: dict[str, str] | None,
        vals: dict[str, Any] | None,
        return_old_on_failure: bool,
    ) -> None:
        if condition:
            target["ConditionExpression"] = condition
        if names:
            target["ExpressionAttributeNames"] = names
        if vals:
            target["ExpressionAttributeValues"] = vals
        if return_old_on_failure:
            target["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"


class TransactionFailedError(Exception):
    """A condition in the transaction failed. `reasons[i]` belongs to the i-th write."""

    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        super().__init__("transaction cancelled")
        self.reasons = reasons

    def failed(self, index: int) -> bool:
        return (
            index < len(self.reasons)
            and self.reasons[index].get("Code") == "ConditionalCheckFailed"
        )

    def old_item(self, index: int) -> dict[str, Any] | None:
        if not self.failed(index):
            return None
        item = self.reasons[index].get("Item")
        return deserialize(item) if item else None


def run(client: DynamoDBClient, transaction: Transaction, token: str | None = None) -> None:
    """Run a transaction; raise TransactionFailedError when a condition does not hold."""
    if not transaction.items:
        return
    if len(transaction.items) > MAX_TRANSACTION_ITEMS:
        raise ValueError(f"a transaction holds at most {MAX_TRANSACTION_ITEMS} writes")
    kwargs: dict[str, Any] = {"TransactItems": transaction.items}
    if token:
        kwargs["ClientRequestToken"] = token
    try:
        client.transact_write_items(**kwargs)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise
        reasons = error.response.get("CancellationReasons", [])
        if not any(reason.get("Code") == "ConditionalCheckFailed" for reason in reasons):
            raise
        raise TransactionFailedError([dict(reason) for reason in reasons]) from error


def is_condition_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def query_all(client: DynamoDBClient, request: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item a Query finds, page after page (for small, bounded sets)."""
    items: list[dict[str, Any]] = []
    while True:
        response = client.query(**request)
        items.extend(deserialize(item) for item in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return items
        request = {**request, "ExclusiveStartKey": response["LastEvaluatedKey"]}


def query_page(
    client: DynamoDBClient,
    request: dict[str, Any],
    cursors: CursorSigner,
    scope: str,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a Query, resumed from a signed cursor made for the same scope."""
    start = cursors.decode(cursor, scope)
    if start:
        request = {**request, "ExclusiveStartKey": serialize(start)}
    response = client.query(**request)
    items = [deserialize(item) for item in response.get("Items", [])]
    last = response.get("LastEvaluatedKey")
    return items, cursors.encode(deserialize(last) if last else None, scope)


def delete_existing(client: DynamoDBClient, table: str, key: Mapping[str, str]) -> bool:
    """Delete an item if it exists; False when there was nothing to delete."""
    try:
        client.delete_item(
            TableName=table, Key=serialize(key), ConditionExpression="attribute_exists(PK)"
        )
    except ClientError as error:
        if is_condition_failure(error):
            return False
        raise
    return True
