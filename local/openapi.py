"""The API's OpenAPI document, built from the handlers' own resolvers.

Each function behind an `HttpApi` route is imported and the schema of its module-level
resolver `app` is merged: a Powertools resolver's `get_openapi_schema()`, or the
`openapi()` dict (`paths`, `components`) of a resolver that offers that instead. The
template decides who may call what, so the bearer security schemes come from its JWT
authorizers and each operation's `security` from its route.

`python -m local.openapi` prints the document (sorted keys, indent 2) for
`make openapi` to write to docs/openapi.json.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

from local.runtime import Functions
from local.template import DEFAULT_TEMPLATE, REGION, REPO_ROOT, RouteSpec, Template

TITLE = "Backline"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def build_openapi(template_path: str | Path = DEFAULT_TEMPLATE) -> dict[str, Any]:
    """The OpenAPI document for a template, without starting the stack.

    The functions are imported with their template environment (resource names take
    their local defaults) and set aside again afterwards, as is os.environ.
    """
    template = Template(Path(template_path))
    functions = Functions(template.function_spec(fid) for fid in template.function_ids())
    saved = dict(os.environ)
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    functions.open()
    try:
        return openapi_document(template, functions)
    finally:
        functions.close()
        os.environ.clear()
        os.environ.update(saved)


def openapi_document(template: Template, functions: Functions) -> dict[str, Any]:
    """Merge the schema of every routed function's `app` and apply the template's auth."""
    routes = template.route_specs()
    description = " ".join(str(template.document.get("Description", "")).split())
    merger = OpenAPIMerge(title=TITLE, version=_project_version(), description=description or None)
    for function_id in dict.fromkeys(route.function_id for route in routes):
        with redirect_stdout(sys.stderr):
            app: Any = getattr(functions.module(function_id), "app", None)
        if hasattr(app, "get_openapi_schema"):  # a Powertools resolver
            merger.add_schema(app.get_openapi_schema())
        elif callable(getattr(app, "openapi", None)):  # gives {"paths", "components"}
            merger.add_schema(app.openapi())
        else:
            print(f"[openapi] {function_id} has no resolver named app", file=sys.stderr)
    document: dict[str, Any] = json.loads(json.dumps(merger.get_openapi_schema(), default=str))
    _apply_template_auth(document, routes)
    return document


def _apply_template_auth(document: dict[str, Any], routes: list[RouteSpec]) -> None:
    """Security schemes from the authorizers; each operation's security from its route."""
    schemes: dict[str, Any] = {}
    for route in routes:
        if route.authorizer is not None:
            schemes[route.authorizer.name] = {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": f"Cognito ID token, checked by the {route.authorizer.name} "
                "JWT authorizer. Locally: POST /_local/token.",
            }
    if schemes:
        components = document.setdefault("components", {})
        components.setdefault("securitySchemes", {}).update(schemes)

    paths = document.get("paths", {})
    routed: set[tuple[str, str]] = set()
    for route in routes:
        item = paths.get(route.path, {})
        methods = _METHODS if route.method == "ANY" else (route.method.lower(),)
        for method in methods:
            routed.add((method, route.path))
            if method in item:
                item[method]["security"] = (
                    [{route.authorizer.name: []}] if route.authorizer is not None else []
                )
    for path, item in paths.items():
        for method in item:
            if method in _METHODS and (method, path) not in routed:
                warning = f"[openapi] {method.upper()} {path} has no route in the template"
                print(warning, file=sys.stderr)


def _project_version() -> str:
    pyproject = REPO_ROOT / "pyproject.toml"
    if not pyproject.is_file():
        return "0.0.0"
    with pyproject.open("rb") as stream:
        return str(tomllib.load(stream).get("project", {}).get("version", "0.0.0"))


def main(argv: list[str] | None = None) -> None:
    arguments = sys.argv[1:] if argv is None else argv
    template_path = Path(arguments[0]) if arguments else DEFAULT_TEMPLATE
    document = build_openapi(template_path)
    sys.stdout.write(json.dumps(document, sort_keys=True, indent=2) + "\n")


if __name__ == "__main__":
    main()
