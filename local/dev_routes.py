"""Routes that only the local stack has: tokens, mail, schedules and the API's docs.

POST /_local/token                 {studio_id, role} or {studio_id, customer_id}
GET  /_local/mail                  mail sent so far, newest last
GET  /_local/schedules             the template's schedules
POST /_local/schedules/{name}/run  run one now, answer its result
GET  /openapi.json, GET /docs      the OpenAPI document and Swagger UI
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import aws_lambda_powertools.event_handler.openapi.swagger_ui as swagger_ui
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from local.aws import IdentityNotConfiguredError, TokenIssuer
from local.gateway import json_response, problem
from local.mail import MailBox
from local.workers import Schedules, UnknownScheduleError

_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
_SWAGGER_DIR = Path(swagger_ui.__file__).parent
_ASSETS = {
    "swagger-ui.css": ("swagger-ui.min.css", "text/css"),
    "swagger-ui-bundle.js": ("swagger-ui-bundle.min.js", "text/javascript"),
}
_DOCS_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Backline API (local)</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui",
                                 deepLinking: true, persistAuthorization: true});
  </script>
</body>
</html>
"""


class TokenRequest(BaseModel):
    """Body of POST /_local/token: a staff member (role) or a customer (customer_id)."""

    model_config = ConfigDict(extra="forbid")

    studio_id: str = Field(pattern=_ID_PATTERN)
    role: Literal["owner", "staff"] | None = None
    customer_id: str | None = Field(default=None, pattern=_ID_PATTERN)

    @model_validator(mode="after")
    def _one_identity(self) -> TokenRequest:
        if (self.role is None) == (self.customer_id is None):
            raise ValueError("give either role (owner or staff) or customer_id")
        return self


class LocalRoutes:
    """A handler for the gateway: answers the routes above and None for anything else."""

    def __init__(
        self,
        *,
        tokens: TokenIssuer,
        mail: MailBox,
        schedules: Schedules,
        openapi: Callable[[], dict[str, Any]],
    ) -> None:
        self._tokens = tokens
        self._mail = mail
        self._schedules = schedules
        self._openapi = openapi
        self._map = Map(
            [
                Rule("/_local/token", methods=["POST"], endpoint=self.token),
                Rule("/_local/mail", methods=["GET"], endpoint=self.mail),
                Rule("/_local/schedules", methods=["GET"], endpoint=self.schedules),
                Rule("/_local/schedules/<name>/run", methods=["POST"], endpoint=self.run),
                Rule("/openapi.json", methods=["GET"], endpoint=self.openapi),
                Rule("/docs", methods=["GET"], endpoint=self.docs),
                Rule("/docs/<asset>", methods=["GET"], endpoint=self.docs_asset),
            ],
            strict_slashes=False,
        )

    def __call__(self, request: Request) -> Response | None:
        adapter = self._map.bind_to_environ(request.environ)
        try:
            endpoint, arguments = adapter.match()
        except NotFound:
            return None
        except MethodNotAllowed:
            return problem(405, "Method Not Allowed", f"{request.method} is not allowed here")
        answer: Response = endpoint(request, **arguments)
        return answer

    def token(self, request: Request) -> Response:
        try:
            body = json.loads(request.get_data() or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return problem(400, "Bad Request", "the body must be a JSON object")
        try:
            wanted = TokenRequest.model_validate(body)
        except ValidationError as error:
            errors = [
                {"loc": list(item["loc"]), "msg": item["msg"], "type": item["type"]}
                for item in error.errors()
            ]
            return problem(422, "Unprocessable Content", "the body is not valid", errors=errors)
        try:
            issued = self._tokens.issue(
                wanted.studio_id, role=wanted.role, customer_id=wanted.customer_id
            )
        except IdentityNotConfiguredError as error:
            return problem(501, "Not Implemented", str(error))
        return json_response({"token": issued.token, "expires_in": issued.expires_in})

    def mail(self, request: Request) -> Response:
        return json_response({"items": [mail.as_dict() for mail in self._mail.items()]})

    def schedules(self, request: Request) -> Response:
        items = [
            {
                "name": spec.name,
                "expression": spec.expression,
                "function": spec.function_id,
                "enabled": spec.enabled,
            }
            for spec in self._schedules.list()
        ]
        return json_response({"items": items})

    def run(self, request: Request, name: str) -> Response:
        try:
            result = self._schedules.run_now(name)
        except UnknownScheduleError:
            return problem(404, "Not Found", f"no schedule named {name}")
        except Exception:  # noqa: BLE001 - the function failed: a 500, as Lambda reports it
            print(f"[schedule] {name} failed:\n{traceback.format_exc()}")
            return problem(500, "Internal Server Error", f"schedule {name}'s function raised")
        return json_response({"name": name, "result": result})

    def openapi(self, request: Request) -> Response:
        try:
            document = self._openapi()
        except Exception:  # noqa: BLE001 - show why on the console, answer a problem
            print(f"[openapi] building the document failed:\n{traceback.format_exc()}")
            return problem(500, "Internal Server Error", "the OpenAPI document could not be built")
        return json_response(document)

    def docs(self, request: Request) -> Response:
        return Response(_DOCS_PAGE, content_type="text/html; charset=utf-8")

    def docs_asset(self, request: Request, asset: str) -> Response:
        if asset not in _ASSETS:
            return problem(404, "Not Found", f"no asset {asset}")
        file_name, content_type = _ASSETS[asset]
        content = (_SWAGGER_DIR / file_name).read_bytes()
        response = Response(content, content_type=content_type)
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response
