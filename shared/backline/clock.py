"""Time and identifiers, in one place so that tests can reason about them."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def isoformat(moment: datetime) -> str:
    """RFC 3339 in UTC with a trailing Z, to the millisecond (sortable as text)."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def new_id(prefix: str) -> str:
    """An opaque, unguessable id: 128 random bits, URL safe, with a readable prefix."""
    return f"{prefix}_{secrets.token_urlsafe(16)}"
