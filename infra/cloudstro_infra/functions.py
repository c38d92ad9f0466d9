"""One way to declare a CloudStro Lambda: arm64, the bundled product, its own log group.

Every function runs the same bundle (the installed wheel) with a different handler, so the
code asset is built once per stack; the differences are the handler, the environment, the
size and the permissions, which the stack grants one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from cloudstro_infra.bundling import LAMBDA_PYTHON, LocalPipBundler
from cloudstro_infra.source import REPO_ROOT

RUNTIME = lambda_.Runtime.PYTHON_3_11
ARCHITECTURE = lambda_.Architecture.ARM_64
assert RUNTIME.name == f"python{LAMBDA_PYTHON}", "the bundle and the runtime must agree"

RETENTION_DAYS = {1: "ONE_DAY", 3: "THREE_DAYS", 5: "FIVE_DAYS", 7: "ONE_WEEK",
                  14: "TWO_WEEKS", 30: "ONE_MONTH", 60: "TWO_MONTHS", 90: "THREE_MONTHS",
                  180: "SIX_MONTHS", 365: "ONE_YEAR", 731: "TWO_YEARS"}


def retention(days: int) -> logs.RetentionDays:
    if days not in RETENTION_DAYS:
        raise ValueError(f"logRetentionDays must be one of {sorted(RETENTION_DAYS)}, not {days}")
    return logs.RetentionDays[RETENTION_DAYS[days]]


def product_code() -> lambda_.Code:
    """The product as Lambda code: bundled locally with pip, Docker only as CDK's fallback."""
    return lambda_.Code.from_asset(
        str(REPO_ROOT),
        asset_hash_type=cdk.AssetHashType.OUTPUT,
        bundling=cdk.BundlingOptions(
            image=RUNTIME.bundling_image,
            platform="linux/arm64",
            local=LocalPipBundler(REPO_ROOT),
            command=["bash", "-c", "pip wheel --no-deps -w /tmp/w /asset-input && "
                     "pip install --target /asset-output /tmp/w/*.whl && "
                     "printf '#!/bin/sh\\nexec python -m cloudstro.channels.http.web_adapter\\n'"
                     " > /asset-output/run.sh && chmod 755 /asset-output/run.sh"],
        ))


@dataclass(frozen=True)
class FunctionShape:
    handler: str
    memory_mb: int
    timeout: cdk.Duration
    description: str


def cloudstro_function(scope: Construct, construct_id: str, *, name: str, code: lambda_.Code,
                       shape: FunctionShape, environment: dict[str, str], log_days: int,
                       layers: list[lambda_.ILayerVersion] | None = None,
                       reserved_concurrency: int | None = None) -> lambda_.Function:
    log_group = logs.LogGroup(scope, f"{construct_id}Logs", log_group_name=f"/aws/lambda/{name}",
                              retention=retention(log_days),
                              removal_policy=cdk.RemovalPolicy.DESTROY)
    # A role of its own, writing only to its own log group: the managed basic-execution
    # policy would let every function write any log group in the account.
    role = iam.Role(scope, f"{construct_id}Role",
                    assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                    description=f"{name}: its log group, tables, and what the stack grants")
    log_group.grant_write(role)
    return lambda_.Function(
        scope, construct_id, function_name=name, code=code, handler=shape.handler, role=role,
        runtime=RUNTIME, architecture=ARCHITECTURE, memory_size=shape.memory_mb,
        timeout=shape.timeout, description=shape.description, environment=environment,
        layers=layers, log_group=log_group, reserved_concurrent_executions=reserved_concurrency,
        tracing=lambda_.Tracing.DISABLED)
