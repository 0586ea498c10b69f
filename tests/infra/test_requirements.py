"""The layer ships what pyproject.toml declares, and functions ship nothing of their own."""

import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def _requirements(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def test_layer_requirements_mirror_project_dependencies() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]

    assert _requirements(REPO_ROOT / "shared" / "requirements.txt") == project["dependencies"]


@pytest.mark.parametrize("function_folder", ["customers", "portal"])
def test_function_requirements_are_empty(function_folder: str) -> None:
    path = REPO_ROOT / "functions" / function_folder / "requirements.txt"

    assert _requirements(path) == []
