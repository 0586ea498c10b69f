"""Search words: what a customer is found by, and how a search box entry is looked up.

A lookup matches when every word of the entry is the start of one of the customer's
tokens (the store looks up the longest and checks the rest).
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backline.customers import query_tokens, search_tokens

ADA = search_tokens("Ada Lovelace", "Ada.Lovelace@Example.com", "+447911123456")


def finds(tokens: set[str], entry: str) -> bool:
    looked_up = query_tokens(entry)
    return bool(looked_up) and all(
        any(token.startswith(word) for token in tokens) for word in looked_up
    )


@pytest.mark.parametrize("entry", ["a", "ad", "Ada", "lovel", "LOVELACE", "ada love", "love ada"])
def test_name_is_found_by_the_start_of_any_word_in_any_case(entry: str) -> None:
    assert finds(ADA, entry)


@pytest.mark.parametrize("entry", ["ovelace", "lovelacex", "ada babbage", "charles"])
def test_name_is_not_found_by_the_middle_of_a_word_or_a_word_it_lacks(entry: str) -> None:
    assert not finds(ADA, entry)


@pytest.mark.parametrize(
    ("name", "entry"),
    [("Zoë Ångström", "zoe"), ("Zoë Ångström", "angstr"), ("Zoe Angstrom", "Zoë"), ("Zoë", "ZOË")],
)
def test_search_ignores_accents_both_ways(name: str, entry: str) -> None:
    assert finds(search_tokens(name, None, None), entry)


@pytest.mark.parametrize(
    "entry", ["123456", "456", "07911 123456", "07911123456", "+44 7911 123456", "(0)7911-123-456"]
)
def test_mobile_is_found_by_its_trailing_digits_or_national_form(entry: str) -> None:
    assert finds(ADA, entry)


@pytest.mark.parametrize("entry", ["791112", "44791", "999456"])
def test_mobile_is_not_found_by_digits_that_do_not_end_it(entry: str) -> None:
    assert not finds(ADA, entry)


@pytest.mark.parametrize(
    "entry", ["ada.lovelace@exa", "ADA.LOVELACE@EXAMPLE.COM", "ada.lovelace@", "example"]
)
def test_email_is_found_by_its_start_or_a_word_of_it(entry: str) -> None:
    assert finds(ADA, entry)


def test_email_entry_is_matched_from_the_start_of_the_address() -> None:
    assert not finds(ADA, "lovelace@example.com")


def test_short_digit_entry_is_a_word_not_a_mobile() -> None:
    # under three digits could end almost any number: it is read as a word instead
    assert query_tokens("45") == ["45"]


def test_blank_entry_looks_up_nothing() -> None:
    assert query_tokens("   ") == []
    assert query_tokens("!?") == []


def test_search_tokens_never_carry_an_empty_token() -> None:
    assert "" not in search_tokens("  Ada   --  Lovelace ", "", None)


# Names as people write them: letters of any script, with accents, split by spaces.
_word = st.text(
    alphabet=st.characters(categories=("Lu", "Ll", "Lt", "Lo")),
    min_size=1,
    max_size=12,
)
_name = st.lists(_word, min_size=1, max_size=6).map(" ".join)


@given(_name)
def test_every_start_of_every_word_of_a_name_finds_it(name: str) -> None:
    # given the tokens stored for a customer with this name
    tokens = search_tokens(name, None, None)

    # then typing the start of any word of the name, of any length, finds them
    for word in name.split():
        for end in range(1, len(word) + 1):
            assert finds(tokens, word[:end]), (name, word[:end])
