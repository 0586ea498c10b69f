"""Every function runs on python3.12/arm64, keeps its logs for a while and raises an alarm."""

from typing import Any

Resources = dict[str, dict[str, Any]]


def _effective(template: dict[str, Any], function: dict[str, Any], key: str) -> Any:
    own = function["Properties"].get(key)
    return own if own is not None else template["Globals"]["Function"].get(key)


def test_function_runs_python312_on_arm64(
    template: dict[str, Any], functions: Resources, function_name: str
) -> None:
    function = functions[function_name]

    assert _effective(template, function, "Runtime") == "python3.12"
    assert _effective(template, function, "Architectures") == ["arm64"]


def test_shared_layer_is_built_for_python312_on_arm64(resources: Resources) -> None:
    layers = [r for r in resources.values() if r["Type"] == "AWS::Serverless::LayerVersion"]

    assert layers
    for layer in layers:
        assert layer["Properties"]["CompatibleRuntimes"] == ["python3.12"]
        assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
        assert layer["Metadata"] == {"BuildMethod": "python3.12", "BuildArchitecture": "arm64"}


def test_function_has_a_log_group_with_retention(resources: Resources, function_name: str) -> None:
    expected_name = {"Fn::Sub": f"/aws/lambda/${{{function_name}}}"}
    log_groups = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Logs::LogGroup" and r["Properties"]["LogGroupName"] == expected_name
    ]

    assert len(log_groups) == 1, f"{function_name} needs exactly one log group"
    assert log_groups[0].get("RetentionInDays"), f"{function_name}'s logs would be kept forever"


def test_function_has_an_errors_alarm(resources: Resources, function_name: str) -> None:
    alarms = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
        and r["Properties"].get("Namespace") == "AWS/Lambda"
        and r["Properties"].get("MetricName") == "Errors"
        and {"Name": "FunctionName", "Value": {"Ref": function_name}}
        in r["Properties"].get("Dimensions", [])
    ]

    assert alarms, f"{function_name} has no alarm on its Errors metric"
    assert all(alarm.get("AlarmActions") for alarm in alarms)
