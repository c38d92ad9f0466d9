"""CloudStro on AWS in one stack: data, the HTTP API, Slack, and the batch pipeline.

    Function URL (streaming) ──> api ───────────┐
       (a new account's first sync) └──> SQS    ├──> tables, Bedrock profile, secret
    Function URL (buffered)  ──> slack ─┐        │
                                  └─(lazy: invokes itself by name)
    Scheduler (sync / digest / insights) ──> scheduler ──> SQS ──> worker (bounded) ──┘
                                                            └──> dead letters (alarm)

One stack keeps deploys atomic and avoids cross-stack exports; the stateful resources are
retained and deletion-protected, so destroying the stack never destroys data.
"""

from __future__ import annotations

import functools

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cloudstro_infra.access import TOKEN_KEY_USERS, grant_bedrock, grant_tables
from cloudstro_infra.config import DeployConfig
from cloudstro_infra.data import Data
from cloudstro_infra.functions import FunctionShape, cloudstro_function, product_code
from cloudstro_infra.monitoring import Monitoring
from cloudstro_infra.source import stage_settings, table_env, table_specs

WEB_ADAPTER_ACCOUNT = "753240598075"  # AWS's account publishing the Lambda Web Adapter layer
WEB_PORT = "8080"  # where cloudstro.channels.http.web_adapter listens (a test checks)

# Lambda gives CPU in proportion to memory, one full vCPU at 1769 MB. The API and Slack
# functions spend their cold start importing (about 3 s of CPU, bench_cold_start.py), and
# Slack's acknowledgement has 3 s, so they get a whole vCPU; batch work waits on I/O.
ONE_VCPU_MB = 1769
SHAPES = {
    "api": FunctionShape("run.sh", ONE_VCPU_MB, cdk.Duration.minutes(2),
                         "CloudStro HTTP API (streams through the Lambda Web Adapter)"),
    "slack": FunctionShape("cloudstro.channels.slack.lambda_handler.handler", ONE_VCPU_MB,
                           cdk.Duration.minutes(2),
                           "CloudStro Slack events: acknowledges, then answers lazily"),
    "scheduler": FunctionShape("cloudstro.batch.lambda_handler.find_due", 512,
                               cdk.Duration.minutes(10),
                               "CloudStro: finds due sync, insight and digest work"),
    "worker": FunctionShape("cloudstro.batch.lambda_handler.work", 1024,
                            cdk.Duration.minutes(10),
                            "CloudStro: does one unit of batch work per queue message"),
}
WORKER_BATCH_SIZE = 4
MAX_RECEIVES = 3  # a unit is tried three times, then parked in the dead-letter queue

# Each scheduled job: the Scheduler input the due-finder receives, and its rate in context.
JOBS = {"sync": "sync_every_minutes", "digest": "digest_every_minutes",
        "insights": "insights_every_minutes"}


class CloudstroStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig,
                 **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.config = config
        stage = config.stage
        self.settings = stage_settings(stage)
        self.data = Data(self, "Data", stage=stage, specs=table_specs(self.settings))
        self.functions: dict[str, lambda_.Function] = {}

        # ---------------------------------------------------------------- work queue
        self.dead_letters = sqs.Queue(
            self, "WorkDeadLetters", retention_period=cdk.Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True)
        self.schedule_dead_letters = sqs.Queue(
            self, "ScheduleDeadLetters", retention_period=cdk.Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True)
        # AWS's guidance: visibility at least six times the consumer's timeout, so a message
        # is not handed out again while a slow batch is still working on it.
        self.work_queue = sqs.Queue(
            self, "WorkQueue",
            visibility_timeout=cdk.Duration.seconds(6 * SHAPES["worker"].timeout.to_seconds()),
            retention_period=cdk.Duration.days(4),
            encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dead_letters,
                                                  max_receive_count=MAX_RECEIVES))

        # ---------------------------------------------------------------- functions
        self._function("api", layers=[lambda_.LayerVersion.from_layer_version_arn(
            self, "WebAdapterLayer", self.format_arn(
                service="lambda", account=WEB_ADAPTER_ACCOUNT, resource="layer",
                resource_name=f"LambdaAdapterLayerArm64:{config.lwa_layer_version}",
                arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME))],
            extra_env={"AWS_LAMBDA_EXEC_WRAPPER": "/opt/bootstrap",
                       "AWS_LWA_INVOKE_MODE": "response_stream", "AWS_LWA_PORT": WEB_PORT,
                       # Ready when the port listens: /healthz answers 503 while DynamoDB is
                       # down, which must not keep the adapter from serving that answer.
                       "AWS_LWA_READINESS_CHECK_PROTOCOL": "tcp",
                       # A new connection's first sync goes to the worker: a thread started
                       # here would be frozen with the function once the callback answers.
                       "CLOUDSTRO_WORK_QUEUE_URL": self.work_queue.queue_url},
            reserved_concurrency=config.api_reserved_concurrency)
        self.work_queue.grant_send_messages(self.functions["api"])
        self.api_url = self.functions["api"].add_function_url(
            auth_type=lambda_.FunctionUrlAuthType.NONE,
            invoke_mode=lambda_.InvokeMode.RESPONSE_STREAM)
        cdk.CfnOutput(self, "ApiUrl", value=self.api_url.url,
                      description="Base URL of the HTTP API (POST v1/chat/stream streams)")

        if config.slack:
            slack = self._function("slack")
            # bolt's lazy listeners invoke the invoked function's ARN asynchronously. The ARN
            # is built from the fixed name, not from the function itself: a grant that
            # references the function makes its own policy depend on it, a cycle.
            slack.add_to_role_policy(iam.PolicyStatement(
                sid="LazyListenerSelfInvoke", actions=["lambda:InvokeFunction"],
                resources=[self.format_arn(service="lambda", resource="function",
                                           resource_name=function_name(stage, "slack"),
                                           arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)]))
            # A lazy answer retried by Lambda would post twice; Slack's own retries are
            # de-duplicated in the runtime table instead.
            slack.configure_async_invoke(retry_attempts=0, max_event_age=cdk.Duration.hours(1))
            slack_url = slack.add_function_url(auth_type=lambda_.FunctionUrlAuthType.NONE)
            cdk.CfnOutput(self, "SlackEventsUrl",
                          value=cdk.Fn.join("", [slack_url.url, "slack/events"]),
                          description="Request URL for the Slack app's events and actions")

        finder = self._function("scheduler", extra_env={
            "CLOUDSTRO_WORK_QUEUE_URL": self.work_queue.queue_url})
        self.work_queue.grant_send_messages(finder)
        # The next tick finds the same work again, so a failed finder run is not retried.
        finder.configure_async_invoke(retry_attempts=0)
        for job, rate_field in JOBS.items():
            if job == "digest" and not config.slack:  # digests are Slack messages
                continue
            scheduler.Schedule(
                self, f"{job.capitalize()}Schedule",
                schedule_name=f"cloudstro-{stage}-{job}",
                description=f"Enqueue every due {job} unit",
                schedule=scheduler.ScheduleExpression.rate(
                    cdk.Duration.minutes(getattr(config, rate_field))),
                target=targets.LambdaInvoke(finder, input=scheduler.ScheduleTargetInput.from_object(
                    {"job": job, "scheduledAt": scheduler.ContextAttribute.scheduled_time}),
                    retry_attempts=2, max_event_age=cdk.Duration.minutes(10),
                    dead_letter_queue=self.schedule_dead_letters))

        worker = self._function("worker")
        worker.add_event_source(event_sources.SqsEventSource(
            self.work_queue, batch_size=WORKER_BATCH_SIZE, report_batch_item_failures=True,
            max_concurrency=config.worker_concurrency))

        self.monitoring = Monitoring(
            self, "Monitoring", stage=stage, functions=self.functions,
            work_queue=self.work_queue,
            dead_letter_queues={"work": self.dead_letters,
                                "schedule": self.schedule_dead_letters},
            model_id=config.bedrock_model_id, alarm_email=config.alarm_email)

    def _function(self, role: str, *, layers: list[lambda_.ILayerVersion] | None = None,
                  extra_env: dict[str, str] | None = None,
                  reserved_concurrency: int | None = None) -> lambda_.Function:
        config, data = self.config, self.data
        environment = {
            **table_env(self.settings),
            "CLOUDSTRO_SECRET_ARN": data.secret.secret_arn,
            "TOKEN_KMS_KEY_ID": data.token_key.key_arn,
            "CLOUDSTRO_LLM": "bedrock",
            "BEDROCK_REGION": cdk.Aws.REGION,
            "BEDROCK_MODEL_ID": config.bedrock_model_id,
            # Lambda's only writable folder; nothing durable is kept there.
            "CLOUDSTRO_DATA_DIR": "/tmp/cloudstro",
            **({"CLOUDSTRO_PUBLIC_URL": config.public_url} if config.public_url else {}),
            **(extra_env or {}),
        }
        function = cloudstro_function(
            self, role.capitalize(), name=function_name(config.stage, role),
            code=self._code, shape=SHAPES[role], environment=environment,
            log_days=config.log_retention_days, layers=layers,
            reserved_concurrency=reserved_concurrency)
        grant_tables(function, role, data.tables)
        if role != "scheduler":  # the finder reads no credential and calls no model
            data.secret.grant_read(function)
            grant_bedrock(function.role, self, config.bedrock_model_id,  # type: ignore[arg-type]
                          config.foundation_model_id)
        if role in TOKEN_KEY_USERS:
            # Exactly the two calls the token cipher makes (no data keys, no re-encryption).
            data.token_key.grant(function, "kms:Encrypt", "kms:Decrypt")
        self.functions[role] = function
        return function

    @functools.cached_property
    def _code(self) -> lambda_.Code:
        """One asset for every function: the bundle is built once per stack."""
        return product_code()


def function_name(stage: str, role: str) -> str:
    return f"cloudstro-{stage}-{role}"
