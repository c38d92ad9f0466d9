"""On AWS a connection's first sync goes through the work queue, not a thread.

A Lambda function is frozen once its response is sent, so the API hands each new account to
the batch worker as one sync unit on the work queue whenever `CLOUDSTRO_WORK_QUEUE_URL` is set.
These tests run the real server over DynamoDB Local with SQS served by moto's server on
127.0.0.1 (the API's own SQS client finds it through `AWS_ENDPOINT_URL_SQS`, as botocore reads
it): the callback queues the unit, and the worker's handler, given the very message SQS holds,
runs the first sync against the platform's stand-in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import boto3
import httpx
import pytest
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from cloudstro.batch import lambda_handler
from cloudstro.batch.jobs import BatchJobs, WorkUnit
from tests.support.connect import ConnectStack
from tests.support.servers import free_port
from tests.support.sync import NOW, seed_posts

pytestmark = pytest.mark.integration

QUEUE = "cloudstro-test-work"


@dataclass
class Queue:
    client: Any
    url: str

    def messages(self) -> list[dict[str, Any]]:
        """Everything on the queue now (moto hands out all visible messages at once)."""
        answer = self.client.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10,
                                             WaitTimeSeconds=0)
        return list(answer.get("Messages", []))


@pytest.fixture
def queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[Queue]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    client = boto3.client("sqs", region_name="us-east-1", endpoint_url=endpoint)
    try:
        yield Queue(client, client.create_queue(QueueName=QUEUE)["QueueUrl"])
    finally:
        server.stop()


def connect_through(stack: ConnectStack, user_id: str, url: str, platform: str
                    ) -> httpx.Response:
    """The browser's round trip, started and finished on the server at `url`. The platform
    redirects to the public URL's callback; the same path and query go to `url` instead."""
    with httpx.Client(base_url=url, timeout=30) as client:
        callback = urlsplit(stack.approve(client, stack.start(client, user_id, platform)))
        return client.get(f"{callback.path}?{callback.query}")


def sqs_event(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The messages as Lambda's SQS event source mapping hands them to the worker."""
    return {"Records": [{"messageId": message["MessageId"], "body": message["Body"],
                         "receiptHandle": message["ReceiptHandle"], "eventSource": "aws:sqs",
                         "awsRegion": "us-east-1"} for message in messages]}


def test_with_a_work_queue_the_first_sync_is_one_queued_unit_the_worker_runs(
        stack: ConnectStack, queue: Queue) -> None:
    x = stack.state("twitter")
    seed_posts(x, 5)
    user_id = stack.new_user()
    with stack.variant(work_queue_url=queue.url) as url:
        page = connect_through(stack, user_id, url, "twitter")

    assert page.status_code == 200, page.text
    assert "Connected @ana_makes" in page.text
    messages = queue.messages()
    assert [WorkUnit.model_validate_json(m["Body"]) for m in messages] == [WorkUnit(
        job="sync", userId=user_id, platform="twitter", accountId=x.account_id,
        scheduledAt=NOW)]
    view = stack.store.accounts.sync_view(user_id, "twitter", x.account_id)
    assert view is not None and view.lastSyncAt is None  # no thread synced it meanwhile
    assert x.bearer_tokens_seen == []

    lambda_handler.configure(BatchJobs(stack.store, stack.settings, clock=stack.clock),
                             queue.client)
    try:
        result = lambda_handler.work(sqs_event(messages), None)
    finally:
        lambda_handler.configure(None, None)  # type: ignore[arg-type]

    assert result == {"batchItemFailures": []}
    view = stack.store.accounts.sync_view(user_id, "twitter", x.account_id)
    assert view is not None and view.lastSyncAt == NOW and view.postCount == 5


def test_every_facebook_page_of_a_connection_is_its_own_unit(
        stack: ConnectStack, queue: Queue) -> None:
    user_id = stack.new_user()
    with stack.variant(work_queue_url=queue.url) as url:
        page = connect_through(stack, user_id, url, "facebook")

    assert page.status_code == 200, page.text
    units = [WorkUnit.model_validate_json(m["Body"]) for m in queue.messages()]
    stored = stack.store.accounts.sync_views(user_id)
    assert len(stored) > 1
    assert sorted((u.platform, u.accountId) for u in units) == sorted(
        (view.platform, view.accountId) for view in stored)
    assert {u.job for u in units} == {"sync"} and {u.userId for u in units} == {user_id}


def test_a_queue_that_cannot_be_reached_leaves_the_connection_stored_for_the_schedule(
        stack: ConnectStack, caplog: pytest.LogCaptureFixture) -> None:
    x = stack.state("twitter")
    user_id = stack.new_user()
    unreachable = f"http://127.0.0.1:{free_port()}/123456789012/{QUEUE}"
    caplog.set_level(logging.INFO, logger="cloudstro.ingest.oauth.first_sync")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL_SQS", unreachable.rsplit("/", 2)[0])
        patch.setenv("AWS_ACCESS_KEY_ID", "local")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "local")
        with stack.variant(work_queue_url=unreachable) as url:
            page = connect_through(stack, user_id, url, "twitter")

    assert page.status_code == 200, page.text
    view = stack.store.accounts.sync_view(user_id, "twitter", x.account_id)
    assert view is not None and view.lastSyncAt is None
    assert any(record.getMessage() == "first sync of a twitter connection not queued: "
               "EndpointConnectionError" for record in caplog.records)
