"""SQS event sources and schedules running on their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local import RunningStack, start
from local.workers import failed_message_ids
from tests.local.helpers import TEMPLATE, client, recorded, wait_for


@pytest.fixture(scope="module")
def stack() -> Iterator[RunningStack]:
    # 600 times faster: rate(1 minute) fires every 0.1 s.
    running = start(
        TEMPLATE, stack_name="local-workers", time_scale=600, echo_mail=False, access_log=False
    )
    yield running
    running.stop()


def queue_url(stack: RunningStack, logical_id: str) -> str:
    return str(stack.template.ref(logical_id))


def deliveries(stack: RunningStack, body: str) -> list[str]:
    return sorted(item["SK"] for item in recorded(stack, "sqs") if item["SK"].startswith(body))


def test_poller_deletes_the_messages_that_succeeded(stack: RunningStack) -> None:
    sqs = client(stack, "sqs")
    url = queue_url(stack, "Jobs")

    sqs.send_message(QueueUrl=url, MessageBody="ok-1")

    wait_for(lambda: deliveries(stack, "ok-1#"))
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
    assert deliveries(stack, "ok-1#") == ["ok-1#1"]


def test_poller_leaves_failed_message_for_redelivery(stack: RunningStack) -> None:
    sqs = client(stack, "sqs")
    url = queue_url(stack, "Jobs")

    sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "1", "MessageBody": "ok-2"},
            {"Id": "2", "MessageBody": "fail-2"},
        ],
    )

    assert wait_for(lambda: deliveries(stack, "fail-2#") == ["fail-2#1", "fail-2#2"])
    assert deliveries(stack, "ok-2#") == ["ok-2#1"]


def test_message_failing_max_receive_count_times_lands_in_the_dead_letter_queue(
    stack: RunningStack,
) -> None:
    sqs = client(stack, "sqs")

    sqs.send_message(QueueUrl=queue_url(stack, "Jobs"), MessageBody="fail-3")

    seen: list[str] = []

    def dead_letters() -> bool:
        answer = sqs.receive_message(
            QueueUrl=queue_url(stack, "DeadLetters"), MaxNumberOfMessages=10, VisibilityTimeout=60
        )
        seen.extend(message["Body"] for message in answer.get("Messages", []))
        return "fail-3" in seen

    assert wait_for(dead_letters)
    assert deliveries(stack, "fail-3#") == ["fail-3#1", "fail-3#2"]


def test_rate_schedule_fires_on_its_own(stack: RunningStack) -> None:
    def runs() -> list[dict[str, object]]:
        return [item for item in recorded(stack, "tick") if item["source"] == "every-minute"]

    assert wait_for(lambda: len(runs()) >= 3)


def test_disabled_schedule_does_not_fire_on_its_own(stack: RunningStack) -> None:
    assert not [item for item in recorded(stack, "tick") if item["source"] == "unknown"]


@pytest.mark.parametrize(
    ("result", "failed"),
    [
        (None, set()),
        ({}, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "b"}]}, {"b"}),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, {"a", "b"}),
        ({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, {"a", "b"}),
        ({"batchItemFailures": [{"id": "a"}]}, {"a", "b"}),
        ("not an object", {"a", "b"}),
    ],
)
def test_batch_item_failures_are_read_as_lambda_reads_them(
    result: object, failed: set[str]
) -> None:
    assert failed_message_ids(result, {"a", "b"}) == failed
