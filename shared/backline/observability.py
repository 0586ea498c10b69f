"""Logger and metrics, built once per function.

Log messages are constant lowercase events with context as keys (ids, never contact details).
Never log tokens, passwords, pay links or emails.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import MetricUnit

_EMAIL = re.compile(r"([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")


class RedactingFormatter(LambdaPowertoolsFormatter):
    """Masks emails and tokens in every line, tracebacks included: a safety net under the
    rule that code logs ids, not contact details (an exception's text may carry them)."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        return _JWT.sub("[token]", _EMAIL.sub(r"\1***@\2", line))


logger = Logger(logger_formatter=RedactingFormatter())
metrics = Metrics()

__all__ = ["MetricUnit", "logger", "metrics", "publish_metrics"]

Event = TypeVar("Event")
Answer = TypeVar("Answer")


def publish_metrics(handler: Callable[[Event, Any], Answer]) -> Callable[[Event, Any], Answer]:
    """Flush the request's business metrics after the handler, when it recorded any.

    Powertools' own decorator warns on every request that records none (most reads), which
    would fill the logs with noise.
    """

    @wraps(handler)
    def run(event: Event, context: Any) -> Answer:
        try:
            return handler(event, context)
        finally:
            if metrics.metric_set:
                metrics.flush_metrics()

    return run
