"""Staff work over HTTP: tokens, customers, notes, tenancy, documents."""

from __future__ import annotations

import json
import uuid

import requests

from tests.e2e.conftest import Stack, client
from tests.support import ROOT


def _studio() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def test_the_demo_studio_is_seeded_with_customers(stack: Stack) -> None:
    owner = client(stack, stack.token("demo-studio", role="owner"))

    studio = owner("GET", "/studio").json()
    customers = owner("GET", "/customers").json()["items"]

    assert studio["name"]
    assert studio["rooms"]
    assert len(customers) >= 3


def test_staff_routes_refuse_a_missing_or_forged_token(stack: Stack) -> None:
    token = stack.token(_studio(), role="staff")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    assert client(stack, None)("GET", "/customers").status_code == 401
    assert client(stack, forged)("GET", "/customers").status_code == 401
    assert client(stack, "not-a-jwt")("GET", "/customers").status_code == 401


def test_a_customer_token_is_refused_on_staff_routes(stack: Stack) -> None:
    studio = _studio()
    owner = client(stack, stack.token(studio, role="owner"))
    customer_id = owner("POST", "/customers", json={"name": "Cy"}).json()["customer_id"]
    as_customer = client(stack, stack.token(studio, customer_id=customer_id))

    answer = as_customer("GET", f"/customers/{customer_id}")

    assert answer.status_code in {401, 403}


def test_customer_record_lifecycle_over_http(stack: Stack) -> None:
    staff = client(stack, stack.token(_studio(), role="staff"))

    created = staff(
        "POST",
        "/customers",
        json={"name": "Ada Lovelace", "email": "Ada@Example.com", "mobile": "07911 123456"},
    )
    assert created.status_code == 201
    customer = created.json()
    assert customer["mobile"] == "+447911123456"
    assert created.headers["ETag"] == '"1"'
    path = f"/customers/{customer['customer_id']}"

    found = staff("GET", "/customers", params={"q": "lovel"}).json()["items"]
    assert [c["customer_id"] for c in found] == [customer["customer_id"]]
    by_digits = staff("GET", "/customers", params={"q": "123456"}).json()["items"]
    assert [c["customer_id"] for c in by_digits] == [customer["customer_id"]]

    taken = staff("POST", "/customers", json={"name": "Other", "email": "ada@example.COM"})
    assert taken.status_code == 409
    assert taken.headers["Content-Type"].startswith("application/problem+json")
    assert customer["customer_id"] in taken.json()["detail"]

    edited = staff("PATCH", path, json={"name": "Ada King"}, headers={"If-Match": '"1"'})
    assert edited.status_code == 200
    assert edited.json()["version"] == 2
    stale = staff("PATCH", path, json={"name": "Lost"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert staff("GET", path).json()["name"] == "Ada King"

    note = staff("POST", f"{path}/notes", json={"text": "Brings her own snare"})
    assert note.status_code == 201
    detail = staff("GET", path).json()
    assert [n["text"] for n in detail["notes"]] == ["Brings her own snare"]
    assert detail["bookings"] == {"current": [], "history": []}

    assert staff("DELETE", path).json() == {"deleted": "hard"}
    assert staff("GET", path).status_code == 404


def test_another_studio_sees_nothing_and_gets_the_same_404(stack: Stack) -> None:
    mine = client(stack, stack.token(_studio(), role="owner"))
    theirs = client(stack, stack.token(_studio(), role="owner"))
    customer_id = mine("POST", "/customers", json={"name": "Private"}).json()["customer_id"]

    foreign = theirs("GET", f"/customers/{customer_id}")
    missing = theirs("GET", "/customers/cus_doesnotexist")

    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["type"] == missing.json()["type"]
    assert "Private" not in foreign.text
    assert theirs("GET", "/customers").json()["items"] == []
    assert theirs("DELETE", f"/customers/{customer_id}").status_code == 404
    assert mine("GET", f"/customers/{customer_id}").status_code == 200


def test_bad_input_gets_a_problem_never_a_500(stack: Stack) -> None:
    staff = client(stack, stack.token(_studio(), role="staff"))

    not_json = staff(
        "POST", "/customers", data="{nope", headers={"Content-Type": "application/json"}
    )
    unknown = staff("POST", "/customers", json={"name": "X", "status": "banned"})
    too_many = staff("GET", "/customers", params={"limit": "101"})

    for answer in (not_json, unknown, too_many):
        assert 400 <= answer.status_code < 500
        assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["loc"] == ["body", "status"]


def test_the_served_openapi_document_is_the_committed_one(stack: Stack) -> None:
    served = requests.get(f"{stack.url}/openapi.json", timeout=30).json()
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text())

    assert served == committed
    assert requests.get(f"{stack.url}/docs", timeout=30).status_code == 200


def test_local_mail_and_schedules_are_listed(stack: Stack) -> None:
    mail = requests.get(f"{stack.url}/_local/mail", timeout=30)
    schedules = requests.get(f"{stack.url}/_local/schedules", timeout=30)

    assert mail.status_code == 200
    assert isinstance(mail.json()["items"], list)
    assert schedules.status_code == 200
    assert isinstance(schedules.json()["items"], list)
