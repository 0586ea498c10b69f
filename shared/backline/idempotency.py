"""Idempotency-Key: a repeated POST returns the first answer and does the work once.

A record per (studio, route, key) is claimed with a conditional put before the work and
completed with the answer after it. A repeat with the same key and the same request gets
the stored answer; with another request, or while the first still runs, 409. Records
expire after a day (TTL, and checked on read since TTL deletes late).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from backline import keys
from backline.dynamo import deserialize, is_condition_failure, serialize, values
from backline.errors import IdempotencyConflictError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

RECORD_SECONDS = 24 * 3600
RUNNING_SECONDS = 60


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: str
    headers: dict[str, str]


class IdempotencyStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def claim(self, studio_id: str, scope: str, key: str, fingerprint: str) -> StoredAnswer | None:
        """Claim the key for this request; or the stored answer of its first run."""
        now = int(time.time())
        record = keys.idempotency_key(studio_id, scope, key)
        try:
            self._client.put_item(
                TableName=self._table,
                Item=serialize(
                    {
                        **record,
                        "type": "idempotency",
                        "state": "running",
                        "fingerprint": fingerprint,
                        "expires_at": now + RECORD_SECONDS,
                        "running_until": now + RUNNING_SECONDS,
                    }
                ),
                # A record past its day, or a run that died mid-way, may be claimed again.
                ConditionExpression=(
                    "attribute_not_exists(PK) OR expires_at < :now "
                    "OR (#state = :running AND running_until < :now)"
                ),
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=values(now=now, running="running"),
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise
            return self._replay(record, fingerprint)
        return None

    def complete(self, studio_id: str, scope: str, key: str, answer: StoredAnswer) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=serialize(keys.idempotency_key(studio_id, scope, key)),
            UpdateExpression="SET #state = :done, status_code = :code, body = :body, headers = :h",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues=values(
                done="done", code=answer.status_code, body=answer.body, h=answer.headers
            ),
        )

    def release(self, studio_id: str, scope: str, key: str) -> None:
        """Forget a claim whose work failed unexpectedly, so that a retry may run it."""
        self._client.delete_item(
            TableName=self._table, Key=serialize(keys.idempotency_key(studio_id, scope, key))
        )

    def _replay(self, record: dict[str, str], fingerprint: str) -> StoredAnswer:
        response = self._client.get_item(
            TableName=self._table, Key=serialize(record), ConsistentRead=True
        )
        item: dict[str, Any] = deserialize(response.get("Item", {}))
        if item.get("fingerprint") != fingerprint:
            raise IdempotencyConflictError("this Idempotency-Key was used for a different request")
        if item.get("state") != "done":
            raise IdempotencyConflictError("a request with this Idempotency-Key is still running")
        return StoredAnswer(int(item["status_code"]), str(item["body"]), dict(item["headers"]))
