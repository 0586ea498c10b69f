"""List cursors: opaque to clients, and refused when altered or replayed elsewhere."""

import base64

import pytest

from backline.cursor import CursorSigner
from backline.errors import InvalidInputError

SECRET = "unit-test-cursor-secret-0123456789"
LAST_KEY = {"PK": "S#studio-a#C#cus_1", "SK": "CUSTOMER", "GSI1SK": "A#ada lovelace#cus_1"}
SCOPE = "list|studio-a|None|False"


def _flip_byte(cursor: str, index: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[index] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


def test_cursor_round_trip_gives_back_the_last_key() -> None:
    signer = CursorSigner(SECRET)

    cursor = signer.encode(LAST_KEY, SCOPE)

    assert cursor is not None
    assert signer.decode(cursor, SCOPE) == LAST_KEY


def test_cursor_can_travel_in_a_query_string_unescaped() -> None:
    cursor = CursorSigner(SECRET).encode(LAST_KEY, SCOPE)

    assert cursor is not None
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_no_last_key_means_no_cursor_and_no_cursor_means_the_first_page() -> None:
    signer = CursorSigner(SECRET)

    assert signer.encode(None, SCOPE) is None
    assert signer.encode({}, SCOPE) is None
    assert signer.decode(None, SCOPE) is None
    assert signer.decode("", SCOPE) is None


@pytest.mark.parametrize("index", [0, 5, 15, 16, 20, -1])
def test_cursor_with_one_byte_changed_is_refused(index: int) -> None:
    # given a valid cursor with one byte of its signature (index < 16) or payload changed
    signer = CursorSigner(SECRET)
    cursor = signer.encode(LAST_KEY, SCOPE)
    assert cursor is not None

    # when it comes back, then it is refused as invalid input
    with pytest.raises(InvalidInputError) as refused:
        signer.decode(_flip_byte(cursor, index), SCOPE)
    assert refused.value.field == "cursor"


@pytest.mark.parametrize(
    "other_scope",
    ["list|studio-b|None|False", "list|studio-a|banned|False", "list|studio-a|None|True", ""],
)
def test_cursor_made_for_another_studio_or_query_is_refused(other_scope: str) -> None:
    signer = CursorSigner(SECRET)
    cursor = signer.encode(LAST_KEY, SCOPE)

    with pytest.raises(InvalidInputError):
        signer.decode(cursor, other_scope)


def test_cursor_signed_with_another_secret_is_refused() -> None:
    cursor = CursorSigner("another-secret-of-enough-length").encode(LAST_KEY, SCOPE)

    with pytest.raises(InvalidInputError):
        CursorSigner(SECRET).decode(cursor, SCOPE)


@pytest.mark.parametrize(
    "garbage",
    ["garbage", "a", "====", "%%%%", "é", "\x00", "A" * 2048, "eyJQSyI6IngifQ", "not.a.cursor!"],
)
def test_garbage_cursor_is_refused_as_invalid_input(garbage: str) -> None:
    with pytest.raises(InvalidInputError):
        CursorSigner(SECRET).decode(garbage, SCOPE)


def test_unsigned_key_passed_as_cursor_is_refused() -> None:
    # a client who base64-encodes a key of its own choosing gets nothing
    forged = base64.urlsafe_b64encode(b"\x00" * 16 + b'{"PK":"S#studio-b"}').decode()

    with pytest.raises(InvalidInputError):
        CursorSigner(SECRET).decode(forged, SCOPE)
