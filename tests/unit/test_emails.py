"""Emails: how an address is cleaned, what makes two addresses one customer, and the
wider key a ban is held under."""

import pytest

from backline.customers import blocking_key, fold_email, normalize_email
from backline.errors import InvalidInputError


def test_normalize_email_trims_and_lowercases_the_domain_only() -> None:
    # given an address typed with spaces and a shouting domain
    raw = "  Ada.Lovelace@Example.COM "

    # when it is normalised
    email = normalize_email(raw)

    # then the domain is lower case and the local part is kept as the customer wrote it
    assert email == "Ada.Lovelace@example.com"


@pytest.mark.parametrize(
    "raw", ["ada", "ada@", "@example.com", "ada@@example.com", "ada@exa mple.com"]
)
def test_normalize_email_refuses_what_is_not_an_address(raw: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        normalize_email(raw)

    assert refused.value.field == "email"


def test_fold_email_makes_case_variants_one_identity() -> None:
    assert fold_email("Ada@Example.com") == fold_email("ada@EXAMPLE.COM") == "ada@example.com"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ada+studio@example.com", "ada@example.com"),
        ("a.da@gmail.com", "ada@gmail.com"),
        ("ada@googlemail.com", "ada@gmail.com"),
    ],
)
def test_fold_email_keeps_tag_dot_and_domain_variants_apart(one: str, other: str) -> None:
    # identity stays exact but for case: these are two customers to the studio's records
    assert fold_email(one) != fold_email(other)


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ("Ada@Example.com", "ada@example.com"),
        ("ada+bandpractice@example.com", "ada@example.com"),
        ("Ada+x+y@Example.com", "ada@example.com"),
        ("A.Da@Gmail.com", "ada@gmail.com"),
        ("a.d.a+late@gmail.com", "ada@gmail.com"),
        ("ada@googlemail.com", "ada@gmail.com"),
        ("A.da@GoogleMail.com", "ada@gmail.com"),
    ],
)
def test_blocking_key_folds_case_tags_and_gmail_dots(email: str, key: str) -> None:
    assert blocking_key(email) == key


def test_blocking_key_keeps_dots_outside_gmail() -> None:
    # a.da@example.com and ada@example.com may well be two people at another provider
    assert blocking_key("a.da@example.com") != blocking_key("ada@example.com")


def test_blocking_key_tells_different_domains_apart() -> None:
    assert blocking_key("ada@example.com") != blocking_key("ada@example.org")
