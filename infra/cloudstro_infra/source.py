"""The product's own table specs and settings, read from the checkout beside this app.

The stack must build the very tables `cloudstro db create-tables` builds, so it imports
`cloudstro.store.tables` instead of restating the schema. The product is not installed in
this virtualenv (its dependencies would drag LangGraph and friends into the CDK's
environment), and its folders install as `cloudstro.<folder>`; making `cloudstro` a package
whose path is the checkout root maps `cloudstro.store` to `store/` exactly as the wheel
does. Only `config/` and `store/tables.py` are imported, which need pydantic and boto3.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _expose_checkout() -> None:
    if importlib.util.find_spec("cloudstro") is not None:
        return
    package = types.ModuleType("cloudstro")
    package.__path__ = [str(REPO_ROOT)]
    sys.modules["cloudstro"] = package


_expose_checkout()

from cloudstro.config import Settings  # noqa: E402
from cloudstro.store.tables import Key, TableNames, TableSpec, table_specs  # noqa: E402

# Settings field behind each table role, and the environment variable that sets it.
TABLE_SETTINGS: dict[str, str] = {
    "users": "users_table", "accounts": "social_accounts_table",
    "posts": "social_posts_table", "engagement": "social_engagement_table",
    "insights": "ai_insights_table", "checkpoints": "checkpoints_table",
    "runtime": "runtime_table",
}


def stage_table_names(stage: str) -> dict[str, str]:
    """`cloudstro-users` becomes `cloudstro-<stage>-users`: stages never share a table."""
    defaults = Settings.model_fields
    return {role: str(defaults[field].default).replace("cloudstro-", f"cloudstro-{stage}-", 1)
            for role, field in TABLE_SETTINGS.items()}


def stage_settings(stage: str) -> Settings:
    """Settings carrying the stage's table names, whatever the shell's environment says."""
    names = stage_table_names(stage)
    return Settings(_env_file=None, **{TABLE_SETTINGS[role]: name  # type: ignore[call-arg]
                                       for role, name in names.items()})


def table_env(settings: Settings) -> dict[str, str]:
    """The DYNAMODB_*_TABLE variables a function needs to find the stage's tables."""
    return {Settings.model_fields[field].alias or field.upper(): getattr(settings, field)
            for field in TABLE_SETTINGS.values()}


__all__ = ["REPO_ROOT", "Key", "Settings", "TableNames", "TableSpec", "stage_settings",
           "stage_table_names", "table_env", "table_specs"]
