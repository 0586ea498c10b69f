"""Whatever reaches a log line, an email or a token in it is masked on the way out."""

from __future__ import annotations

import json
import logging

from backline.observability import RedactingFormatter


def _format(message: str, **extra: object) -> dict[str, object]:
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, message, None, None)
    for name, value in extra.items():
        setattr(record, name, value)
    line: dict[str, object] = json.loads(RedactingFormatter().format(record))
    return line


def test_an_email_in_a_logged_value_keeps_only_its_first_letter_and_domain() -> None:
    line = _format("customer edited", detail="was ada.lovelace+band@example.co.uk")

    assert line["detail"] == "was a***@example.co.uk"


def test_a_jwt_in_a_message_is_replaced() -> None:
    line = _format("refused eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl")

    assert line["message"] == "refused [token]"


def test_an_email_in_an_exception_is_masked_in_the_traceback() -> None:
    try:
        raise ValueError("no customer ada@example.com")
    except ValueError:
        import sys

        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    text = RedactingFormatter().format(record)

    assert "ada@example.com" not in text
    assert "a***@example.com" in text
