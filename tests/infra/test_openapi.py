"""The committed OpenAPI document is the one the code describes."""

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_committed_openapi_matches_the_code() -> None:
    built = subprocess.run(
        [sys.executable, "-m", "local.openapi"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    committed = (REPO_ROOT / "docs" / "openapi.json").read_text()

    assert json.loads(built.stdout) == json.loads(committed), "run `make openapi` and commit it"


def test_every_route_of_the_contract_is_documented() -> None:
    document = json.loads((REPO_ROOT / "docs" / "openapi.json").read_text())
    operations = {
        f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
    }

    for route in (
        "GET /customers",
        "POST /customers",
        "PATCH /customers/{customer_id}",
        "PUT /customers/{customer_id}/status",
        "POST /studios/{studio_id}/bookings",
        "PATCH /studio",
    ):
        assert route in operations
