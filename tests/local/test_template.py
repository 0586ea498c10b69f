"""Reading templates: short tags, intrinsic functions, and what the stack derives."""

from __future__ import annotations

from pathlib import Path

import pytest

from local.template import DEFAULT_TEMPLATE, Template, TemplateError, load_yaml
from tests.local.helpers import FIXTURES, TEMPLATE


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(text)
    return path


def test_short_tags_load_as_long_form(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
Resources:
  Thing:
    Type: AWS::SQS::Queue
    Properties:
      A: !Ref Other
      B: !GetAtt Other.Arn
      C: !Sub "x-${Other}"
      D: !If [Cond, 1, 2]
      E: !Not [!Equals [a, b]]
""",
    )

    properties = load_yaml(path)["Resources"]["Thing"]["Properties"]

    assert properties == {
        "A": {"Ref": "Other"},
        "B": {"Fn::GetAtt": ["Other", "Arn"]},
        "C": {"Fn::Sub": "x-${Other}"},
        "D": {"Fn::If": ["Cond", 1, 2]},
        "E": {"Fn::Not": [{"Fn::Equals": ["a", "b"]}]},
    }


def test_intrinsics_resolve_against_parameters_pseudo_parameters_and_names() -> None:
    template = Template(TEMPLATE, stack_name="stack")

    environment = template.function_spec("EchoFunction").environment

    assert environment["FLAVOUR"] == "mild"
    assert environment["SENDER"] == "sender@example.com"
    assert environment["WHERE"] == "us-east-1/stack/123456789012"
    assert environment["TABLE_NAME"] == "stack-Table"
    assert environment["MAIL_CONFIGURATION_SET"] == "stack-mail"


def test_parameter_override_flips_conditions() -> None:
    template = Template(TEMPLATE, parameters={"Flavour": "spicy"})

    assert template.function_spec("EchoFunction").environment["FLAVOUR"] == "hot"
    assert "SpicyOnlyQueue" in template.creation_order()


def test_resource_with_false_condition_is_not_created() -> None:
    order = Template(TEMPLATE).creation_order()

    assert "SpicyOnlyQueue" not in order
    assert order.index("DeadLetters") < order.index("Jobs")
    assert order.index("StaffPool") < order.index("StaffClient")


def test_dynamic_reference_becomes_a_random_value_that_stays_the_same() -> None:
    template = Template(TEMPLATE)

    first = template.function_spec("EchoFunction").environment
    second = template.function_spec("WorkerFunction").environment

    assert len(first["OTHER_SECRET"]) >= 32
    assert "{{resolve" not in first["SECRET_VALUE"]
    assert first["OTHER_SECRET"] == second["OTHER_SECRET"]
    assert first["SECRET_VALUE"] != first["OTHER_SECRET"]


def test_globals_and_function_settings_merge() -> None:
    spec = Template(TEMPLATE).function_spec("EchoFunction")

    assert spec.code_dir == FIXTURES / "functions"
    assert spec.layer_dirs == (FIXTURES / "layer",)
    assert (spec.module, spec.attribute) == ("fixture_echo", "handler")
    assert (spec.memory_mb, spec.timeout_s) == (256, 5.0)
    assert {"TABLE_NAME", "MAIL_CONFIGURATION_SET"} <= set(spec.environment)


def test_unsupported_intrinsic_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    template = Template(path)

    with pytest.raises(TemplateError, match="Fn::Transform"):
        template.resolve({"Fn::Transform": {}})


def test_real_template_routes_use_the_default_authorizer_unless_none() -> None:
    routes = {route.route_key: route for route in Template(DEFAULT_TEMPLATE).route_specs()}

    staff = routes["GET /customers/{customer_id}"]
    public = routes["POST /studios/{studio_id}/bookings"]
    assert staff.authorizer is not None
    assert staff.authorizer.name == "StaffAuthorizer"
    assert staff.function_id == "CustomersApiFunction"
    assert public.authorizer is None


def test_real_template_functions_run_with_shared_on_their_path() -> None:
    template = Template(DEFAULT_TEMPLATE)

    spec = template.function_spec("CustomersApiFunction")

    assert spec.layer_dirs == (DEFAULT_TEMPLATE.parent / "shared",)
    assert spec.environment["TABLE_NAME"] == "backline-local-Table"
    assert spec.environment["POWERTOOLS_SERVICE_NAME"] == "customers"
    assert spec.environment["CURSOR_SECRET"]


def test_route_authorizer_names_issuer_and_audience_of_the_pool() -> None:
    template = Template(TEMPLATE)
    template.set_physical("CustomerPool", "us-east-1_pool")
    template.set_physical("CustomerClient", "client-1")

    route = next(r for r in template.route_specs() if r.path == "/portal/echo")

    assert route.authorizer is not None
    assert route.authorizer.issuer == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"
    assert route.authorizer.audience == ("client-1",)
    assert route.authorizer.identity_header == "authorization"


def test_schedules_come_from_function_events_and_scheduler_resources() -> None:
    schedules = {spec.name: spec for spec in Template(TEMPLATE).schedule_specs()}

    assert set(schedules) == {"EveryMinute", "Nightly", "WeeklyReport"}
    assert schedules["EveryMinute"].expression == "rate(1 minute)"
    assert schedules["EveryMinute"].payload == {"source": "every-minute"}
    assert schedules["Nightly"].enabled is False
    assert schedules["WeeklyReport"].function_id == "TickFunction"
    assert schedules["WeeklyReport"].timezone == "Europe/London"


def test_queue_sources_read_batch_size_and_failure_reports() -> None:
    (source,) = Template(TEMPLATE).queue_source_specs()

    assert source.function_id == "WorkerFunction"
    assert source.queue_arn == "arn:aws:sqs:us-east-1:123456789012:backline-local-Jobs"
    assert source.batch_size == 5
    assert source.report_batch_item_failures is True
