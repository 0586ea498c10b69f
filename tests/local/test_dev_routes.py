"""Routes only the local stack has: tokens, mail, schedules and the API's docs."""

from __future__ import annotations

import json

import pytest
import requests

from local import RunningStack
from local.openapi import build_openapi, main
from tests.local.helpers import TEMPLATE, claims, client, recorded, wait_for


def test_token_for_staff_carries_studio_and_role(stack: RunningStack) -> None:
    answer = requests.post(
        f"{stack.url}/_local/token", json={"studio_id": "studio-9", "role": "owner"}, timeout=10
    )

    assert answer.status_code == 200
    token = claims(answer.json()["token"])
    staff_pool = stack.resources.user_pools["StaffPool"]
    assert token["custom:studio_id"] == "studio-9"
    assert token["custom:role"] == "owner"
    assert token["token_use"] == "id"
    assert token["iss"].endswith(f"/{staff_pool.pool_id}")
    assert token["aud"] == staff_pool.client_ids[0]


def test_token_for_customer_comes_from_the_customers_pool(stack: RunningStack) -> None:
    body = {"studio_id": "studio-9", "customer_id": "cus_42"}

    first = requests.post(f"{stack.url}/_local/token", json=body, timeout=10)
    again = requests.post(f"{stack.url}/_local/token", json=body, timeout=10)

    token = claims(again.json()["token"])
    customer_pool = stack.resources.user_pools["CustomerPool"]
    assert first.status_code == again.status_code == 200
    assert token["custom:customer_id"] == "cus_42"
    assert token["custom:studio_id"] == "studio-9"
    assert token["iss"].endswith(f"/{customer_pool.pool_id}")
    assert token["sub"] == claims(first.json()["token"])["sub"]  # the same user, made once


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b""])
def test_token_refuses_a_body_that_is_not_a_json_object(stack: RunningStack, body: bytes) -> None:
    answer = requests.post(f"{stack.url}/_local/token", data=body, timeout=10)

    assert answer.status_code == 400
    assert answer.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"studio_id": "s1", "role": "owner", "customer_id": "c1"}, []),
        ({"studio_id": "s1"}, []),
        ({"studio_id": "s1", "role": "admin"}, ["role"]),
        ({"studio_id": "bad id!", "role": "owner"}, ["studio_id"]),
        ({"studio_id": "s1", "role": "owner", "extra": 1}, ["extra"]),
    ],
)
def test_token_refuses_invalid_fields_with_422(
    stack: RunningStack, body: dict[str, object], location: list[str]
) -> None:
    answer = requests.post(f"{stack.url}/_local/token", json=body, timeout=10)

    assert answer.status_code == 422
    problem = answer.json()
    assert problem["status"] == 422
    assert location in [error["loc"] for error in problem["errors"]]
    assert {"loc", "msg", "type"} <= set(problem["errors"][0])


def test_mail_lists_mail_a_function_sent_through_sesv2(stack: RunningStack) -> None:
    sent = requests.post(
        f"{stack.url}/mail", json={"to": "ada@example.com", "subject": "Invitation"}, timeout=10
    )

    items = requests.get(f"{stack.url}/_local/mail", timeout=10).json()["items"]

    assert sent.status_code == 202
    mail = next(item for item in items if item["subject"] == "Invitation")
    assert mail["to"] == "ada@example.com"
    assert '<a href="https://studio.example.com/invite?token=abc">' in mail["html"]
    assert "Accept (https://studio.example.com/invite?token=abc)" in mail["text"]
    assert mail["sent_at"].endswith("Z")


def test_mail_lists_raw_mail_newest_last(stack: RunningStack) -> None:
    ses = client(stack, "ses")
    for subject in ("First", "Second"):
        raw = (
            "From: sender@example.com\r\nTo: bob@example.com\r\n"
            f"Subject: {subject}\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
            "--b\r\nContent-Type: text/plain\r\n\r\nplain words\r\n"
            "--b\r\nContent-Type: text/html\r\n\r\n<p>html words</p>\r\n--b--\r\n"
        )
        ses.send_raw_email(RawMessage={"Data": raw.encode()})

    items = requests.get(f"{stack.url}/_local/mail", timeout=10).json()["items"]

    assert [item["subject"] for item in items][-2:] == ["First", "Second"]
    assert items[-1]["to"] == "bob@example.com"
    assert items[-1]["text"].strip() == "plain words"
    assert items[-1]["html"].strip() == "<p>html words</p>"


def test_schedules_lists_the_templates_schedules(stack: RunningStack) -> None:
    items = requests.get(f"{stack.url}/_local/schedules", timeout=10).json()["items"]

    listed = {item["name"]: item["expression"] for item in items}
    assert listed == {
        "EveryMinute": "rate(1 minute)",
        "Nightly": "cron(0 3 * * ? *)",
        "WeeklyReport": "cron(0 9 ? * MON *)",
    }


def test_schedule_runs_on_demand_and_answers_its_result(stack: RunningStack) -> None:
    answer = requests.post(f"{stack.url}/_local/schedules/WeeklyReport/run", timeout=10)

    assert answer.status_code == 200
    assert answer.json() == {
        "name": "WeeklyReport",
        "result": {"ticked": True, "source": "weekly-report"},
    }
    assert any(item["source"] == "weekly-report" for item in recorded(stack, "tick"))


def test_disabled_schedule_still_runs_on_demand_with_the_default_event(
    stack: RunningStack,
) -> None:
    answer = requests.post(f"{stack.url}/_local/schedules/Nightly/run", timeout=10)

    assert answer.json()["result"] == {"ticked": True, "source": "unknown"}


def test_unknown_schedule_is_not_found(stack: RunningStack) -> None:
    answer = requests.post(f"{stack.url}/_local/schedules/Nope/run", timeout=10)

    assert answer.status_code == 404


def test_openapi_merges_the_handlers_schema_with_the_templates_auth(stack: RunningStack) -> None:
    document = requests.get(f"{stack.url}/openapi.json", timeout=10).json()

    assert document["info"]["title"] == "Backline"
    assert set(document["paths"]) == {
        "/things/special",
        "/things/{thing_id}",
        "/things",
        "/studio",
    }
    assert document["paths"]["/things"]["post"]["security"] == [{"Staff": []}]
    assert document["paths"]["/studio"]["patch"]["security"] == [{"Staff": []}]
    assert "Thing" in document["components"]["schemas"]
    assert document["components"]["securitySchemes"]["Staff"]["scheme"] == "bearer"


def test_docs_page_uses_the_bundled_swagger_ui(stack: RunningStack) -> None:
    page = requests.get(f"{stack.url}/docs", timeout=10)
    script = requests.get(f"{stack.url}/docs/swagger-ui-bundle.js", timeout=10)
    style = requests.get(f"{stack.url}/docs/swagger-ui.css", timeout=10)

    assert page.status_code == script.status_code == style.status_code == 200
    assert "/openapi.json" in page.text
    assert "https://" not in page.text
    assert "SwaggerUIBundle" in script.text


def test_openapi_command_prints_sorted_json_with_a_final_newline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main([str(TEMPLATE)])

    printed = capsys.readouterr().out
    assert printed.endswith("}\n")
    assert printed == json.dumps(build_openapi(TEMPLATE), sort_keys=True, indent=2) + "\n"


def test_seed_calls_the_api_as_the_demo_studio_owner(stack: RunningStack) -> None:
    from local.stack import DEMO_CUSTOMERS, seed_demo_studio

    outcome = seed_demo_studio(stack)

    calls = wait_for(lambda: recorded(stack, "seed"))
    assert outcome["studio"] == 200
    assert len(outcome["customers"]) == len(DEMO_CUSTOMERS)
    assert {call["studio_id"] for call in calls} == {"demo-studio"}
    assert {call["role"] for call in calls} == {"owner"}
    assert "PATCH /studio#Demo Rehearsal Rooms" in {call["SK"] for call in calls}
