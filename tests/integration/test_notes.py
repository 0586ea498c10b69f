"""Staff notes on a customer: added, edited and deleted through the handler, and shown
with the customer's detail."""

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def api(as_staff: Callable[..., Any]) -> Any:
    return as_staff("studio-a", "staff")


@pytest.fixture
def ada(api: Any) -> str:
    answer = api("POST", "/customers", body={"name": "Ada Lovelace", "email": "ada@example.com"})
    assert answer.status == 201
    return str(answer.body["customer_id"])


def add_note(api: Any, customer_id: str, text: str) -> dict[str, Any]:
    answer = api("POST", f"/customers/{customer_id}/notes", body={"text": text})
    assert answer.status == 201, answer.body
    return dict(answer.body)


def notes_of(api: Any, customer_id: str) -> dict[str, str]:
    detail = api("GET", f"/customers/{customer_id}")
    assert detail.status == 200
    return {note["note_id"]: note["text"] for note in detail.body["notes"]}


def test_added_note_answers_201_and_shows_in_the_detail(api: Any, ada: str) -> None:
    answer = api("POST", f"/customers/{ada}/notes", body={"text": "  Brings her own amp. "})

    assert answer.status == 201
    note = answer.body
    assert set(note) == {"note_id", "text", "author", "created_at", "updated_at"}
    assert note["text"] == "Brings her own amp."
    assert note["author"] == api.claims["sub"]
    assert notes_of(api, ada) == {note["note_id"]: "Brings her own amp."}


def test_notes_do_not_change_the_customer_version(api: Any, ada: str) -> None:
    add_note(api, ada, "Prefers room 2")

    assert api("GET", f"/customers/{ada}").headers["etag"] == '"1"'


def test_edited_note_shows_its_new_text(api: Any, ada: str) -> None:
    note = add_note(api, ada, "Prefers room 2")
    keep = add_note(api, ada, "Pays in cash")

    answer = api(
        "PATCH", f"/customers/{ada}/notes/{note['note_id']}", body={"text": "Prefers room 3"}
    )

    assert answer.status == 200
    assert answer.body["text"] == "Prefers room 3"
    assert answer.body["note_id"] == note["note_id"]
    assert answer.body["created_at"] == note["created_at"]
    assert notes_of(api, ada) == {
        note["note_id"]: "Prefers room 3",
        keep["note_id"]: "Pays in cash",
    }


def test_deleted_note_answers_204_and_leaves_the_detail(api: Any, ada: str) -> None:
    note = add_note(api, ada, "Prefers room 2")
    keep = add_note(api, ada, "Pays in cash")

    answer = api("DELETE", f"/customers/{ada}/notes/{note['note_id']}")

    assert answer.status == 204
    assert answer.body is None
    assert notes_of(api, ada) == {keep["note_id"]: "Pays in cash"}
    assert api("DELETE", f"/customers/{ada}/notes/{note['note_id']}").status == 404


def test_note_for_a_missing_customer_is_404(api: Any) -> None:
    answer = api("POST", "/customers/cus_nobody/notes", body={"text": "hello"})

    assert answer.status == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert api("GET", "/customers/cus_nobody").status == 404


@pytest.mark.parametrize(("method", "body"), [("PATCH", {"text": "changed"}), ("DELETE", None)])
def test_editing_or_deleting_a_missing_note_is_404(
    api: Any, ada: str, method: str, body: dict[str, str] | None
) -> None:
    add_note(api, ada, "Prefers room 2")

    answer = api(method, f"/customers/{ada}/notes/note_nothere", body=body)

    assert answer.status == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert list(notes_of(api, ada).values()) == ["Prefers room 2"]


@pytest.mark.parametrize(("method", "body"), [("PATCH", {"text": "changed"}), ("DELETE", None)])
def test_a_note_is_reached_only_through_its_own_customer(
    api: Any, ada: str, method: str, body: dict[str, str] | None
) -> None:
    # given a note on Ada and another customer, Grace
    note = add_note(api, ada, "Prefers room 2")
    grace = api("POST", "/customers", body={"name": "Grace Hopper"}).body["customer_id"]

    # when the note is addressed under Grace
    answer = api(method, f"/customers/{grace}/notes/{note['note_id']}", body=body)

    # then it is not found there, and Ada's note is untouched
    assert answer.status == 404
    assert notes_of(api, ada) == {note["note_id"]: "Prefers room 2"}
    assert notes_of(api, grace) == {}


@pytest.mark.parametrize(
    "body", [{"text": ""}, {"text": "   "}, {"text": "x" * 5001}, {}, {"text": "a", "author": "b"}]
)
def test_note_without_proper_text_is_422(api: Any, ada: str, body: dict[str, str]) -> None:
    answer = api("POST", f"/customers/{ada}/notes", body=body)

    assert answer.status == 422
    assert notes_of(api, ada) == {}


def test_hard_deleting_the_customer_takes_the_notes_along(api: Any, ada: str) -> None:
    note = add_note(api, ada, "Prefers room 2")

    assert api("DELETE", f"/customers/{ada}").body == {"deleted": "hard"}

    assert (
        api("PATCH", f"/customers/{ada}/notes/{note['note_id']}", body={"text": "x"}).status == 404
    )
    assert api("POST", f"/customers/{ada}/notes", body={"text": "late"}).status == 404
