"""No policy in the template lets a function scan the table or do anything to it."""

from collections.abc import Iterator
from typing import Any

# SAM policy templates and AWS managed policies that grant dynamodb:Scan or every action.
TOO_BROAD_POLICIES = {
    "DynamoDBCrudPolicy",
    "DynamoDBReadPolicy",
    "AmazonDynamoDBFullAccess",
    "AmazonDynamoDBReadOnlyAccess",
}


def _actions(node: Any) -> Iterator[str]:
    """Every IAM action named anywhere under `node` (Action and NotAction alike)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"Action", "NotAction"}:
                yield from [value] if isinstance(value, str) else value
            else:
                yield from _actions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _actions(item)


def _policy_names(resources: dict[str, dict[str, Any]]) -> Iterator[str]:
    for resource in resources.values():
        properties = resource.get("Properties", {})
        policies = properties.get("Policies", [])
        for policy in [policies] if isinstance(policies, str | dict) else policies:
            if isinstance(policy, str):
                yield policy
            elif isinstance(policy, dict):
                yield from (key for key in policy if key != "Statement")
        for arn in properties.get("ManagedPolicyArns", []):
            yield str(arn)


def test_no_policy_grants_scan(template: dict[str, Any]) -> None:
    actions = [action.lower() for action in _actions(template["Resources"])]

    assert "dynamodb:scan" not in actions


def test_no_policy_grants_wildcard_table_actions(template: dict[str, Any]) -> None:
    wildcards = [
        action
        for action in _actions(template["Resources"])
        if action == "*" or (action.lower().startswith("dynamodb:") and "*" in action)
    ]

    assert wildcards == []


def test_no_function_uses_a_broad_table_policy(resources: dict[str, dict[str, Any]]) -> None:
    used = [
        name
        for name in _policy_names(resources)
        if any(broad in name for broad in TOO_BROAD_POLICIES)
    ]

    assert used == []
