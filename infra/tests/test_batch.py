"""Schedules, the work queue, its dead letters and the worker's bounded concurrency."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template

from cloudstro_infra.stack import CloudstroStack
from tests.conftest import logical_id, resources


def test_three_schedules_invoke_the_due_finder_with_their_job(
        stack: CloudstroStack, template_json: dict[str, Any]) -> None:
    finder = logical_id(stack, stack.functions["scheduler"])
    dead_letters = logical_id(stack, stack.schedule_dead_letters)
    schedules = {s["Properties"]["Name"]: s["Properties"]
                 for s in resources(template_json, "AWS::Scheduler::Schedule").values()}
    assert {name: props["ScheduleExpression"] for name, props in schedules.items()} == {
        "cloudstro-dev-sync": "rate(15 minutes)", "cloudstro-dev-digest": "rate(15 minutes)",
        "cloudstro-dev-insights": "rate(1 day)"}
    for name, props in schedules.items():
        assert props["FlexibleTimeWindow"] == {"Mode": "OFF"}
        target = props["Target"]
        assert target["Arn"] == {"Fn::GetAtt": [finder, "Arn"]}
        assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 600,
                                         "MaximumRetryAttempts": 2}
        assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dead_letters, "Arn"]}}
        assert json.loads(target["Input"]) == {
            "job": name.rsplit("-", 1)[1], "scheduledAt": "<aws.scheduler.scheduled-time>"}


def test_the_schedules_role_may_only_invoke_the_finder_and_dead_letter(
        stack: CloudstroStack, template_json: dict[str, Any]) -> None:
    (policy,) = [p["Properties"]["PolicyDocument"]["Statement"]
                 for p in resources(template_json, "AWS::IAM::Policy").values()
                 if "SchedulerRoleForTarget" in json.dumps(p["Properties"]["Roles"])]
    assert sorted(s["Action"] for s in policy) == ["lambda:InvokeFunction", "sqs:SendMessage"]
    finder = logical_id(stack, stack.functions["scheduler"])
    invoke = next(s for s in policy if s["Action"] == "lambda:InvokeFunction")
    assert all(finder in json.dumps(resource) for resource in invoke["Resource"])


def test_work_queue_retries_three_times_then_dead_letters(
        stack: CloudstroStack, template: Template) -> None:
    template.has_resource_properties("AWS::SQS::Queue", {
        "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": [
            logical_id(stack, stack.dead_letters), "Arn"]}, "maxReceiveCount": 3},
        # six times the worker's ten-minute timeout, AWS's guidance for SQS event sources
        "VisibilityTimeout": 3600, "SqsManagedSseEnabled": True})
    template.has_resource_properties("AWS::SQS::Queue", {"MessageRetentionPeriod": 14 * 86400})


def test_the_worker_takes_small_batches_reports_partial_failures_and_is_bounded(
        stack: CloudstroStack, template: Template) -> None:
    template.has_resource_properties("AWS::Lambda::EventSourceMapping", {
        "FunctionName": {"Ref": logical_id(stack, stack.functions["worker"])},
        "EventSourceArn": {"Fn::GetAtt": [logical_id(stack, stack.work_queue), "Arn"]},
        "BatchSize": 4, "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "ScalingConfig": {"MaximumConcurrency": 5}})
    template.has_resource_properties("AWS::Lambda::Function", {
        "FunctionName": "cloudstro-dev-worker", "Timeout": 600,
        "Handler": "cloudstro.batch.lambda_handler.work"})
    template.has_resource_properties("AWS::Lambda::EventInvokeConfig", {
        "FunctionName": {"Ref": logical_id(stack, stack.functions["scheduler"])},
        "MaximumRetryAttempts": 0})


def test_the_finder_and_the_api_know_the_queue_and_only_they_may_send_to_it(
        stack: CloudstroStack, template_json: dict[str, Any]) -> None:
    """The finder enqueues what the schedules find; the API enqueues a new account's first
    sync (a thread would be frozen with the function once the callback has answered)."""
    queue = logical_id(stack, stack.work_queue)
    senders = {}
    for role in ("scheduler", "api"):
        function = template_json["Resources"][logical_id(stack, stack.functions[role])]
        assert function["Properties"]["Environment"]["Variables"][
            "CLOUDSTRO_WORK_QUEUE_URL"] == {"Ref": queue}
        senders[function["Properties"]["Role"]["Fn::GetAtt"][0]] = role
    sending_roles = sorted(
        role["Ref"] for policy in resources(template_json, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "sqs:SendMessage" in json.dumps(statement["Action"])
        and queue in json.dumps(statement["Resource"])
        for role in policy["Properties"]["Roles"])
    assert sending_roles == sorted(senders)
