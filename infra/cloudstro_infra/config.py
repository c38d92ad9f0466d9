"""Deployment settings, read from CDK context (`cdk.json` or `-c key=value`).

One typed place for what differs between deployments (stage, model, public URL, Slack on or
off, schedules, sizes), so constructs never read context themselves and a mistyped value
fails synthesis with a clear message instead of producing a half-right stack.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from constructs import Node
from pydantic import BaseModel, ConfigDict, Field, field_validator

from cloudstro_infra.source import Settings

CONTEXT_KEYS = ("stage", "bedrockModelId", "publicUrl", "slack", "alarmEmail",
                "logRetentionDays", "lwaLayerVersion", "workerConcurrency", "syncEveryMinutes",
                "digestEveryMinutes", "insightsEveryMinutes", "apiReservedConcurrency")


class DeployConfig(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")

    stage: str = Field("dev", pattern=r"^[a-z][a-z0-9]{0,11}$")
    # An inference-profile id (`us.anthropic...`): Bedrock's on-demand Claude models are
    # invoked through a cross-region profile, so IAM names the profile and its models.
    bedrock_model_id: str = Field(Settings.model_fields["bedrock_model_id"].default,
                                  alias="bedrockModelId", pattern=r"^[a-z]{2,4}\.[a-z0-9.:-]+$")
    # The API's public origin (a custom domain in front of the Function URL, say): OAuth
    # callbacks are built on it. Unset, the product's default applies.
    public_url: str | None = Field(None, alias="publicUrl", pattern=r"^https://[^\s/]+$")
    slack: bool = True
    alarm_email: str | None = Field(None, alias="alarmEmail")
    log_retention_days: int = Field(30, alias="logRetentionDays")
    # The Lambda Web Adapter layer's version (awslabs/aws-lambda-web-adapter releases).
    lwa_layer_version: int = Field(26, ge=1, alias="lwaLayerVersion")
    # At most this many worker invocations at once: the bound on DynamoDB and platform load.
    worker_concurrency: int = Field(5, ge=2, le=1000, alias="workerConcurrency")
    sync_every_minutes: int = Field(15, ge=1, alias="syncEveryMinutes")
    digest_every_minutes: int = Field(15, ge=1, alias="digestEveryMinutes")
    insights_every_minutes: int = Field(1440, ge=1, alias="insightsEveryMinutes")
    # Optional cap on the public API's concurrency (a cost and abuse ceiling); unset by default
    # because reserving concurrency fails on accounts whose regional limit is still 10.
    api_reserved_concurrency: int | None = Field(None, ge=1, alias="apiReservedConcurrency")

    @field_validator("slack", mode="before")
    @classmethod
    def _context_bool(cls, value: object) -> object:
        """`-c slack=false` arrives as the string "false"."""
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in ("true", "false"):
                return lowered == "true"
        return value

    @property
    def foundation_model_id(self) -> str:
        """The profile's model: `us.anthropic.claude-sonnet-4-6` → `anthropic.claude-sonnet-4-6`."""
        return self.bedrock_model_id.split(".", 1)[1]

    @classmethod
    def from_node(cls, node: Node) -> DeployConfig:
        values: dict[str, Any] = {}
        for key in CONTEXT_KEYS:
            value = node.try_get_context(key)
            if value is None:
                continue
            # `-c workerConcurrency=10` arrives as a string; JSON-decode numbers and booleans.
            if isinstance(value, str) and key not in ("stage", "bedrockModelId", "publicUrl",
                                                      "alarmEmail"):
                with contextlib.suppress(json.JSONDecodeError):
                    value = json.loads(value)
            values[key] = value
        return cls.model_validate(values)
