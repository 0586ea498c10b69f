"""Fixtures that read template.yaml as CloudFormation writes it (short tags and all)."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from local.template import load_yaml
from tests.support import lambda_environment as support_environment

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    return load_yaml(path)


def _has_http_events(function: dict[str, Any]) -> bool:
    events = function["Properties"].get("Events", {}).values()
    return any(event["Type"] == "HttpApi" for event in events)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a test once per template function (`function_name`) or per API function."""
    functions = {
        name: resource
        for name, resource in load_template()["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    if "function_name" in metafunc.fixturenames:
        metafunc.parametrize("function_name", list(functions))
    if "api_function_name" in metafunc.fixturenames:
        api_names = [name for name, function in functions.items() if _has_http_events(function)]
        metafunc.parametrize("api_function_name", api_names)


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="session")
def resources(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = template["Resources"]
    return found


@pytest.fixture(scope="session")
def functions(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        name: resource
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


@pytest.fixture(scope="session")
def lambda_environment(template: dict[str, Any]) -> Callable[[str], dict[str, str]]:
    """The environment Lambda would give a function, with stand-ins for computed values."""

    def build(function_name: str) -> dict[str, str]:
        return support_environment(template, function_name)

    return build
