"""Run by the product's own Python: the synthesised tables, in moto, serve the real store.

The infra test writes the template to a file and runs this script with the product's
virtualenv (the CDK's cannot import the product's dependencies, and should not). Here the
tables are created from the template's own definitions, the store's repositories are pointed
at them through the environment the template gives the worker function, and the batch
handlers run with each schedule's input exactly as the template states it. One JSON line
reports what happened; any failure exits non-zero with the traceback.

Usage: python shape_check.py TEMPLATE.json
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

INFRA = Path(__file__).resolve().parents[1]
REPO = INFRA.parent
sys.path[:0] = [str(REPO), str(INFRA)]  # the product's `tests` package, not infra's

SCHEDULED_TIME = "2026-11-24T12:00:00Z"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def function_environment(template: dict[str, Any], handler_suffix: str) -> dict[str, str]:
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::Lambda::Function" and str(
                props.get("Handler", "")).endswith(handler_suffix):
            return {name: value for name, value in props["Environment"]["Variables"].items()
                    if isinstance(value, str)}  # ARNs and URLs are CloudFormation references
    raise LookupError(f"no function with handler *{handler_suffix}")


def schedule_inputs(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    inputs = {}
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Scheduler::Schedule":
            text = resource["Properties"]["Target"]["Input"]
            payload = json.loads(text.replace("<aws.scheduler.scheduled-time>", SCHEDULED_TIME))
            inputs[payload["job"]] = payload
    return inputs


def main(template_path: str) -> dict[str, Any]:
    import boto3
    from moto import mock_aws

    from cloudstro_infra.template_tables import create_requests, ttl_attributes

    template = json.loads(Path(template_path).read_text())
    report: dict[str, Any] = {}
    with mock_aws():
        os.environ.update({"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
                           "AWS_SECRET_ACCESS_KEY": "testing"})
        client = boto3.client("dynamodb", region_name="us-east-1")
        for request in create_requests(template).values():
            client.create_table(**request)
        for table, attribute in ttl_attributes(template).items():
            if attribute:
                client.update_time_to_live(TableName=table, TimeToLiveSpecification={
                    "Enabled": True, "AttributeName": attribute})
        report["tables"] = sorted(client.list_tables()["TableNames"])

        worker_env = function_environment(template, "lambda_handler.work")
        os.environ.update({name: value for name, value in worker_env.items()
                           if name.startswith("DYNAMODB_")})
        report["repositories"] = exercise_store()
        report["schedules"] = exercise_batch(schedule_inputs(template))
    return report


def exercise_store() -> dict[str, Any]:
    from pydantic import SecretStr

    from cloudstro.config import Settings
    from cloudstro.store import Store
    from cloudstro.store.claims import ClaimsRepository
    from cloudstro.store.dynamo import Dynamo
    from tests.support.builders import account_fields, add_posts, add_user

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    store = Store(Dynamo(settings, endpoint_url=None, use_local=False), settings)
    add_user(store, "shape-user", slack_user="U0SHAPE")
    store.accounts.connect(account_fields("shape-user", "twitter", "111"),
                           SecretStr("token-plaintext"))
    # A post a day from 8.5 days ago: four of the six fall in the last week.
    posts = add_posts(store, "shape-user", "twitter", NOW - timedelta(days=8, hours=12), 6,
                      every=timedelta(days=1))
    claimed = ClaimsRepository(store.dynamo, store.names.runtime).claim("SHAPE#1", 60)
    return {
        "usersTable": settings.users_table,
        "userByEmail": getattr(store.users.find_by_email("shape-user@example.com"), "userId", None),
        "activeTwitterAccounts": [view.accountId for view in
                                  store.accounts.sync_views_by_status("twitter", "active")],
        "postsThisWeek": len(store.posts.list_in_period("shape-user", NOW - timedelta(days=7),
                                                        NOW)),
        "snapshotsOfFirstPost": len(store.engagement.history_for_post("shape-user",
                                                                      posts[0].postId)),
        "claimed": claimed,
    }


def exercise_batch(inputs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    import boto3

    from cloudstro.batch import lambda_handler
    from cloudstro.batch.jobs import BatchJobs
    from cloudstro.config import Settings, fixed_clock
    from cloudstro.store import Store
    from cloudstro.store.dynamo import Dynamo

    sqs = boto3.client("sqs", region_name="us-east-1")
    queue_url = sqs.create_queue(QueueName="shape-work")["QueueUrl"]
    settings = Settings(_env_file=None, CLOUDSTRO_WORK_QUEUE_URL=queue_url)  # type: ignore[call-arg]
    store = Store(Dynamo(settings, endpoint_url=None, use_local=False), settings)
    lambda_handler.configure(BatchJobs(store, settings, clock=fixed_clock(NOW)), sqs)
    results: dict[str, Any] = {}
    for job, payload in sorted(inputs.items()):
        answer = lambda_handler.find_due(payload, None)
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10
                                       ).get("Messages", [])
        units = [json.loads(message["Body"]) for message in messages]
        for message in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        worked = None
        if job == "insights":
            worked = lambda_handler.work({"Records": [
                {"messageId": m["MessageId"], "body": m["Body"], "eventSource": "aws:sqs"}
                for m in messages]}, None)
        results[job] = {"input": payload, "enqueued": answer["enqueued"],
                        "units": units, "worked": worked}
    results["insightsStored"] = len(store.insights.ids_for_user("shape-user"))
    return results


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), default=str))
