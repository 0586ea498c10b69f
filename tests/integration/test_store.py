"""CustomerStore against moto: versions guard every save, and the email guard keeps one
active customer per email even when writes race."""

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from moto.dynamodb.models import DynamoDBBackend

from backline import keys
from backline.cursor import CursorSigner
from backline.customer_store import CustomerStore
from backline.customers import Customer
from backline.errors import ConflictError, NotFoundError, StaleVersionError
from tests.support import ENVIRONMENT, TABLE

STUDIO = "studio-a"
NOW = "2026-01-05T10:00:00.000Z"


def new_store() -> CustomerStore:
    client = boto3.client("dynamodb")
    return CustomerStore(client, TABLE, CursorSigner(ENVIRONMENT["CURSOR_SECRET"]))


@pytest.fixture
def store(aws: None) -> CustomerStore:
    return new_store()


@pytest.fixture
def atomic_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB runs each transaction atomically; moto does not lock, so lock it as AWS does."""
    lock = threading.Lock()
    original = DynamoDBBackend.transact_write_items

    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return original(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", locked)


@pytest.fixture
def racing_stores(aws: None, atomic_moto: None) -> list[CustomerStore]:
    """Two stores, each with its own client, as two function instances would have."""
    return [new_store(), new_store()]


def customer(customer_id: str, name: str = "Ada Lovelace", **fields: Any) -> Customer:
    return Customer(
        studio_id=STUDIO,
        customer_id=customer_id,
        name=name,
        created_at=NOW,
        updated_at=NOW,
        **fields,
    )


def bump(before: Customer, **changes: Any) -> Customer:
    return before.model_copy(update={**changes, "version": before.version + 1})


def search(store: CustomerStore, query: str) -> list[str]:
    page = store.search(STUDIO, query, status=None, include_inactive=True, limit=25, cursor=None)
    return [found.customer_id for found in page.items]


def items_under(prefix: str) -> list[dict[str, Any]]:
    """Every item whose partition key starts with `prefix` (a scan: tests only)."""
    client = boto3.client("dynamodb")
    items = client.scan(TableName=TABLE)["Items"]
    return [item for item in items if item["PK"]["S"].startswith(prefix)]


def test_save_with_a_stale_before_is_refused_and_writes_nothing(store: CustomerStore) -> None:
    # given Ada saved once already (now at version 2)
    v1 = customer("cus_ada", email="ada@example.com")
    store.create(v1)
    v2 = bump(v1, name="Ada King")
    store.save(v1, v2)

    # when a writer who still holds version 1 saves a new name and email
    stale = bump(v1, name="Ada Byron", email="byron@example.com")
    with pytest.raises(StaleVersionError):
        store.save(v1, stale)

    # then nothing of the stale write landed: record, email guard and search are version 2's
    assert store.get(STUDIO, "cus_ada") == v2
    assert store.find_by_email(STUDIO, "byron@example.com") is None
    assert store.find_by_email(STUDIO, "ada@example.com") == "cus_ada"
    assert search(store, "byron") == []
    assert search(store, "king") == ["cus_ada"]


def test_save_of_a_customer_that_is_gone_is_stale(store: CustomerStore) -> None:
    ghost = customer("cus_ghost")

    with pytest.raises(StaleVersionError):
        store.save(ghost, bump(ghost, name="Casper"))

    with pytest.raises(NotFoundError):
        store.get(STUDIO, "cus_ghost")


def test_create_refuses_an_id_that_exists(store: CustomerStore) -> None:
    store.create(customer("cus_ada"))

    with pytest.raises((StaleVersionError, ConflictError)):
        store.create(customer("cus_ada", name="Someone Else"))

    assert store.get(STUDIO, "cus_ada").name == "Ada Lovelace"


def test_two_creates_racing_for_one_email_leave_exactly_one_customer(
    racing_stores: list[CustomerStore],
) -> None:
    for attempt in range(3):
        # given two creates with one email (in two cases) released at the same moment
        email = f"race{attempt}@example.com"
        rivals = [
            customer(f"cus_{attempt}_a", email=email),
            customer(f"cus_{attempt}_b", email=email.upper().replace("EXAMPLE.COM", "example.com")),
        ]
        start = threading.Barrier(2)

        def create(pair: tuple[CustomerStore, Customer], start: threading.Barrier = start) -> str:
            own_store, rival = pair
            start.wait()
            try:
                own_store.create(rival)
            except ConflictError:
                return "conflict"
            return rival.customer_id

        with ThreadPoolExecutor(2) as pool:
            outcomes = list(pool.map(create, zip(racing_stores, rivals, strict=True)))

        # then exactly one won, the other was told of the conflict, and the guard names the winner
        winners = [outcome for outcome in outcomes if outcome != "conflict"]
        assert len(winners) == 1, outcomes
        assert outcomes.count("conflict") == 1
        assert racing_stores[0].find_by_email(STUDIO, email) == winners[0]


def test_two_saves_racing_from_one_version_let_exactly_one_land(
    racing_stores: list[CustomerStore],
) -> None:
    v1 = customer("cus_ada")
    racing_stores[0].create(v1)
    edits = [bump(v1, name="Ada King"), bump(v1, name="Ada Byron")]
    start = threading.Barrier(2)

    def save(pair: tuple[CustomerStore, Customer]) -> str:
        own_store, after = pair
        start.wait()
        try:
            own_store.save(v1, after)
        except StaleVersionError:
            return "stale"
        return after.name

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(save, zip(racing_stores, edits, strict=True)))

    assert outcomes.count("stale") == 1
    winner = next(outcome for outcome in outcomes if outcome != "stale")
    assert racing_stores[0].get(STUDIO, "cus_ada").name == winner


def test_an_inactive_customer_releases_the_email_and_cannot_take_it_back(
    store: CustomerStore,
) -> None:
    # given Ada made inactive
    ada = customer("cus_ada", email="ada@example.com")
    store.create(ada)
    inactive = bump(ada, active=False)
    store.save(ada, inactive)

    # then a new customer may take her email
    store.create(customer("cus_new", name="Ada Byron", email="Ada@Example.com"))
    assert store.find_by_email(STUDIO, "ada@example.com") == "cus_new"

    # and Ada cannot become active again while it is held
    with pytest.raises(ConflictError) as refused:
        store.save(inactive, bump(inactive, active=True))
    assert "cus_new" in refused.value.detail
    assert store.get(STUDIO, "cus_ada").active is False


def test_email_conflict_names_the_holder(store: CustomerStore) -> None:
    store.create(customer("cus_ada", email="ada@example.com"))

    with pytest.raises(ConflictError) as refused:
        store.create(customer("cus_imp", name="Impostor", email="ADA@example.com"))

    assert "cus_ada" in refused.value.detail
    with pytest.raises(NotFoundError):
        store.get(STUDIO, "cus_imp")


def test_hard_delete_leaves_nothing_of_the_customer_behind(store: CustomerStore) -> None:
    # given Ada with an email, a mobile and search lookups, and Grace beside her
    ada = customer("cus_ada", email="ada@example.com", mobile="+447911123456")
    store.create(ada)
    store.create(customer("cus_grace", name="Grace Hopper", email="grace@example.com"))

    # when Ada is deleted
    store.delete(ada, [])

    # then no record, guard or lookup of hers is left, and Grace's are intact
    assert items_under(keys.customer_pk(STUDIO, "cus_ada")) == []
    assert store.find_by_email(STUDIO, "ada@example.com") is None
    lookups = items_under(keys.lookup_pk(STUDIO))
    assert lookups
    assert all(item["SK"]["S"].endswith("#cus_grace") for item in lookups)


def test_delete_with_a_stale_version_is_refused(store: CustomerStore) -> None:
    v1 = customer("cus_ada", email="ada@example.com")
    store.create(v1)
    store.save(v1, bump(v1, name="Ada King"))

    with pytest.raises(StaleVersionError):
        store.delete(v1, [])

    assert store.get(STUDIO, "cus_ada").name == "Ada King"
    assert store.find_by_email(STUDIO, "ada@example.com") == "cus_ada"


def test_lookups_follow_every_save(store: CustomerStore) -> None:
    v1 = customer("cus_ada", email="ada@example.com", mobile="+447911123456")
    store.create(v1)
    v2 = bump(v1, name="Ada King", email=None, mobile="+447400654321")
    store.save(v1, v2)

    assert search(store, "lovelace") == []
    assert search(store, "ada@") == []
    assert search(store, "123456") == []
    assert search(store, "king") == ["cus_ada"]
    assert search(store, "07400 654321") == ["cus_ada"]
    found = store.search(STUDIO, "king", status=None, include_inactive=True, limit=5, cursor=None)
    assert found.items == [v2]
