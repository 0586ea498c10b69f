"""API Gateway (HTTP API) for the local stack: routes, JWT authorizers, payload 2.0 events.

`Gateway` is a WSGI application. It matches a request to a template route as API Gateway
does (literal segments before `{param}`, `{param}` before `{proxy+}`, a method before
ANY), checks the bearer token as the route's JWT authorizer would, calls the function
with a payload-format 2.0 event and turns its answer back into an HTTP response.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import traceback
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import jwt
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from local.runtime import Functions
from local.template import ACCOUNT_ID, AuthorizerSpec, RouteSpec

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
_TEXT_TYPES = (
    "application/json",
    "application/xml",
    "application/x-www-form-urlencoded",
    "application/javascript",
)

LocalHandler = Callable[[Request], Response | None]


class _Request(Request):
    max_content_length = MAX_BODY_BYTES


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    """An RFC 9457 problem response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return Response(json.dumps(body), status=status, content_type="application/problem+json")


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def _gateway_message(status: int, message: str) -> Response:
    """An error answered by API Gateway itself, shaped as API Gateway shapes it."""
    response = json_response({"message": message}, status)
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


# ---------------------------------------------------------------------------- routing


class _Route:
    def __init__(self, spec: RouteSpec) -> None:
        self.spec = spec
        self.segments = [] if spec.path == "$default" else spec.path.strip("/").split("/")

    def match(self, method: str, segments: list[str]) -> dict[str, str] | None:
        if self.spec.method not in ("ANY", method):
            return None
        if self.spec.path == "$default":
            return {}
        parameters: dict[str, str] = {}
        for index, template in enumerate(self.segments):
            if template.startswith("{") and template.endswith("+}"):
                rest = segments[index:]
                if not rest or rest == [""]:
                    return None
                parameters[template[1:-2]] = "/".join(rest)
                return parameters
            if index >= len(segments):
                return None
            if template.startswith("{") and template.endswith("}"):
                if not segments[index]:
                    return None
                parameters[template[1:-1]] = segments[index]
            elif template != segments[index]:
                return None
        return parameters if len(segments) == len(self.segments) else None

    def specificity(self) -> tuple[int, tuple[int, ...], int]:
        """Higher is more specific: the order API Gateway picks among matching routes."""
        if self.spec.path == "$default":
            return (0, (), 0)
        ranks = tuple(
            0 if part.endswith("+}") else 1 if part.startswith("{") else 2 for part in self.segments
        )
        return (1, ranks, 0 if self.spec.method == "ANY" else 1)


class RouteTable:
    def __init__(self, routes: Iterable[RouteSpec]) -> None:
        self._routes = sorted((_Route(spec) for spec in routes), key=_Route.specificity)
        self._routes.reverse()

    def __iter__(self) -> Iterator[RouteSpec]:
        return (route.spec for route in self._routes)

    def match(self, method: str, raw_path: str) -> tuple[RouteSpec, dict[str, str]] | None:
        segments = [urllib.parse.unquote(part) for part in raw_path.strip("/").split("/")]
        for route in self._routes:
            parameters = route.match(method, segments)
            if parameters is not None:
                return route.spec, parameters
        return None


# ---------------------------------------------------------------------------- authorizer


class JwtAuthorizer:
    """Checks a bearer token as API Gateway's JWT authorizer does.

    The signature must verify with the issuer's published keys (moto serves them), the
    token must not be expired or early, `iss` must equal the configured issuer and `aud`
    (ID tokens) or `client_id` (access tokens) must be one of the configured audiences.
    """

    def __init__(self, spec: AuthorizerSpec, keys_url: str) -> None:
        self.spec = spec
        self._keys_url = keys_url
        self._keys: jwt.PyJWKSet | None = None
        self._lock = threading.Lock()

    def claims(self, headers: dict[str, str]) -> dict[str, Any] | None:
        """The token's verified claims, or None when API Gateway would answer 401."""
        value = headers.get(self.spec.identity_header, "").strip()
        token = value[7:].strip() if value[:7].lower() == "bearer " else value
        if not token:
            return None
        try:
            key_id = jwt.get_unverified_header(token).get("kid")
            key = self._signing_key(str(key_id))
            if key is None:
                return None
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=["RS256"],
                issuer=self.spec.issuer,
                options={"verify_aud": False, "require": ["exp", "iss"]},
            )
        except jwt.PyJWTError:
            return None
        audiences = claims.get("aud", claims.get("client_id"))
        audience_list = audiences if isinstance(audiences, list) else [audiences]
        if not set(map(str, audience_list)) & set(self.spec.audience):
            return None
        return claims

    def _signing_key(self, key_id: str) -> jwt.PyJWK | None:
        with self._lock:
            if self._keys is None:
                with urllib.request.urlopen(self._keys_url, timeout=10) as answer:  # noqa: S310
                    self._keys = jwt.PyJWKSet.from_dict(json.load(answer))
            try:
                return self._keys[key_id]
            except KeyError:
                return None


def claims_as_strings(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as API Gateway passes them on: every value a string, lists as `[a b]`."""

    def text(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return "[" + " ".join(text(item) for item in value) + "]"
        if isinstance(value, dict):
            return json.dumps(value)
        return str(value)

    return {name: text(value) for name, value in claims.items()}


# ---------------------------------------------------------------------------- events


def build_http_event(
    request: Request,
    body: bytes,
    route: RouteSpec,
    path_parameters: dict[str, str],
    claims: dict[str, Any] | None,
) -> dict[str, Any]:
    """The API Gateway HTTP API payload-format 2.0 event for one request."""
    now = datetime.now(UTC)
    raw_path = _raw_path(request)
    raw_query = request.environ.get("QUERY_STRING", "")
    source_ip = request.remote_addr or "127.0.0.1"
    headers: dict[str, str] = {}
    for name, value in request.headers.items():
        key = name.lower()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    headers.setdefault("x-forwarded-for", source_ip)
    headers.setdefault("x-forwarded-proto", "http")
    headers.setdefault("x-forwarded-port", str(request.environ.get("SERVER_PORT", "")))
    cookie_header = headers.pop("cookie", "")
    host = headers.get("host", "localhost").split(":")[0]
    context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": route.api_id,
        "domainName": host,
        "domainPrefix": host.split(".")[0],
        "http": {
            "method": request.method,
            "path": raw_path,
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "sourceIp": source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": route.route_key,
        "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now.timestamp() * 1000),
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": claims_as_strings(claims), "scopes": None}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": context,
        "isBase64Encoded": False,
    }
    if cookie_header:
        event["cookies"] = [part.strip() for part in cookie_header.split(";") if part.strip()]
    query: dict[str, str] = {}
    for name, value in urllib.parse.parse_qsl(raw_query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body:
        text = _as_text(body, headers.get("content-type", ""))
        event["body"] = text if text is not None else base64.b64encode(body).decode("ascii")
        event["isBase64Encoded"] = text is None
    return event


def _raw_path(request: Request) -> str:
    uri = str(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or "")
    return uri.split("?", 1)[0] or request.path


def _as_text(body: bytes, content_type: str) -> str | None:
    """The body as text when its type is textual (or unstated) and it is UTF-8."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    textual = (
        not media_type
        or media_type.startswith("text/")
        or media_type in _TEXT_TYPES
        or media_type.endswith(("+json", "+xml"))
    )
    if not textual:
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def build_response(result: Any) -> Response:
    """Map a payload 2.0 result to HTTP, as API Gateway does (bare values become JSON)."""
    if not (isinstance(result, dict) and "statusCode" in result):
        return json_response(result)
    body = result.get("body") or ""
    if not isinstance(body, str):
        raise TypeError(f"the response body must be a string, not {type(body).__name__}")
    content = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    response = Response(content, status=int(result["statusCode"]))
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = str(value)
    for cookie in result.get("cookies") or []:
        response.headers.add("Set-Cookie", str(cookie))
    return response


# ---------------------------------------------------------------------------- the app


class Gateway:
    """The WSGI application: local-only routes first, then the template's routes."""

    def __init__(
        self,
        routes: Sequence[RouteSpec],
        functions: Functions,
        authorizers: dict[AuthorizerSpec, JwtAuthorizer],
        local_routes: LocalHandler | None = None,
        *,
        access_log: bool = True,
    ) -> None:
        self.routes = RouteTable(routes)
        self.functions = functions
        self._authorizers = authorizers
        self._local_routes = local_routes
        self._access_log = access_log

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = _Request(environ)
        started = time.monotonic()
        response = self.dispatch(request)
        if self._access_log:
            elapsed = (time.monotonic() - started) * 1000
            print(f"[http] {request.method} {request.path} {response.status_code} {elapsed:.0f} ms")
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if self._local_routes is not None:
            answer = self._local_routes(request)
            if answer is not None:
                return answer
        found = self.routes.match(request.method, _raw_path(request))
        if found is None:
            return _gateway_message(404, "Not Found")
        route, path_parameters = found
        try:
            body = request.get_data(cache=False)
        except RequestEntityTooLarge:
            return _gateway_message(413, "Request Entity Too Large")
        claims = None
        if route.authorizer is not None:
            headers = {name.lower(): value for name, value in request.headers.items()}
            claims = self._authorizers[route.authorizer].claims(headers)
            if claims is None:
                return _gateway_message(401, "Unauthorized")
        event = build_http_event(request, body, route, path_parameters, claims)
        return self.call_function(route.function_id, event, route.route_key)

    def call_function(self, function_id: str, event: Any, label: str) -> Response:
        try:
            return build_response(self.functions.invoke(function_id, event))
        except Exception:  # noqa: BLE001 - any handler failure is a 500, as in Lambda
            print(f"[lambda] {function_id} failed on {label}:\n{traceback.format_exc()}")
            return problem(
                500,
                "Internal Server Error",
                f"{function_id} raised an error; the local stack's console has the traceback.",
            )
