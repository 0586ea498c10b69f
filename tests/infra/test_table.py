"""The one table keeps its data safe: recovery, protection, encryption, expiry, on-demand."""

from typing import Any

import pytest


@pytest.fixture(scope="module")
def tables(resources: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    found = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table"]
    assert found, "the template declares no DynamoDB table"
    return found


def test_table_has_point_in_time_recovery(tables: list[dict[str, Any]]) -> None:
    for table in tables:
        assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_table_has_deletion_protection(tables: list[dict[str, Any]]) -> None:
    for table in tables:
        assert table["DeletionProtectionEnabled"] is True


def test_table_expires_items_on_expires_at(tables: list[dict[str, Any]]) -> None:
    for table in tables:
        assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_table_is_encrypted_at_rest(tables: list[dict[str, Any]]) -> None:
    for table in tables:
        assert table["SSESpecification"]["SSEEnabled"] is True


def test_table_bills_per_request(tables: list[dict[str, Any]]) -> None:
    for table in tables:
        assert table["BillingMode"] == "PAY_PER_REQUEST"


def test_table_is_retained_when_the_stack_goes(resources: dict[str, dict[str, Any]]) -> None:
    for resource in resources.values():
        if resource["Type"] == "AWS::DynamoDB::Table":
            assert resource["DeletionPolicy"] == "Retain"
            assert resource["UpdateReplacePolicy"] == "Retain"
