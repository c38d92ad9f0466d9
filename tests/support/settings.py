"""Settings for tests: table names carry a prefix, so one DynamoDB engine holds many isolated
stores side by side."""

from __future__ import annotations

from typing import Any

from cloudstro.config import Settings


def make_settings(prefix: str = "", **overrides: Any) -> Settings:
    """Settings whose table names carry `prefix`, so one engine holds many isolated stores.

    `overrides` are the settings' environment names (and `_env_file`), as `Settings` takes them.
    """
    names: dict[str, Any] = {
        "DYNAMODB_USERS_TABLE": f"{prefix}cloudstro-users",
        "DYNAMODB_SOCIAL_ACCOUNTS_TABLE": f"{prefix}cloudstro-social-accounts",
        "DYNAMODB_SOCIAL_POSTS_TABLE": f"{prefix}cloudstro-social-posts",
        "DYNAMODB_SOCIAL_ENGAGEMENT_TABLE": f"{prefix}cloudstro-social-engagement",
        "DYNAMODB_AI_INSIGHTS_TABLE": f"{prefix}cloudstro-ai-insights",
        "DYNAMODB_CHECKPOINTS_TABLE": f"{prefix}cloudstro-agent-checkpoints",
        "DYNAMODB_RUNTIME_TABLE": f"{prefix}cloudstro-runtime",
    }
    names.update(overrides)
    return Settings(**names)
