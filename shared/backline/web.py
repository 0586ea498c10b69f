"""HTTP glue every API function shares: routing, parsing, problem documents, identity,
versions (ETag / If-Match), idempotency, and the OpenAPI document of the routes.

API Gateway has already matched the route when the function runs (`routeKey` says which),
so routing here is a dictionary lookup. Bodies and queries are parsed into pydantic models;
this is the one place where a domain error becomes a status code.

Why not the Powertools resolver: with validation on, importing it builds its OpenAPI
models at cold start, which alone cost more than half of what boto3 costs (see
docs/decisions.md). This module does the part we use, and nothing at import.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import inspect
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from http import HTTPStatus
from typing import Any, get_args, get_type_hints
from urllib.parse import unquote

from pydantic import BaseModel, ValidationError

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

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
MAX_BODY_BYTES = 64 * 1024
MAX_PATH_PARAMETER = 128


class UnauthorizedError(BacklineError):
    """No verified identity on a route that needs one (the authorizer normally stops it)."""


class BadRequestError(BacklineError):
    """The request cannot be read at all (not JSON, wrong content type, too large)."""

    def __init__(self, detail: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(detail)
        self.status = status


_STATUS_OF: tuple[tuple[type[BacklineError], HTTPStatus], ...] = (
    (NotFoundError, HTTPStatus.NOT_FOUND),
    (ConflictError, HTTPStatus.CONFLICT),
    (StaleVersionError, HTTPStatus.PRECONDITION_FAILED),
    (ForbiddenError, HTTPStatus.FORBIDDEN),
    (BookingRefusedError, HTTPStatus.FORBIDDEN),
    (InvalidInputError, HTTPStatus.UNPROCESSABLE_ENTITY),
    (IdempotencyConflictError, HTTPStatus.CONFLICT),
    (UnauthorizedError, HTTPStatus.UNAUTHORIZED),
)


# ---------------------------------------------------------------- answers


@dataclass
class Reply:
    """An answer: a model (or JSON text already made), a status and headers."""

    body: BaseModel | str | None
    status: HTTPStatus = HTTPStatus.OK
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON

    def to_event(self) -> dict[str, Any]:
        text = self.body.model_dump_json() if isinstance(self.body, BaseModel) else self.body
        headers = dict(self.headers)
        if text is not None:
            headers["Content-Type"] = self.content_type
        answer: dict[str, Any] = {"statusCode": self.status.value, "headers": headers}
        answer["body"] = text or ""
        answer["isBase64Encoded"] = False
        return answer


def versioned(model: BaseModel, version: int, status: HTTPStatus = HTTPStatus.OK) -> Reply:
    """A resource with its version as a strong ETag."""
    return Reply(model, status, {"ETag": f'"{version}"'})


def problem(status: HTTPStatus, detail: str, **extra: Any) -> Reply:
    slug = status.phrase.lower().replace(" ", "-")
    body = {"type": f"urn:backline:problem:{slug}", "title": status.phrase, "status": status.value}
    body.update({"detail": detail, **extra})
    return Reply(json.dumps(body), status, content_type=PROBLEM_JSON)


class Problem(BaseModel):
    """RFC 9457 problem document; 422 answers add `errors` (loc, msg, type)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


class GatewayRefusal(BaseModel):
    """What API Gateway itself answers when its authorizer refuses the token."""

    message: str


# ---------------------------------------------------------------- requests


@dataclass(frozen=True)
class Request:
    """What a route may read of the event. Identity comes from the authorizer's claims."""

    method: str
    path: str
    headers: Mapping[str, str]
    claims: Mapping[str, Any]
    body: str | None
    path_parameters: Mapping[str, str]
    query: Mapping[str, str]

    @classmethod
    def of(cls, event: Mapping[str, Any]) -> Request:
        context = event.get("requestContext") or {}
        jwt = ((context.get("authorizer") or {}).get("jwt") or {}).get("claims") or {}
        body = event.get("body")
        if body is not None and event.get("isBase64Encoded"):
            try:
                body = base64.b64decode(body).decode()
            except (binascii.Error, UnicodeDecodeError) as error:
                raise BadRequestError("the body is not UTF-8 text") from error
        return cls(
            method=str((context.get("http") or {}).get("method", "")),
            path=str(event.get("rawPath", "")),
            headers={k.lower(): v for k, v in (event.get("headers") or {}).items()},
            claims=jwt,
            body=body,
            path_parameters=event.get("pathParameters") or {},
            query=event.get("queryStringParameters") or {},
        )


# ---------------------------------------------------------------- routes


class RequestInvalidError(Exception):
    """The body or the query does not fit its model."""

    def __init__(self, where: str, error: ValidationError) -> None:
        super().__init__(where)
        self.where = where
        self.error = error


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    endpoint: Callable[..., Any]
    status: HTTPStatus
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    tags: tuple[str, ...]
    public: bool
    errors: tuple[HTTPStatus, ...]
    parameters: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


class Api:
    """Routes of one function, keyed as API Gateway keys them (`POST /customers/{id}`)."""

    def __init__(self, security: str) -> None:
        self.security = security
        self.routes: dict[str, Route] = {}

    def route(
        self,
        method: str,
        path: str,
        *,
        status: HTTPStatus = HTTPStatus.OK,
        tags: tuple[str, ...] = (),
        public: bool = False,
        errors: tuple[HTTPStatus, ...] = (),
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register an endpoint. Its `body` and `query` parameters, if any, are parsed into
        the models they are annotated with; other parameters are path parameters."""

        def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
            hints = get_type_hints(endpoint)
            returned = hints.get("return")
            # `-> CustomerOut | Reply`: the model is what the document describes.
            response = next((t for t in get_args(returned) if _is_model(t)), returned)
            route = Route(
                method=method,
                path=path,
                endpoint=endpoint,
                status=status,
                body=hints.get("body"),
                query=hints.get("query"),
                response=response if _is_model(response) else None,
                tags=tags,
                public=public,
                errors=errors,
                parameters=tuple(inspect.signature(endpoint).parameters),
            )
            self.routes[route.key] = route
            return endpoint

        return register

    def get(self, path: str, **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.route("GET", path, **options)

    def post(self, path: str, **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.route("POST", path, **options)

    def put(self, path: str, **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.route("PUT", path, **options)

    def patch(
        self, path: str, **options: Any
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.route("PATCH", path, **options)

    def delete(
        self, path: str, **options: Any
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.route("DELETE", path, **options)

    # ------------------------------------------------------------ serving

    def resolve(self, event: Mapping[str, Any]) -> dict[str, Any]:
        route = self.routes.get(str(event.get("routeKey", "")))
        if route is None:
            route, event = self._match(event)
        if route is None:
            return problem(HTTPStatus.NOT_FOUND, "no such route").to_event()
        try:
            request = Request.of(event)
            answer = route.endpoint(**self._arguments(route, request))
            reply = answer if isinstance(answer, Reply) else Reply(answer, route.status)
        except RequestInvalidError as error:
            reply = _invalid(error.where, error.error)
        except BadRequestError as error:
            logger.warning("request refused", reason="unreadable", status=error.status.value)
            reply = problem(error.status, error.detail)
        except BacklineError as error:
            reply = _refused(error)
        except Exception:  # noqa: BLE001 (the boundary: answer a problem, log the trace)
            logger.exception("unexpected error")
            reply = problem(HTTPStatus.INTERNAL_SERVER_ERROR, "something went wrong on our side")
        return reply.to_event()

    def _match(self, event: Mapping[str, Any]) -> tuple[Route | None, Mapping[str, Any]]:
        """Find the route by method and path when the event does not name it (a catch-all
        route in front, or a test that builds events by hand)."""
        method = str(((event.get("requestContext") or {}).get("http") or {}).get("method", ""))
        path = str(event.get("rawPath", ""))
        for route in self.routes.values():
            found = route.method == method and _pattern(route.path).match(path)
            if found:
                parameters = {name: unquote(value) for name, value in found.groupdict().items()}
                return route, {**event, "pathParameters": parameters}
        return None, event

    def _arguments(self, route: Route, request: Request) -> dict[str, Any]:
        arguments: dict[str, Any] = {}
        for name in route.parameters:
            if name == "request":
                arguments[name] = request
            elif name == "body" and route.body is not None:
                arguments[name] = _parse_body(route.body, request)
            elif name == "query" and route.query is not None:
                try:
                    arguments[name] = route.query.model_validate(dict(request.query))
                except ValidationError as error:
                    raise RequestInvalidError("query", error) from error
            else:
                value = request.path_parameters.get(name, "")
                if not value or len(value) > MAX_PATH_PARAMETER:
                    raise NotFoundError(f"no {name.removesuffix('_id')} {value[:40]!r}")
                arguments[name] = value
        return arguments

    # ------------------------------------------------------------ document

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI 3.1 paths and schemas of these routes (built offline, never at a cold
        start: hence the late import)."""
        from pydantic.json_schema import models_json_schema

        models: set[type[BaseModel]] = {Problem, GatewayRefusal}
        for route in self.routes.values():
            models.update(m for m in (route.body, route.response) if m is not None)
        ordered = sorted(models, key=lambda model: model.__name__)
        _, schemas = models_json_schema(
            [(model, "validation") for model in ordered],
            ref_template="#/components/schemas/{model}",
        )
        paths: dict[str, dict[str, Any]] = {}
        for route in sorted(self.routes.values(), key=lambda r: (r.path, r.method)):
            paths.setdefault(route.path, {})[route.method.lower()] = self._operation(route)
        return {"paths": paths, "components": {"schemas": schemas.get("$defs", {})}}

    def _operation(self, route: Route) -> dict[str, Any]:
        doc = inspect.getdoc(route.endpoint) or route.endpoint.__name__.replace("_", " ")
        operation: dict[str, Any] = {
            "operationId": route.endpoint.__name__,
            "summary": doc.splitlines()[0],
            "tags": list(route.tags),
            "security": [] if route.public else [{self.security: []}],
        }
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _path_names(route.path)
        ]
        if route.query is not None:
            properties = route.query.model_json_schema()["properties"]
            for name, info in route.query.model_fields.items():
                parameters.append(
                    {
                        "name": name,
                        "in": "query",
                        "required": info.is_required(),
                        "schema": properties[name],
                    }
                )
        if parameters:
            operation["parameters"] = parameters
        if route.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {JSON: {"schema": _ref(route.body)}},
            }
        success: dict[str, Any] = {"description": route.status.phrase}
        if route.response is not None:
            success["content"] = {JSON: {"schema": _ref(route.response)}}
        responses: dict[str, Any] = {str(route.status.value): success}
        failures = {HTTPStatus.BAD_REQUEST, HTTPStatus.UNPROCESSABLE_ENTITY, *route.errors}
        if route.body is not None:
            failures |= {HTTPStatus.REQUEST_ENTITY_TOO_LARGE, HTTPStatus.UNSUPPORTED_MEDIA_TYPE}
        if not route.public:
            failures |= {HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN}
        if _path_names(route.path):
            failures.add(HTTPStatus.NOT_FOUND)
        for failure in sorted(failures):
            content: dict[str, Any] = {PROBLEM_JSON: {"schema": _ref(Problem)}}
            if failure is HTTPStatus.UNAUTHORIZED:
                # API Gateway's JWT authorizer refuses a missing or bad token itself.
                content[JSON] = {"schema": _ref(GatewayRefusal)}
            responses[str(failure.value)] = {"description": failure.phrase, "content": content}
        operation["responses"] = responses
        return operation


@cache
def _pattern(path: str) -> re.Pattern[str]:
    parts = [
        f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part)
        for part in path.split("/")
    ]
    return re.compile("^" + "/".join(parts) + "$")


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _parse_body(model: type[BaseModel], request: Request) -> BaseModel:
    text = request.body or ""
    if len(text.encode()) > MAX_BODY_BYTES:
        raise BadRequestError(
            f"the body is over {MAX_BODY_BYTES} bytes", HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        )
    kind = request.headers.get("content-type", JSON).split(";")[0].strip().lower()
    if kind != JSON and not kind.endswith("+json"):
        raise BadRequestError(
            "send the body as application/json", HTTPStatus.UNSUPPORTED_MEDIA_TYPE
        )
    if not text.strip():
        raise BadRequestError("this route needs a JSON body")
    try:
        decoded = json.loads(text)
    except ValueError as error:
        raise BadRequestError(f"the body is not valid JSON: {error}") from error
    try:
        return model.model_validate(decoded)
    except ValidationError as error:
        raise RequestInvalidError("body", error) from error


def _invalid(where: str, error: ValidationError) -> Reply:
    errors = [
        {"loc": [where, *e["loc"]], "msg": e["msg"], "type": e["type"]}
        for e in error.errors(include_url=False, include_context=False, include_input=False)
    ]
    logger.warning("request refused", reason="validation", errors=len(errors))
    return problem(HTTPStatus.UNPROCESSABLE_ENTITY, "the request is not valid", errors=errors)


def _refused(error: BacklineError) -> Reply:
    status = next(
        (code for kind, code in _STATUS_OF if isinstance(error, kind)), HTTPStatus.BAD_REQUEST
    )
    logger.warning("request refused", reason=type(error).__name__, status=status.value)
    if isinstance(error, InvalidInputError) and error.field:
        where = "query" if error.field == "cursor" else "body"
        entry = {"loc": [where, error.field], "msg": error.detail, "type": "value_error"}
        return problem(status, error.detail, errors=[entry])
    return problem(status, error.detail)


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


def staff(request: Request) -> Staff:
    """The caller, from the verified token's claims only (never path, query or body)."""
    studio_id = request.claims.get("custom:studio_id")
    role = request.claims.get("custom:role")
    subject = request.claims.get("sub")
    if not studio_id or not subject:
        raise UnauthorizedError("a staff token is required")
    if role not in STAFF_ROLES:
        raise ForbiddenError("this route is for studio staff")
    return Staff(studio_id=str(studio_id), role=str(role), subject=str(subject))


def owner(request: Request) -> Staff:
    caller = staff(request)
    if not caller.is_owner:
        raise ForbiddenError("only the studio's owner may do this")
    return caller


# ---------------------------------------------------------------- versions


def if_match(request: Request) -> int | None:
    """The version a client says it has seen (`If-Match: "3"`, weak tags accepted)."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    tag = header.strip().removeprefix("W/").strip('"')
    if not (tag.isascii() and tag.isdigit()):
        raise StaleVersionError(f"If-Match {header!r} matches no version of this resource")
    return int(tag)


# ---------------------------------------------------------------- idempotency

MAX_IDEMPOTENCY_KEY = 255


def idempotent(
    request: Request, store: IdempotencyStore, studio_id: str, work: Callable[[], Reply]
) -> Reply:
    """Run `work` once per Idempotency-Key; a repeat gets the first answer back."""
    key = request.headers.get("idempotency-key")
    if not key:
        return work()
    if len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise InvalidInputError("Idempotency-Key must be printable and at most 255 characters")
    target = f"{request.method} {request.path}"
    scope = hashlib.sha256(target.encode()).hexdigest()[:32]
    fingerprint = hashlib.sha256(f"{target}\n{request.body or ''}".encode()).hexdigest()
    stored = store.claim(studio_id, scope, key, fingerprint)
    if stored is not None:
        headers = {**stored.headers, "Idempotent-Replayed": "true"}
        return Reply(stored.body, HTTPStatus(stored.status_code), headers)
    try:
        reply = work()
    except Exception:
        store.release(studio_id, scope, key)
        raise
    body = reply.body
    text = body.model_dump_json() if isinstance(body, BaseModel) else (body or "")
    answer = StoredAnswer(reply.status.value, text, dict(reply.headers))
    store.complete(studio_id, scope, key, answer)
    return reply
