"""Every synthesis passes strict validation and cdk-nag; each accepted finding is reasoned."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from pydantic import ValidationError

from cloudstro_infra.app import build_app
from cloudstro_infra.config import DeployConfig
from cloudstro_infra.nag import acknowledgements
from cloudstro_infra.stack import CloudstroStack
from tests.conftest import ACCOUNT, REGION, cdk_json_context


def test_strict_validation_is_on_in_the_app_context() -> None:
    assert cdk_json_context()["@aws-cdk/core:validateAgainstDefaultRules"] is True


def test_every_accepted_finding_has_a_reason_and_adding_one_is_a_visible_change(
        stack: CloudstroStack) -> None:
    found = acknowledgements(stack)
    # 4 functions on Python 3.11, the secret's rotation, the Scheduler's own DLQ, 5 tables'
    # indexes, the profile's models across regions, the Scheduler target's versions.
    assert len(found) == 13
    for _where, finding, reason in found:
        assert finding.startswith("AwsSolutions::AwsSolutions-")
        assert len(reason) > 60, finding


def test_a_new_wildcard_fails_synthesis_until_it_is_reasoned() -> None:
    context = {**cdk_json_context(), "aws:cdk:bundling-stacks": []}
    app, stack = build_app(context, env=cdk.Environment(account=ACCOUNT, region=REGION))
    stack.functions["worker"].add_to_role_policy(iam.PolicyStatement(
        actions=["s3:GetObject"], resources=["arn:aws:s3:::some-bucket/*"]))
    unreasoned = r"ValidationFailed(.|\n)*AwsSolutions-IAM5\[Resource::arn:aws:s3"
    with pytest.raises(RuntimeError, match=unreasoned):
        app.synth()


def test_context_values_arrive_typed_and_bad_ones_stop_synthesis() -> None:
    app = cdk.App(context={"workerConcurrency": "12", "slack": "false", "stage": "qa"})
    config = DeployConfig.from_node(app.node)
    assert (config.worker_concurrency, config.slack, config.stage) == (12, False, "qa")
    for bad in ({"stage": "Prod!"}, {"workerConcurrency": "1"}, {"bedrockModelId": "claude"},
                {"publicUrl": "http://insecure.example.com"}, {"logRetentionDays": "x"}):
        with pytest.raises(ValidationError):
            DeployConfig.from_node(cdk.App(context=bad).node)
