"""HTTP glue every API function shares: the resolver, problem documents, identity,
versions (ETag / If-Match) and the mapping of domain errors to status codes.

This is the one place where a domain error becomes a status code.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFound
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import BaseModel

from backline.errors import (
    BacklineError,
    BookingRefusedError,
    ConflictError,
    ForbiddenError,
    IdempotencyConflictError,
    InvalidInputError,
    NotFoundError,
    StaleVersionError,
)
from backline.idempotency import IdempotencyStore, StoredAnswer
from backline.observability import logger

PROBLEM_JSON = "application/problem+json"
MAX_BODY_BYTES = 64 * 1024

_STATUS_OF: dict[type[BacklineError], HTTPStatus] = {
    NotFoundError: HTTPStatus.NOT_FOUND,
    ConflictError: HTTPStatus.CONFLICT,
    StaleVersionError: HTTPStatus.PRECONDITION_FAILED,
    ForbiddenError: HTTPStatus.FORBIDDEN,
    InvalidInputError: HTTPStatus.UNPROCESSABLE_ENTITY,
    BookingRefusedError: HTTPStatus.FORBIDDEN,
    IdempotencyConflictError: HTTPStatus.CONFLICT,
}


class UnauthorizedError(BacklineError):
    """No verified identity on a route that needs one (the authorizer normally stops it)."""


_STATUS_OF[UnauthorizedError] = HTTPStatus.UNAUTHORIZED


def problem(
    status: HTTPStatus, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> Response[str]:
    slug = status.phrase.lower().replace(" ", "-")
    body = {"type": f"urn:backline:problem:{slug}", "title": status.phrase, "status": status.value}
    body.update({"detail": detail, **extra})
    return Response(
        status_code=status.value,
        content_type=PROBLEM_JSON,
        body=json.dumps(body),
        headers=headers,
    )


def make_app() -> APIGatewayHttpResolver:
    """A resolver that validates with pydantic and answers every error as a problem."""
    app = APIGatewayHttpResolver(enable_validation=True)

    @app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
    def _invalid(error: RequestValidationError) -> Response[str]:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")}
            for e in error.errors()
        ]
        logger.warning("request refused", reason="validation", errors=len(errors))
        return problem(HTTPStatus.UNPROCESSABLE_ENTITY, "the request is not valid", errors=errors)

    @app.exception_handler(BacklineError)  # type: ignore[untyped-decorator]
    def _domain(error: BacklineError) -> Response[str]:
        status = next(
            (code for kind, code in _STATUS_OF.items() if isinstance(error, kind)),
            HTTPStatus.BAD_REQUEST,
        )
        logger.warning("request refused", reason=type(error).__name__, status=status.value)
        if isinstance(error, InvalidInputError) and error.field:
            entry = {"loc": ["body", error.field], "msg": error.detail, "type": "value_error"}
            return problem(status, error.detail, errors=[entry])
        return problem(status, error.detail)

    @app.not_found
    def _no_route(_: RouteNotFound) -> Response[str]:
        return problem(HTTPStatus.NOT_FOUND, "no such route")

    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def _unexpected(error: Exception) -> Response[str]:
        logger.exception("unexpected error")
        return problem(HTTPStatus.INTERNAL_SERVER_ERROR, "something went wrong on our side")

    app.use(middlewares=[_limit_body])
    return app


def _limit_body(app: APIGatewayHttpResolver, next_middleware: Any) -> Any:
    body = app.current_event.body or ""
    if len(body) > MAX_BODY_BYTES:
        return problem(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body is over {MAX_BODY_BYTES} bytes"
        )
    return next_middleware(app)


# ---------------------------------------------------------------- identity


@dataclass(frozen=True)
class Staff:
    studio_id: str
    role: str
    subject: str

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


STAFF_ROLES = frozenset({"owner", "staff"})


def claims(app: APIGatewayHttpResolver) -> dict[str, Any]:
    return dict(app.current_event.request_context.authorizer.jwt_claim)


def staff(app: APIGatewayHttpResolver) -> Staff:
    """The caller, from the verified token's claims only (never path, query or body)."""
    found = claims(app)
    studio_id, role = found.get("custom:studio_id"), found.get("custom:role")
    if not studio_id or not found.get("sub"):
        raise UnauthorizedError("a staff token is required")
    if role not in STAFF_ROLES:
        raise ForbiddenError("this route is for studio staff")
    return Staff(studio_id=str(studio_id), role=str(role), subject=str(found["sub"]))


def owner(app: APIGatewayHttpResolver) -> Staff:
    caller = staff(app)
    if not caller.is_owner:
        raise ForbiddenError("only the studio's owner may do this")
    return caller


# ---------------------------------------------------------------- versions


def if_match(app: APIGatewayHttpResolver) -> int | None:
    """The version a client says it has seen (`If-Match: "3"`, weak tags accepted)."""
    header = app.current_event.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    tag = header.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise StaleVersionError(f"If-Match {header!r} matches no version of this resource")
    return int(tag)


def json_response(
    model: BaseModel, status: HTTPStatus = HTTPStatus.OK, version: int | None = None
) -> Response[Any]:
    """A JSON answer with a status of our choosing (and the resource's version as ETag).

    The body stays a model: the resolver checks it against the route's response schema.
    """
    headers = {"ETag": f'"{version}"'} if version is not None else None
    return Response(
        status_code=status.value, content_type="application/json", body=model, headers=headers
    )


# ---------------------------------------------------------------- idempotency

MAX_IDEMPOTENCY_KEY = 255


def idempotent(
    app: APIGatewayHttpResolver,
    store: IdempotencyStore,
    studio_id: str,
    work: Callable[[], Response[Any]],
) -> Response[Any]:
    """Run `work` once per Idempotency-Key; a repeat gets the first answer back."""
    event = app.current_event
    key = event.headers.get("idempotency-key")
    if not key:
        return work()
    if len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise InvalidInputError("Idempotency-Key must be printable and at most 255 characters")
    request = f"{event.http_method} {event.path}"
    scope = hashlib.sha256(request.encode()).hexdigest()[:32]
    fingerprint = hashlib.sha256(f"{request}\n{event.body or ''}".encode()).hexdigest()
    stored = store.claim(studio_id, scope, key, fingerprint)
    if stored is not None:
        headers = {**stored.headers, "Idempotent-Replayed": "true"}
        body = json.loads(stored.body) if stored.body else None
        return Response(stored.status_code, "application/json", body, headers)
    try:
        response = work()
    except Exception:
        store.release(studio_id, scope, key)
        raise
    headers = {name: str(value) for name, value in response.headers.items()}
    body = response.body
    text = body.model_dump_json() if isinstance(body, BaseModel) else json.dumps(body)
    store.complete(studio_id, scope, key, StoredAnswer(response.status_code, text, headers))
    return response
