"""Fixtures that read template.yaml as CloudFormation writes it (short tags and all)."""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from local.template import load_yaml

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


def _stand_in(value: Any, parameters: dict[str, Any]) -> str:
    """A plausible local value for an environment variable the template computes."""
    if isinstance(value, str | int | float):
        return str(value)
    ref = value.get("Ref") if isinstance(value, dict) else None
    if ref in parameters and "Default" in parameters[ref]:
        return str(parameters[ref]["Default"])
    if isinstance(ref, str):
        return f"backline-{ref.lower()}"
    return "stand-in-" + "0" * 40


@pytest.fixture(scope="session")
def lambda_environment(template: dict[str, Any]) -> Callable[[str], dict[str, str]]:
    """The environment Lambda would give a function, with stand-ins for computed values."""

    def build(function_name: str) -> dict[str, str]:
        function = template["Resources"][function_name]["Properties"]
        parameters = template.get("Parameters", {})
        variables = {
            **template["Globals"]["Function"].get("Environment", {}).get("Variables", {}),
            **function.get("Environment", {}).get("Variables", {}),
        }
        code_uri = REPO_ROOT / function["CodeUri"]
        return {
            **{name: _stand_in(value, parameters) for name, value in variables.items()},
            "PYTHONPATH": f"{code_uri}{os.pathsep}{REPO_ROOT / 'shared'}",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_LAMBDA_FUNCTION_NAME": function_name,
        }

    return build
