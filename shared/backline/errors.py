"""The domain's errors. Each API maps them to status codes in one place (backline.web)."""

from __future__ import annotations


class BacklineError(Exception):
    """Base of every error the domain raises on purpose."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFoundError(BacklineError):
    """The resource does not exist, or belongs to another studio (indistinguishable)."""


class ConflictError(BacklineError):
    """The request clashes with the current state (a taken email, a registered customer)."""


class StaleVersionError(BacklineError):
    """The client's version (If-Match) is not the stored one; nothing was written."""


class ForbiddenError(BacklineError):
    """The caller may not do this (wrong role)."""


class InvalidInputError(BacklineError):
    """Input that is well formed but breaks a domain rule (a past slot, an unknown room)."""

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class BookingRefusedError(BacklineError):
    """A booking the studio refuses: a banned customer or a blocked email.

    `detail` is the message the studio wrote for the customer, safe to show them.
    """


class IdempotencyConflictError(BacklineError):
    """An Idempotency-Key reused with a different request, or while the first is running."""


def require_version(expected: int | None, actual: int) -> None:
    """Refuse a write whose client saw another version (If-Match) than the stored one."""
    if expected is not None and expected != actual:
        raise StaleVersionError(
            f"the resource is at version {actual}, not {expected}; reload it and try again"
        )
