"""The batch Lambda handlers on moto: schedule input in, SQS messages out, SQS batches in.

The events are the ones AWS sends: EventBridge Scheduler's JSON input (as the stack sets it,
with the tick's time) and SQS's batch event. The due-finder enqueues on moto's SQS; the
messages it wrote are received back and handed to the worker as an SQS event, so what one
handler writes is what the other reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from slack_sdk import WebClient

from cloudstro.batch import lambda_handler
from cloudstro.batch.jobs import BatchJobs, WorkUnit
from cloudstro.config import fixed_clock
from cloudstro.store import Store
from tests.support.builders import add_account, add_posts, add_user
from tests.support.constants import NOW
from tests.support.mock_slack import MockSlack

QUEUE = "cloudstro-test-work"


@pytest.fixture
def slack() -> Iterator[MockSlack]:
    with MockSlack() as mock:
        yield mock


@pytest.fixture
def sqs(moto_store: Store) -> Any:  # moto_store keeps mock_aws active for the test
    return boto3.client("sqs", region_name="us-east-1")


@pytest.fixture
def queue_url(sqs: Any) -> str:
    return sqs.create_queue(QueueName=QUEUE)["QueueUrl"]


@pytest.fixture
def jobs(moto_store: Store, slack: MockSlack, sqs: Any, queue_url: str) -> Iterator[BatchJobs]:
    settings = moto_store.settings.model_copy(update={"work_queue_url": queue_url})
    jobs = BatchJobs(moto_store, settings, clock=fixed_clock(NOW),
                     slack_client=WebClient(token="xoxb-test-token", base_url=slack.base_url))
    lambda_handler.configure(jobs, sqs)
    yield jobs
    lambda_handler.configure(None, None)  # type: ignore[arg-type]


def schedule_input(job: str) -> dict[str, Any]:
    """What the Scheduler target sends: the stack's input with <aws.scheduler.scheduled-time>."""
    return {"job": job, "scheduledAt": NOW.isoformat().replace("+00:00", "Z")}


def received(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                       AttributeNames=["All"]).get("Messages"):
        messages += batch
    return messages


def sqs_event(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """An SQS batch as Lambda's event source mapping delivers it."""
    return {"Records": [{
        "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"], "attributes": message.get("Attributes", {}),
        "messageAttributes": {}, "md5OfBody": message["MD5OfBody"], "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:{QUEUE}",
        "awsRegion": "us-east-1"} for message in messages]}


def test_insights_tick_enqueues_one_unit_per_active_user_and_the_worker_refreshes_them(
        moto_store: Store, jobs: BatchJobs, sqs: Any, queue_url: str) -> None:
    for index in range(13):  # more than one SQS batch of ten
        add_user(moto_store, f"u{index:02d}")
    add_posts(moto_store, "u00", "twitter", NOW - timedelta(days=20), 12)

    answer = lambda_handler.find_due(schedule_input("insights"), None)

    assert answer == {"job": "insights", "enqueued": 13}
    messages = received(sqs, queue_url)
    units = [WorkUnit.model_validate_json(message["Body"]) for message in messages]
    assert sorted(unit.userId for unit in units) == [f"u{index:02d}" for index in range(13)]
    assert {unit.scheduledAt for unit in units} == {NOW}
    assert moto_store.insights.ids_for_user("u00") == []

    result = lambda_handler.work(sqs_event(messages[:10]), None)
    result_rest = lambda_handler.work(sqs_event(messages[10:]), None)

    assert result == result_rest == {"batchItemFailures": []}
    assert moto_store.insights.ids_for_user("u00") != []


def test_a_batch_reports_only_the_units_to_retry(moto_store: Store, jobs: BatchJobs,
                                                 slack: MockSlack) -> None:
    add_user(moto_store, "linked", slack_user="U0LINK")
    add_posts(moto_store, "linked", "twitter", NOW - timedelta(days=20), 8)
    slack.fail("chat.postMessage", error="channel_not_found")
    digest = WorkUnit(job="digest", userId="linked", scheduledAt=NOW)
    insights = WorkUnit(job="insights", userId="linked", scheduledAt=NOW)
    messages = [
        {"MessageId": "m-digest", "ReceiptHandle": "r1", "MD5OfBody": "x",
         "Body": digest.model_dump_json()},
        {"MessageId": "m-insights", "ReceiptHandle": "r2", "MD5OfBody": "x",
         "Body": insights.model_dump_json()},
        {"MessageId": "m-garbage", "ReceiptHandle": "r3", "MD5OfBody": "x",
         "Body": json.dumps({"job": "unknown", "userId": "linked"})},
    ]

    result = lambda_handler.work(sqs_event(messages), None)

    # Slack refused the digest (retry later), the insights refresh worked, the garbage is
    # reported so that redrive parks it in the dead-letter queue.
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-digest"},
                                            {"itemIdentifier": "m-garbage"}]}
    assert moto_store.insights.ids_for_user("linked") != []


def test_digest_tick_enqueues_only_digests_not_yet_sent(
        moto_store: Store, jobs: BatchJobs, sqs: Any, queue_url: str, slack: MockSlack) -> None:
    add_user(moto_store, "due", slack_user="U0DUE")
    add_user(moto_store, "off", slack_user="U0OFF", enabled=False)
    add_user(moto_store, "nowhere")  # no Slack user, no channel: nothing to send to
    add_posts(moto_store, "due", "twitter", NOW - timedelta(days=20), 8)

    assert lambda_handler.find_due(schedule_input("digest"), None)["enqueued"] == 1
    messages = received(sqs, queue_url)
    assert [WorkUnit.model_validate_json(m["Body"]).userId for m in messages] == ["due"]
    assert lambda_handler.work(sqs_event(messages), None) == {"batchItemFailures": []}
    assert len(slack.calls_to("chat.postMessage", channel="U0DUE")) == 1

    # The next tick finds nothing; a redelivered message sends nothing twice.
    assert lambda_handler.find_due(schedule_input("digest"), None)["enqueued"] == 0
    assert lambda_handler.work(sqs_event(messages), None) == {"batchItemFailures": []}
    assert len(slack.calls_to("chat.postMessage", channel="U0DUE")) == 1


def test_sync_tick_enqueues_each_due_account_with_its_key(
        moto_store: Store, jobs: BatchJobs, sqs: Any, queue_url: str) -> None:
    add_user(moto_store, "owner")
    add_account(moto_store, "owner", "twitter", "111")
    add_account(moto_store, "owner", "tiktok", "222")

    assert lambda_handler.find_due(schedule_input("sync"), None)["enqueued"] == 2
    units = sorted((WorkUnit.model_validate_json(m["Body"]) for m in received(sqs, queue_url)),
                   key=lambda unit: unit.platform or "")
    assert [(u.job, u.userId, u.platform, u.accountId) for u in units] == [
        ("sync", "owner", "tiktok", "222"), ("sync", "owner", "twitter", "111")]


def test_a_sync_unit_for_an_account_that_is_gone_is_retried_then_dead_lettered(
        moto_store: Store, jobs: BatchJobs) -> None:
    unit = WorkUnit(job="sync", userId="owner", platform="twitter", accountId="999",
                    scheduledAt=NOW)
    outcome = jobs.run(unit)
    assert (outcome.status, outcome.retry) == ("error", True)
    assert "no twitter account 999" in outcome.detail


def test_a_schedule_input_that_is_not_a_job_fails_the_invocation(jobs: BatchJobs) -> None:
    with pytest.raises(ValueError, match="job"):
        lambda_handler.find_due({"job": "everything"}, None)


def test_the_finder_refuses_to_run_without_a_queue(moto_store: Store, sqs: Any) -> None:
    lambda_handler.configure(BatchJobs(moto_store, moto_store.settings), sqs)
    try:
        with pytest.raises(RuntimeError, match="CLOUDSTRO_WORK_QUEUE_URL"):
            lambda_handler.find_due(schedule_input("insights"), None)
    finally:
        lambda_handler.configure(None, None)  # type: ignore[arg-type]
