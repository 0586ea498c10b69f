"""The local stack built from the real template.yaml: its table is the template's table."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import boto3
import pytest

from local import RunningStack, start
from tests.support import ROOT, template


@pytest.fixture(scope="module")
def real_stack() -> Iterator[RunningStack]:
    running = start(ROOT / "template.yaml", stack_name="real-template", echo_mail=False)
    yield running
    running.stop()


def _keys(schema: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    return [(key["AttributeName"], key["KeyType"]) for key in schema]


def test_the_local_table_has_the_templates_keys_indexes_and_ttl(real_stack: RunningStack) -> None:
    declared = template()["Resources"]["Table"]["Properties"]
    client = boto3.client("dynamodb", endpoint_url=real_stack.aws_endpoint)
    (name,) = real_stack.table_names

    table = client.describe_table(TableName=name)["Table"]
    ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]

    assert _keys(table["KeySchema"]) == _keys(declared["KeySchema"])
    local_indexes = {
        index["IndexName"]: (_keys(index["KeySchema"]), index["Projection"]["ProjectionType"])
        for index in table["GlobalSecondaryIndexes"]
    }
    template_indexes = {
        index["IndexName"]: (_keys(index["KeySchema"]), index["Projection"]["ProjectionType"])
        for index in declared["GlobalSecondaryIndexes"]
    }
    assert local_indexes == template_indexes
    assert ttl["AttributeName"] == declared["TimeToLiveSpecification"]["AttributeName"]
    assert ttl["TimeToLiveStatus"] == "ENABLED"


def test_every_template_route_reaches_its_handler(real_stack: RunningStack) -> None:
    import requests

    token = real_stack.token("route-check", role="owner")
    for route in real_stack.template.route_specs():
        path = route.path.replace("{", "").replace("}", "")
        answer = requests.request(
            route.method,
            f"{real_stack.url}{path}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert answer.status_code != 500, f"{route.method} {route.path}: {answer.text}"
        if answer.status_code == 404:
            assert answer.json()["detail"] != "no such route", f"{route.method} {route.path}"
