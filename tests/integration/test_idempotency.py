"""Idempotency-Key on creating POSTs: a repeat returns the first answer and does the
work once; the same key for a different request is a conflict."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from moto.dynamodb.models import DynamoDBBackend

from backline.errors import IdempotencyConflictError
from backline.idempotency import IdempotencyStore, StoredAnswer
from tests.support import TABLE


@pytest.fixture
def api(as_staff: Callable[..., Any]) -> Any:
    return as_staff("studio-a")


def customer_names(api: Any) -> list[str]:
    return [c["name"] for c in api("GET", "/customers").body["items"]]


def test_repeat_with_the_same_key_returns_the_first_answer_and_creates_once(api: Any) -> None:
    # given a create sent with a key
    key = {"Idempotency-Key": "create-ada-1"}
    body = {"name": "Ada Lovelace", "email": "ada@example.com"}
    first = api("POST", "/customers", body=body, headers=key)

    # when the client sends it again (a retry after a timeout)
    again = api("POST", "/customers", body=body, headers=key)

    # then it gets the same answer, and there is one customer
    assert (first.status, again.status) == (201, 201)
    assert again.body == first.body
    assert again.headers["etag"] == first.headers["etag"]
    assert customer_names(api) == ["Ada Lovelace"]


def test_same_key_with_another_body_is_409_and_creates_nothing_more(api: Any) -> None:
    key = {"Idempotency-Key": "create-ada-2"}
    api("POST", "/customers", body={"name": "Ada Lovelace"}, headers=key)

    answer = api("POST", "/customers", body={"name": "Grace Hopper"}, headers=key)

    assert answer.status == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert customer_names(api) == ["Ada Lovelace"]


def test_same_key_in_another_studio_is_another_request(as_staff: Callable[..., Any]) -> None:
    key = {"Idempotency-Key": "shared-key"}
    studio_a, studio_b = as_staff("studio-a"), as_staff("studio-b")

    in_a = studio_a("POST", "/customers", body={"name": "Ada Lovelace"}, headers=key)
    in_b = studio_b("POST", "/customers", body={"name": "Ada Lovelace"}, headers=key)

    assert (in_a.status, in_b.status) == (201, 201)
    assert in_a.body["customer_id"] != in_b.body["customer_id"]
    assert customer_names(studio_b) == ["Ada Lovelace"]


def test_without_a_key_every_post_creates(api: Any) -> None:
    api("POST", "/customers", body={"name": "Ada Lovelace"})
    api("POST", "/customers", body={"name": "Ada Lovelace"})

    assert customer_names(api) == ["Ada Lovelace", "Ada Lovelace"]


def test_a_key_whose_first_run_was_refused_can_be_retried(api: Any) -> None:
    # given a create refused because Ada holds the email
    ada = api("POST", "/customers", body={"name": "Ada", "email": "ada@example.com"}).body
    key = {"Idempotency-Key": "create-grace"}
    body = {"name": "Grace Hopper", "email": "ada@example.com"}
    refused = api("POST", "/customers", body=body, headers=key)
    assert refused.status == 409

    # when the email is freed and the client retries with the same key
    api("DELETE", f"/customers/{ada['customer_id']}")
    retried = api("POST", "/customers", body=body, headers=key)

    # then the retry does the work
    assert retried.status == 201
    assert customer_names(api) == ["Grace Hopper"]


def test_note_repeated_with_the_same_key_is_added_once(api: Any) -> None:
    ada = api("POST", "/customers", body={"name": "Ada Lovelace"}).body["customer_id"]
    key = {"Idempotency-Key": "note-1"}

    first = api("POST", f"/customers/{ada}/notes", body={"text": "VIP"}, headers=key)
    again = api("POST", f"/customers/{ada}/notes", body={"text": "VIP"}, headers=key)

    assert (first.status, again.status) == (201, 201)
    assert again.body["note_id"] == first.body["note_id"]
    assert len(api("GET", f"/customers/{ada}").body["notes"]) == 1


def test_same_key_on_another_route_is_another_request(api: Any) -> None:
    key = {"Idempotency-Key": "reused-everywhere"}
    ada = api("POST", "/customers", body={"name": "Ada"}, headers=key).body["customer_id"]

    note = api("POST", f"/customers/{ada}/notes", body={"text": "VIP"}, headers=key)

    assert note.status == 201
    assert len(api("GET", f"/customers/{ada}").body["notes"]) == 1


@pytest.mark.parametrize("key", ["k" * 256, "tab\there"])
def test_key_that_is_too_long_or_unprintable_is_refused(api: Any, key: str) -> None:
    answer = api("POST", "/customers", body={"name": "Ada"}, headers={"Idempotency-Key": key})

    assert answer.status == 422
    assert customer_names(api) == []


@pytest.fixture
def atomic_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB applies each write atomically; moto does not lock, so lock it as AWS would."""
    lock = threading.Lock()
    for name in ("put_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name)

        def locked(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return __original(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)


@pytest.fixture
def two_stores(aws: None, atomic_moto: None) -> list[IdempotencyStore]:
    return [IdempotencyStore(boto3.client("dynamodb"), TABLE) for _ in range(2)]


def test_two_simultaneous_claims_of_one_key_let_exactly_one_run(
    two_stores: list[IdempotencyStore],
) -> None:
    # given two function instances receiving the same request at the same moment
    start = threading.Barrier(2)

    def claim(store: IdempotencyStore) -> str:
        start.wait()
        try:
            answer = store.claim("studio-a", "scope", "key-1", "fingerprint-1")
        except IdempotencyConflictError:
            return "refused"
        return "runs" if answer is None else "replayed"

    # when both claim the key
    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(claim, two_stores))

    # then one runs and the other is told the first is still running
    assert outcomes == ["refused", "runs"]


def test_completed_claim_is_replayed_with_its_answer(two_stores: list[IdempotencyStore]) -> None:
    first, second = two_stores
    assert first.claim("studio-a", "scope", "key-1", "fingerprint-1") is None
    answer = StoredAnswer(201, '{"customer_id": "cus_1"}', {"ETag": '"1"'})
    first.complete("studio-a", "scope", "key-1", answer)

    assert second.claim("studio-a", "scope", "key-1", "fingerprint-1") == answer
    with pytest.raises(IdempotencyConflictError):
        second.claim("studio-a", "scope", "key-1", "another-fingerprint")
