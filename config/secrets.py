"""Credentials from AWS Secrets Manager, for processes that run on AWS.

A deployed function gets the secret's ARN (`CLOUDSTRO_SECRET_ARN`), never its values, so no
credential sits in a template, an environment listing or a console page. At cold start the
process reads the secret once (a JSON object keyed by the settings' variable names, e.g.
`SLACK_SIGNING_SECRET`) and puts the values it recognises into its environment, before the
settings are built; bolt needs the signing secret when its app is constructed, which is why
this happens up front rather than on first use. A variable already set wins, so a value
configured on the function on purpose is never overridden. Values are never logged.
"""

from __future__ import annotations

import json
import os
from typing import Any

from cloudstro.config.settings import Settings, get_settings


def settings_variables() -> set[str]:
    """Every environment variable name the settings read."""
    return {field.alias or name.upper() for name, field in Settings.model_fields.items()}


def load_secret_into_environment(settings: Settings | None = None,
                                 client: Any | None = None) -> list[str]:
    """Copy the secret's recognised keys into os.environ; returns their names (not values).

    Does nothing without CLOUDSTRO_SECRET_ARN. A secret that is not a JSON object (the
    placeholder before anything was stored) contributes nothing. Clears the settings cache so
    the next `get_settings()` sees the values.
    """
    settings = settings or get_settings()
    if not settings.secret_arn:
        return []
    if client is None:
        import boto3

        client = boto3.client("secretsmanager", region_name=settings.aws_region)
    raw = client.get_secret_value(SecretId=settings.secret_arn).get("SecretString") or ""
    try:
        values = json.loads(raw)
    except json.JSONDecodeError:
        values = None
    if not isinstance(values, dict):
        return []
    known = settings_variables()
    loaded = []
    for name, value in values.items():
        if name in known and isinstance(value, str) and value and name not in os.environ:
            os.environ[name] = value
            loaded.append(name)
    get_settings.cache_clear()
    return sorted(loaded)
