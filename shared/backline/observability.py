"""Logger and metrics, built once per function.

Log messages are constant lowercase events with context as keys. Never log tokens,
passwords, pay links or full emails: use `mask_email` when an address must be traced.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger()
metrics = Metrics()

__all__ = ["MetricUnit", "logger", "mask_email", "metrics"]


def mask_email(email: str | None) -> str | None:
    """`ada.lovelace@example.com` -> `a***@example.com`: enough to trace, not to contact."""
    if not email or "@" not in email:
        return None
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"
