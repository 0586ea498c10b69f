"""Staff manage a studio's customers through the handler: create, read, list, search,
edit and delete, against moto's DynamoDB with the table from template.yaml."""

from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

CUSTOMER_FIELDS = {
    "customer_id",
    "name",
    "email",
    "mobile",
    "status",
    "registered",
    "customer_message",
    "opt_in_reminders",
    "opt_in_mailing_list",
    "active",
    "created_at",
    "updated_at",
    "version",
}
LIMITS = {"0": 422, "1": 200, "100": 200, "101": 422, "-1": 422, "ten": 422}
SYSTEM_FIELDS = ["status", "registered", "studio_id", "paid", "active", "version", "customer_id"]


@pytest.fixture
def api(as_staff: Callable[..., Any]) -> Any:
    return as_staff("studio-a")


@pytest.fixture
def dynamodb_calls(staff_api: ModuleType) -> Iterator[list[str]]:
    """The DynamoDB operations the handler's client makes, counted by botocore's hooks."""
    calls: list[str] = []

    def count(model: Any, **_: Any) -> None:
        calls.append(model.name)

    events = staff_api.dynamodb.meta.events
    events.register("before-call.dynamodb.*", count)
    yield calls
    events.unregister("before-call.dynamodb.*", count)


def create(api: Any, name: str = "Ada Lovelace", **fields: Any) -> dict[str, Any]:
    answer = api("POST", "/customers", body={"name": name, **fields})
    assert answer.status == 201, answer.body
    return dict(answer.body)


def names(api: Any, **query: str) -> list[str]:
    answer = api("GET", "/customers", query=query)
    assert answer.status == 200, answer.body
    return [item["name"] for item in answer.body["items"]]


def found(api: Any, q: str) -> list[str]:
    return names(api, q=q)


def change_in_store(staff_api: ModuleType, customer_id: str, **changes: Any) -> None:
    """Set fields staff cannot edit (registration, active) straight through the store."""
    store = staff_api.customers.store
    before = store.get("studio-a", customer_id)
    store.save(before, before.model_copy(update={**changes, "version": before.version + 1}))


# ---------------------------------------------------------------- create


def test_create_answers_201_with_the_customer_and_etag_1(api: Any) -> None:
    answer = api(
        "POST",
        "/customers",
        body={"name": "Ada Lovelace", "email": "ada@example.com", "opt_in_reminders": True},
    )

    assert answer.status == 201
    assert set(answer.body) == CUSTOMER_FIELDS
    assert answer.headers["etag"] == '"1"'
    assert answer.body["name"] == "Ada Lovelace"
    assert answer.body["customer_id"]
    assert answer.body["status"] == "unregistered"
    assert answer.body["registered"] is False
    assert answer.body["active"] is True
    assert answer.body["opt_in_reminders"] is True
    assert answer.body["opt_in_mailing_list"] is False
    assert answer.body["version"] == 1
    assert answer.body["created_at"].endswith("Z")


def test_create_normalises_email_and_mobile(api: Any) -> None:
    customer = create(
        api, "  Ada   Lovelace ", email="  Ada.Lovelace@Example.COM ", mobile="07911 123456"
    )

    assert customer["name"] == "Ada Lovelace"
    assert customer["email"] == "Ada.Lovelace@example.com"
    assert customer["mobile"] == "+447911123456"


def test_created_customer_reads_back_as_answered(api: Any) -> None:
    customer = create(api, email="ada@example.com", mobile="+447911123456")

    detail = api("GET", f"/customers/{customer['customer_id']}")

    assert {name: detail.body[name] for name in CUSTOMER_FIELDS} == customer


def test_create_refuses_an_email_an_active_customer_has_in_another_case(api: Any) -> None:
    # given Ada with her email in one case
    ada = create(api, email="Ada@Example.com")

    # when another customer is created with the same email in another case
    answer = api("POST", "/customers", body={"name": "Ada Impostor", "email": "ADA@example.COM"})

    # then 409, naming the customer who has it, and only Ada exists
    assert answer.status == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert ada["customer_id"] in answer.body["detail"]
    assert names(api) == ["Ada Lovelace"]


def test_create_refuses_unknown_and_system_fields_naming_each(api: Any) -> None:
    refused = [*SYSTEM_FIELDS, "nickname"]

    answer = api(
        "POST", "/customers", body={"name": "Ada Lovelace", **dict.fromkeys(refused, True)}
    )

    assert answer.status == 422
    assert answer.headers["content-type"] == "application/problem+json"
    named = [error["loc"] for error in answer.body["errors"]]
    assert [field for field in refused if ["body", field] not in named] == []
    assert names(api) == []


@pytest.mark.parametrize("field", ["status", "registered"])
def test_create_refuses_a_single_system_field(api: Any, field: str) -> None:
    answer = api("POST", "/customers", body={"name": "Ada Lovelace", field: "banned"})

    assert answer.status == 422
    assert [error["loc"] for error in answer.body["errors"]] == [["body", field]]


def test_create_refuses_a_bad_email_or_mobile_naming_it_and_creates_nothing(api: Any) -> None:
    bad = [
        ("email", "ada-at-example.com"),
        ("email", "ada@"),
        ("mobile", "12"),
        ("mobile", "call me"),
    ]

    answers = {
        (field, value): api("POST", "/customers", body={"name": "Ada Lovelace", field: value})
        for field, value in bad
    }

    for (field, _), answer in answers.items():
        assert answer.status == 422
        assert answer.headers["content-type"] == "application/problem+json"
        assert ["body", field] in [error["loc"] for error in answer.body["errors"]]
    assert names(api) == []


def test_create_needs_a_name(api: Any) -> None:
    bodies: list[dict[str, Any]] = [{}, {"name": ""}, {"name": "   "}, {"name": None}]

    assert [api("POST", "/customers", body=body).status for body in bodies] == [422] * 4
    assert names(api) == []


def test_create_is_one_dynamodb_call(api: Any, dynamodb_calls: list[str]) -> None:
    create(api, email="ada@example.com", mobile="+44 7911 123456")

    assert dynamodb_calls == ["TransactWriteItems"]


def test_create_with_a_national_mobile_reads_the_studio_once_then_writes_once(
    api: Any, dynamodb_calls: list[str]
) -> None:
    # a national number is read in the studio's country (docs/decisions.md, 2026-12-03):
    # one studio read, then the one transaction; never more, never a scan
    create(api, email="ada@example.com", mobile="07911 123456")

    assert dynamodb_calls == ["GetItem", "TransactWriteItems"]


# ---------------------------------------------------------------- detail


def test_detail_has_the_profile_and_empty_collections(api: Any) -> None:
    customer = create(api, email="ada@example.com")

    answer = api("GET", f"/customers/{customer['customer_id']}")

    assert answer.status == 200
    assert answer.headers["etag"] == '"1"'
    assert answer.body["name"] == "Ada Lovelace"
    assert answer.body["bookings"] == {"current": [], "history": []}
    assert answer.body["notes"] == []
    assert answer.body["coupons"] == []
    assert answer.body["bands"] == []
    assert answer.body["payment_requests"] == []


def test_detail_is_one_dynamodb_call(api: Any, dynamodb_calls: list[str]) -> None:
    customer = create(api)
    api("POST", f"/customers/{customer['customer_id']}/notes", body={"text": "plays drums"})
    dynamodb_calls.clear()

    answer = api("GET", f"/customers/{customer['customer_id']}")

    assert answer.status == 200
    assert len(answer.body["notes"]) == 1
    assert dynamodb_calls == ["Query"]


def test_detail_of_an_unknown_id_is_404(api: Any) -> None:
    answer = api("GET", "/customers/cus_nobody")

    assert answer.status == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.body["status"] == 404


# ---------------------------------------------------------------- list


def test_list_pages_walk_every_customer_once_and_end_with_null(api: Any) -> None:
    # given five customers
    created = {create(api, name)["customer_id"] for name in ["Eve", "Dan", "Cy", "Bea", "Al"]}

    # when staff follow next_cursor two at a time
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = api("GET", "/customers", query=query)
        assert page.status == 200
        assert len(page.body["items"]) <= 2
        seen += [item["customer_id"] for item in page.body["items"]]
        cursor = page.body["next_cursor"]
        if cursor is None:
            break

    # then every customer came exactly once and the last page said so
    assert cursor is None
    assert sorted(seen) == sorted(created)


def test_list_page_is_one_dynamodb_call(api: Any, dynamodb_calls: list[str]) -> None:
    for name in ["Eve", "Dan", "Cy"]:
        create(api, name)
    dynamodb_calls.clear()

    page = api("GET", "/customers", query={"limit": "2"})

    assert len(page.body["items"]) == 2
    assert dynamodb_calls == ["Query"]


def test_list_is_sorted_by_name_ignoring_case_and_accents(api: Any) -> None:
    for name in ["Zoë Quinn", "bob Marley", "Émile Zola", "Ada Lovelace", "Charles Babbage"]:
        create(api, name)

    assert names(api) == [
        "Ada Lovelace",
        "bob Marley",
        "Charles Babbage",
        "Émile Zola",
        "Zoë Quinn",
    ]


def test_list_limit_must_be_1_to_100(api: Any) -> None:
    create(api)

    answers = {limit: api("GET", "/customers", query={"limit": limit}) for limit in LIMITS}

    assert {limit: answer.status for limit, answer in answers.items()} == LIMITS
    for limit in ["0", "101"]:
        assert ["query", "limit"] in [error["loc"] for error in answers[limit].body["errors"]]


def test_list_filters_by_status(api: Any, staff_api: ModuleType) -> None:
    # given a registered customer, one behind on payment and one plain guest
    ada = create(api, "Ada Lovelace")
    grace = create(api, "Grace Hopper")
    create(api, "Charles Babbage")
    change_in_store(staff_api, ada["customer_id"], registered=True)
    behind = api(
        "PUT", f"/customers/{grace['customer_id']}/status", body={"status": "behind_payment"}
    )
    assert behind.status == 200

    # then each status lists only its own
    assert names(api, status="registered") == ["Ada Lovelace"]
    assert names(api, status="behind_payment") == ["Grace Hopper"]
    assert names(api, status="unregistered") == ["Charles Babbage"]
    assert names(api, status="banned") == []


def test_list_leaves_out_inactive_customers_unless_asked(api: Any, staff_api: ModuleType) -> None:
    ada = create(api, "Ada Lovelace")
    create(api, "Charles Babbage")
    change_in_store(staff_api, ada["customer_id"], active=False)

    assert names(api) == ["Charles Babbage"]
    assert sorted(names(api, include_inactive="true")) == ["Ada Lovelace", "Charles Babbage"]


def test_list_cursor_of_one_filter_is_refused_for_another(api: Any) -> None:
    for name in ["Eve", "Dan", "Cy"]:
        create(api, name)
    cursor = api("GET", "/customers", query={"limit": "1"}).body["next_cursor"]

    answer = api("GET", "/customers", query={"limit": "1", "cursor": cursor, "status": "banned"})

    assert answer.status == 422
    assert answer.headers["content-type"] == "application/problem+json"


def test_list_with_a_tampered_cursor_is_refused(api: Any) -> None:
    for name in ["Eve", "Dan", "Cy"]:
        create(api, name)
    cursor = api("GET", "/customers", query={"limit": "1"}).body["next_cursor"]
    tampered = cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")

    answer = api("GET", "/customers", query={"limit": "1", "cursor": tampered})

    assert 400 <= answer.status < 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert "items" not in answer.body


def test_refused_cursor_is_reported_as_the_query_parameter(api: Any) -> None:
    answer = api("GET", "/customers", query={"cursor": "garbage"})

    assert answer.status == 422
    assert [error["loc"] for error in answer.body["errors"]] == [["query", "cursor"]]


# ---------------------------------------------------------------- search


@pytest.fixture
def ada(api: Any) -> dict[str, Any]:
    create(api, "Charles Babbage", email="charles@example.org", mobile="07912 345678")
    return create(api, "Ada Lovelace", email="ada@example.com", mobile="07911 123456")


def test_search_finds_ada_by_part_of_her_name_email_or_mobile(
    api: Any, ada: dict[str, Any]
) -> None:
    entries = [
        "lovel",
        "LOVELACE",
        "Ada",
        "ada love",
        "love ada",
        "ada@exa",
        "ADA@EXAMPLE.COM",
        "123456",
        "07911 123456",
        "+44 7911 123456",
    ]

    results = {q: found(api, q) for q in entries}

    assert {q: got for q, got in results.items() if got != ["Ada Lovelace"]} == {}


def test_search_ignores_accents(api: Any) -> None:
    create(api, "Zoë Ångström")
    create(api, "Zack Smith")

    results = {q: found(api, q) for q in ["zoe", "ZOË", "angstr", "Ångström"]}

    assert {q: got for q, got in results.items() if got != ["Zoë Ångström"]} == {}


def test_search_without_a_match_is_an_empty_page(api: Any, ada: dict[str, Any]) -> None:
    for q in ["hopper", "ada hopper", "ovelace", "999999", "nobody@exa"]:
        answer = api("GET", "/customers", query={"q": q})

        assert answer.status == 200
        assert answer.body == {"items": [], "next_cursor": None}, q


def test_search_follows_a_name_change(api: Any, ada: dict[str, Any]) -> None:
    # when Ada's surname is changed
    edited = api("PATCH", f"/customers/{ada['customer_id']}", body={"name": "Ada King"})
    assert edited.status == 200

    # then the old word no longer finds her, the new one does, and the page shows the new name
    assert found(api, "lovelace") == []
    assert found(api, "king") == ["Ada King"]
    assert found(api, "ada") == ["Ada King"]


def test_search_follows_an_email_and_mobile_change(api: Any, ada: dict[str, Any]) -> None:
    path = f"/customers/{ada['customer_id']}"
    api("PATCH", path, body={"email": "countess@example.net", "mobile": "07400 654321"})

    assert found(api, "ada@exa") == []
    assert found(api, "123456") == []
    assert found(api, "countess@") == ["Ada Lovelace"]
    assert found(api, "654321") == ["Ada Lovelace"]


def test_search_finds_nothing_after_a_hard_delete(api: Any, ada: dict[str, Any]) -> None:
    assert api("DELETE", f"/customers/{ada['customer_id']}").body == {"deleted": "hard"}

    for q in ["ada", "lovelace", "ada@exa", "123456"]:
        assert found(api, q) == []


def test_search_leaves_out_inactive_customers_unless_asked(
    api: Any, ada: dict[str, Any], staff_api: ModuleType
) -> None:
    change_in_store(staff_api, ada["customer_id"], active=False)

    assert found(api, "lovelace") == []
    assert names(api, q="lovelace", include_inactive="true") == ["Ada Lovelace"]


def test_search_narrows_by_status(api: Any, ada: dict[str, Any], staff_api: ModuleType) -> None:
    change_in_store(staff_api, ada["customer_id"], registered=True)
    create(api, "Ada Byron")

    assert names(api, q="ada", status="registered") == ["Ada Lovelace"]
    assert names(api, q="ada", status="unregistered") == ["Ada Byron"]


# ---------------------------------------------------------------- edit


def test_edit_changes_the_fields_sent_and_bumps_version_and_etag(
    api: Any, ada: dict[str, Any]
) -> None:
    path = f"/customers/{ada['customer_id']}"

    answer = api(
        "PATCH",
        path,
        body={"name": "Ada King", "mobile": "+44 7400 123456", "opt_in_mailing_list": True},
        headers={"If-Match": '"1"'},
    )

    assert answer.status == 200
    assert answer.headers["etag"] == '"2"'
    assert answer.body["version"] == 2
    after = api("GET", path)
    assert after.headers["etag"] == '"2"'
    assert after.body["name"] == "Ada King"
    assert after.body["mobile"] == "+447400123456"
    assert after.body["opt_in_mailing_list"] is True
    assert after.body["email"] == "ada@example.com"  # not sent, not changed


def test_edit_with_a_stale_if_match_is_412_and_changes_nothing(
    api: Any, ada: dict[str, Any]
) -> None:
    path = f"/customers/{ada['customer_id']}"
    api("PATCH", path, body={"name": "Ada King"}, headers={"If-Match": '"1"'})

    answer = api("PATCH", path, body={"name": "Ada Byron"}, headers={"If-Match": '"1"'})

    assert answer.status == 412
    assert answer.headers["content-type"] == "application/problem+json"
    after = api("GET", path).body
    assert (after["name"], after["version"]) == ("Ada King", 2)


def test_two_staff_with_the_same_version_the_second_gets_412_and_the_first_edit_stays(
    as_staff: Callable[..., Any], ada: dict[str, Any]
) -> None:
    # given two staff of the studio who both loaded Ada at version 1
    owner, staff = as_staff("studio-a", "owner"), as_staff("studio-a", "staff")
    path = f"/customers/{ada['customer_id']}"
    seen = owner("GET", path).headers["etag"]

    # when both save their edit against that version
    first = owner("PATCH", path, body={"name": "Ada King"}, headers={"If-Match": seen})
    second = staff("PATCH", path, body={"mobile": "07400 123456"}, headers={"If-Match": seen})

    # then the first wins, the second is told to reload, and the first edit is not lost
    assert (first.status, second.status) == (200, 412)
    after = owner("GET", path).body
    assert (after["name"], after["mobile"], after["version"]) == ("Ada King", "+447911123456", 2)


def test_edit_to_an_email_an_active_customer_has_is_409_and_changes_nothing(
    api: Any, ada: dict[str, Any]
) -> None:
    grace = create(api, "Grace Hopper", email="grace@example.com")
    path = f"/customers/{grace['customer_id']}"

    answer = api("PATCH", path, body={"name": "Grace B. Hopper", "email": "ADA@example.com"})

    assert answer.status == 409
    assert ada["customer_id"] in answer.body["detail"]
    after = api("GET", path).body
    assert (after["name"], after["email"], after["version"]) == (
        "Grace Hopper",
        "grace@example.com",
        1,
    )
    assert found(api, "grace@") == ["Grace Hopper"]


def test_email_change_frees_the_old_email(api: Any, ada: dict[str, Any]) -> None:
    api("PATCH", f"/customers/{ada['customer_id']}", body={"email": "countess@example.com"})

    newcomer = api("POST", "/customers", body={"name": "Ada Byron", "email": "ada@example.com"})
    taken = api("POST", "/customers", body={"name": "Someone", "email": "countess@example.com"})

    assert newcomer.status == 201
    assert taken.status == 409


def test_edit_of_email_case_only_keeps_the_email_held(api: Any, ada: dict[str, Any]) -> None:
    edited = api("PATCH", f"/customers/{ada['customer_id']}", body={"email": "ADA@example.com"})
    assert edited.status == 200

    answer = api("POST", "/customers", body={"name": "Impostor", "email": "ada@example.com"})

    assert answer.status == 409


def test_edit_refuses_unknown_and_system_fields_and_changes_nothing(
    api: Any, ada: dict[str, Any]
) -> None:
    path = f"/customers/{ada['customer_id']}"
    refused = [*SYSTEM_FIELDS, "nickname", "customer_message", "created_at"]

    answer = api("PATCH", path, body={"name": "Ada King", **dict.fromkeys(refused, "x")})

    assert answer.status == 422
    named = [error["loc"] for error in answer.body["errors"]]
    assert [field for field in refused if ["body", field] not in named] == []
    after = api("GET", path).body
    assert (after["name"], after["version"], after["status"]) == ("Ada Lovelace", 1, "unregistered")


def test_edit_with_null_email_clears_it_and_frees_it(api: Any, ada: dict[str, Any]) -> None:
    path = f"/customers/{ada['customer_id']}"

    answer = api("PATCH", path, body={"email": None})

    assert answer.status == 200
    assert answer.body["email"] is None
    assert api("GET", path).body["email"] is None
    assert found(api, "ada@exa") == []
    assert (
        api("POST", "/customers", body={"name": "Ada B", "email": "ada@example.com"}).status == 201
    )


def test_edit_with_null_mobile_clears_it(api: Any, ada: dict[str, Any]) -> None:
    answer = api("PATCH", f"/customers/{ada['customer_id']}", body={"mobile": None})

    assert answer.body["mobile"] is None
    assert found(api, "123456") == []


@pytest.mark.parametrize(
    ("field", "value"), [("email", "not-an-email"), ("mobile", "12"), ("name", "")]
)
def test_edit_with_a_bad_value_is_422_and_changes_nothing(
    api: Any, ada: dict[str, Any], field: str, value: str
) -> None:
    path = f"/customers/{ada['customer_id']}"

    answer = api("PATCH", path, body={field: value})

    assert answer.status == 422
    assert api("GET", path).body["version"] == 1


def test_edit_of_an_unknown_id_is_404(api: Any) -> None:
    assert api("PATCH", "/customers/cus_nobody", body={"name": "X"}).status == 404


# ---------------------------------------------------------------- delete


def test_delete_without_bookings_is_hard_and_the_customer_is_gone(
    api: Any, ada: dict[str, Any]
) -> None:
    path = f"/customers/{ada['customer_id']}"

    answer = api("DELETE", path, headers={"If-Match": '"1"'})

    assert answer.status == 200
    assert answer.body == {"deleted": "hard"}
    assert api("GET", path).status == 404
    assert api("PATCH", path, body={"name": "Ghost"}).status == 404
    assert api("DELETE", path).status == 404
    assert names(api, include_inactive="true") == ["Charles Babbage"]


def test_hard_delete_frees_the_email(api: Any, ada: dict[str, Any]) -> None:
    api("DELETE", f"/customers/{ada['customer_id']}")

    answer = api("POST", "/customers", body={"name": "Ada Byron", "email": "ADA@example.com"})

    assert answer.status == 201


def test_delete_with_a_stale_if_match_is_412_and_keeps_the_customer(
    api: Any, ada: dict[str, Any]
) -> None:
    path = f"/customers/{ada['customer_id']}"
    api("PATCH", path, body={"name": "Ada King"})

    answer = api("DELETE", path, headers={"If-Match": '"1"'})

    assert answer.status == 412
    assert api("GET", path).body["name"] == "Ada King"
    assert found(api, "king") == ["Ada King"]


def test_delete_of_an_unknown_id_is_404(api: Any) -> None:
    assert api("DELETE", "/customers/cus_nobody").status == 404
