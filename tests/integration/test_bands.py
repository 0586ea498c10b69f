"""Bands: customers grouped under a name; members added and removed; listed on the
customer; never reachable from another studio."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.integration.conftest import Caller


def _customer(staff: Caller, name: str = "Ada Lovelace", email: str = "ada@example.com") -> str:
    answer = staff("POST", "/customers", body={"name": name, "email": email})
    assert answer.status == 201, answer.body
    return str(answer.body["customer_id"])


def _band(staff: Caller, name: str = "The Engines") -> str:
    answer = staff("POST", "/bands", body={"name": name})
    assert answer.status == 201, answer.body
    return str(answer.body["band_id"])


@pytest.fixture
def owner(as_staff: Callable[..., Caller]) -> Caller:
    return as_staff("studio-a")


def test_a_band_is_made_with_its_name_and_listed(owner: Caller) -> None:
    # when staff make a band, with stray spaces in the name
    answer = owner("POST", "/bands", body={"name": "  The Engines "})

    # then it is made with the trimmed name and is in the studio's list
    assert answer.status == 201
    assert answer.body["name"] == "The Engines"
    listed = owner("GET", "/bands").body
    assert [(b["band_id"], b["name"]) for b in listed["items"]] == [
        (answer.body["band_id"], "The Engines")
    ]
    assert listed["next_cursor"] is None


@pytest.mark.parametrize(
    "body",
    [{"name": ""}, {"name": "   "}, {}, {"name": "X", "members": []}],
    ids=["empty", "blank", "missing", "unknown-field"],
)
def test_a_band_without_a_proper_name_is_422(owner: Caller, body: dict[str, object]) -> None:
    # when staff make a band without a usable name
    answer = owner("POST", "/bands", body=body)

    # then it is refused and no band exists
    assert answer.status == 422
    assert owner("GET", "/bands").body["items"] == []


def test_a_new_band_has_no_members(owner: Caller) -> None:
    band_id = _band(owner)

    answer = owner("GET", f"/bands/{band_id}")

    assert answer.status == 200
    assert answer.body["name"] == "The Engines"
    assert answer.body["members"] == []


def test_an_added_member_is_on_the_band_and_the_band_on_the_customer(owner: Caller) -> None:
    # given a band and two customers
    band_id = _band(owner)
    ada = _customer(owner, "Ada Lovelace", "ada@example.com")
    grace = _customer(owner, "Grace Hopper", "grace@example.com")

    # when staff add both to the band
    answers = [owner("PUT", f"/bands/{band_id}/members/{who}") for who in (ada, grace)]

    # then the band lists both, and each customer's detail lists the band
    assert [a.status for a in answers] == [200, 200]
    assert answers[0].body["band_id"] == band_id
    assert sorted(owner("GET", f"/bands/{band_id}").body["members"]) == sorted([ada, grace])
    for who in (ada, grace):
        bands = owner("GET", f"/customers/{who}").body["bands"]
        assert [(b["band_id"], b["name"]) for b in bands] == [(band_id, "The Engines")]


def test_adding_a_member_twice_keeps_them_once(owner: Caller) -> None:
    # given a customer already in a band
    band_id = _band(owner)
    ada = _customer(owner)
    owner("PUT", f"/bands/{band_id}/members/{ada}")

    # when staff add them again
    answer = owner("PUT", f"/bands/{band_id}/members/{ada}")

    # then it is fine, and they are listed once
    assert answer.status == 200
    assert owner("GET", f"/bands/{band_id}").body["members"] == [ada]
    assert len(owner("GET", f"/customers/{ada}").body["bands"]) == 1


def test_a_customer_can_be_in_several_bands(owner: Caller) -> None:
    ada = _customer(owner)
    bands = {_band(owner, "The Engines"), _band(owner, "Difference Engine")}

    for band_id in bands:
        owner("PUT", f"/bands/{band_id}/members/{ada}")

    listed = owner("GET", f"/customers/{ada}").body["bands"]
    assert {b["band_id"] for b in listed} == bands


def test_a_removed_member_leaves_the_band_and_a_second_removal_is_404(owner: Caller) -> None:
    # given a band with one member
    band_id = _band(owner)
    ada = _customer(owner)
    owner("PUT", f"/bands/{band_id}/members/{ada}")

    # when staff remove them, and then again
    first = owner("DELETE", f"/bands/{band_id}/members/{ada}")
    second = owner("DELETE", f"/bands/{band_id}/members/{ada}")

    # then the first is 204 with nothing left, the second finds nothing to remove
    assert first.status == 204
    assert second.status == 404
    assert owner("GET", f"/bands/{band_id}").body["members"] == []
    assert owner("GET", f"/customers/{ada}").body["bands"] == []


def test_unknown_band_or_customer_is_404(owner: Caller) -> None:
    band_id = _band(owner)
    ada = _customer(owner)

    assert owner("GET", "/bands/band_nothing").status == 404
    assert owner("PUT", f"/bands/band_nothing/members/{ada}").status == 404
    assert owner("PUT", f"/bands/{band_id}/members/cus_nobody").status == 404
    assert owner("GET", f"/bands/{band_id}").body["members"] == []


# ---------------------------------------------------------------- tenancy


def test_another_studio_cannot_add_a_customer_it_does_not_have_to_its_band(
    owner: Caller, as_staff: Callable[..., Caller]
) -> None:
    # given studio A's customer and studio B's band
    ada = _customer(owner)
    other = as_staff("studio-b")
    b_band = _band(other)

    # when B adds A's customer to its band
    answer = other("PUT", f"/bands/{b_band}/members/{ada}")

    # then it is 404: the band stays empty and A's customer is in no band
    assert answer.status == 404
    assert other("GET", f"/bands/{b_band}").body["members"] == []
    assert owner("GET", f"/customers/{ada}").body["bands"] == []


def test_another_studio_cannot_read_or_join_a_band_it_does_not_have(
    owner: Caller, as_staff: Callable[..., Caller]
) -> None:
    # given studio A's band, and studio B's customer
    a_band = _band(owner)
    other = as_staff("studio-b")
    b_customer = _customer(other)

    # when B reads A's band, or adds its customer to it
    read = other("GET", f"/bands/{a_band}")
    joined = other("PUT", f"/bands/{a_band}/members/{b_customer}")

    # then both are 404 and A's band has no members
    assert read.status == 404
    assert joined.status == 404
    assert owner("GET", f"/bands/{a_band}").body["members"] == []


def test_each_studio_lists_only_its_own_bands(
    owner: Caller, as_staff: Callable[..., Caller]
) -> None:
    a_band = _band(owner, "The Engines")
    other = as_staff("studio-b")
    b_band = _band(other, "The Engines")

    assert [b["band_id"] for b in owner("GET", "/bands").body["items"]] == [a_band]
    assert [b["band_id"] for b in other("GET", "/bands").body["items"]] == [b_band]
