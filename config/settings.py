"""One pydantic-settings class for the whole product.

Every module asks `get_settings()` instead of reading `os.environ`, so a variable has one name,
one default and one type; tests swap the configuration with `get_settings.cache_clear()`.
This package imports nothing else of the project, so `store/` can depend on it without a cycle.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The repository root when running from a checkout; inside site-packages this is just the
# folder above the package and holds no pyproject.toml.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_data_dir() -> Path:
    """Where DynamoDB Local's data, the local keys and caches live unless CLOUDSTRO_DATA_DIR says.

    From a checkout it is the checkout's own `.cloudstro/` (git-ignored), so every command run
    there shares one engine whatever the working directory. Installed as a package it is the
    user's data folder (`$XDG_DATA_HOME/cloudstro`, else `~/.local/share/cloudstro`): one place
    a user can find, never inside site-packages, and not a new folder in whichever directory
    the command happened to run from.
    """
    if (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "prompts").is_dir():
        return PROJECT_ROOT / ".cloudstro"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cloudstro"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    # Table names: the seed's names, overridable per deployment.
    users_table: str = Field("cloudstro-users", alias="DYNAMODB_USERS_TABLE")
    social_accounts_table: str = Field(
        "cloudstro-social-accounts", alias="DYNAMODB_SOCIAL_ACCOUNTS_TABLE"
    )
    social_posts_table: str = Field("cloudstro-social-posts", alias="DYNAMODB_SOCIAL_POSTS_TABLE")
    social_engagement_table: str = Field(
        "cloudstro-social-engagement", alias="DYNAMODB_SOCIAL_ENGAGEMENT_TABLE"
    )
    ai_insights_table: str = Field("cloudstro-ai-insights", alias="DYNAMODB_AI_INSIGHTS_TABLE")
    checkpoints_table: str = Field(
        "cloudstro-agent-checkpoints", alias="DYNAMODB_CHECKPOINTS_TABLE"
    )
    runtime_table: str = Field("cloudstro-runtime", alias="DYNAMODB_RUNTIME_TABLE")

    # Where DynamoDB lives. Unset endpoint + no AWS credentials means "use DynamoDB Local".
    aws_region: str = Field("us-east-1", alias="AWS_REGION")
    dynamodb_endpoint_url: str | None = Field(None, alias="DYNAMODB_ENDPOINT_URL")
    dynamodb_local_port: int = Field(8765, alias="DYNAMODB_LOCAL_PORT")
    data_dir: Path = Field(default_factory=default_data_dir, alias="CLOUDSTRO_DATA_DIR")

    # How long one DynamoDB call may take: each attempt is bounded by the connect and read
    # timeouts, and all attempts together fit inside the API's `store_wait_s`, so a DynamoDB
    # that hangs costs a request a few seconds, not minutes.
    dynamodb_connect_timeout_s: float = Field(1.0, gt=0, le=30,
                                              alias="DYNAMODB_CONNECT_TIMEOUT_S")
    dynamodb_read_timeout_s: float = Field(2.0, gt=0, le=120, alias="DYNAMODB_READ_TIMEOUT_S")
    dynamodb_max_attempts: int = Field(2, ge=1, le=10, alias="DYNAMODB_MAX_ATTEMPTS")
    # Batch work (seeding, sync, imports, insight refreshes, scheduled digests, table admin)
    # is on no caller's clock: a slow or busy DynamoDB should slow a run down, not fail it
    # halfway, so those commands wait longer and retry more (`Settings.for_batch`).
    dynamodb_batch_read_timeout_s: float = Field(30.0, gt=0, le=300,
                                                 alias="DYNAMODB_BATCH_READ_TIMEOUT_S")
    dynamodb_batch_max_attempts: int = Field(5, ge=1, le=20,
                                             alias="DYNAMODB_BATCH_MAX_ATTEMPTS")

    # OAuth token encryption at rest.
    token_kms_key_id: str | None = Field(None, alias="TOKEN_KMS_KEY_ID")
    token_key: SecretStr | None = Field(None, alias="CLOUDSTRO_TOKEN_KEY")

    # The model.
    llm: Literal["auto", "bedrock", "offline"] = Field("auto", alias="CLOUDSTRO_LLM")
    bedrock_region: str = Field("us-east-1", alias="BEDROCK_REGION")
    bedrock_model_id: str = Field(
        "us.anthropic.claude-sonnet-4-6", alias="BEDROCK_MODEL_ID"
    )
    max_tool_calls_per_turn: int = Field(8, alias="CLOUDSTRO_MAX_TOOL_CALLS")
    max_message_chars: int = Field(4000, alias="CLOUDSTRO_MAX_MESSAGE_CHARS")
    checkpoint_ttl_days: int = Field(90, alias="CLOUDSTRO_CHECKPOINT_TTL_DAYS")

    # HTTP channel.
    auth_secret: SecretStr | None = Field(None, alias="CLOUDSTRO_AUTH_SECRET")

    # Slack channel.
    slack_bot_token: SecretStr | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")
    slack_workers: int = Field(8, ge=1, le=64, alias="SLACK_WORKERS")
    # Sign in with Slack (OpenID Connect): a connection link made in Slack is finished only in
    # a browser signed in as the Slack user it was made for. Without a client id and secret,
    # such links open the page that names whose profile they connect to, as HTTP API links of
    # a profile with no Slack link do.
    slack_client_id: str | None = Field(None, alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(None, alias="SLACK_CLIENT_SECRET")
    slack_signin_url: str = Field("https://slack.com/openid/connect/authorize",
                                  alias="SLACK_SIGNIN_URL")

    # HTTP channel: limits and timeouts.
    rate_limit_per_minute: int = Field(30, ge=1, alias="CLOUDSTRO_RATE_LIMIT_PER_MINUTE")
    turn_timeout_s: float = Field(60.0, gt=0, alias="CLOUDSTRO_TURN_TIMEOUT_S")
    http_max_body_bytes: int = Field(65536, ge=1024, alias="CLOUDSTRO_HTTP_MAX_BODY_BYTES")
    http_turn_workers: int = Field(16, ge=1, le=256, alias="CLOUDSTRO_HTTP_TURN_WORKERS")
    # Longest the API waits for DynamoDB outside a chat turn (the token's user check, a
    # thread's history) before answering 503 store_unavailable.
    store_wait_s: float = Field(6.0, gt=0, le=60, alias="CLOUDSTRO_STORE_WAIT_S")
    # The server's own limits (`cloudstro serve`): a request head's size and time, a body's
    # time, idle keep-alive, and open connections (beyond it new requests get a 503).
    http_max_header_bytes: int = Field(16384, ge=1024, le=1048576,
                                       alias="CLOUDSTRO_HTTP_MAX_HEADER_BYTES")
    http_header_timeout_s: float = Field(10.0, gt=0, le=300,
                                         alias="CLOUDSTRO_HTTP_HEADER_TIMEOUT_S")
    http_body_timeout_s: float = Field(30.0, gt=0, le=600, alias="CLOUDSTRO_HTTP_BODY_TIMEOUT_S")
    http_keep_alive_s: int = Field(5, ge=1, le=300, alias="CLOUDSTRO_HTTP_KEEP_ALIVE_S")
    http_max_connections: int = Field(1000, ge=1, alias="CLOUDSTRO_HTTP_MAX_CONNECTIONS")

    # Platform APIs (sync). Base URLs are settings so tests, proxies and sandboxes work; the
    # connectors add any API version segment themselves.
    twitter_api_url: str = Field("https://api.x.com", alias="TWITTER_API_URL")
    instagram_api_url: str = Field("https://graph.instagram.com", alias="INSTAGRAM_API_URL")
    facebook_api_url: str = Field("https://graph.facebook.com", alias="FACEBOOK_API_URL")
    tiktok_api_url: str = Field("https://open.tiktokapis.com", alias="TIKTOK_API_URL")
    # Where a user approves a connection (OAuth authorize pages). Token endpoints sit under the
    # API base URLs, except Instagram's code exchange, which Meta serves from its own host.
    twitter_authorize_url: str = Field("https://x.com/i/oauth2/authorize",
                                       alias="TWITTER_AUTHORIZE_URL")
    instagram_authorize_url: str = Field("https://www.instagram.com/oauth/authorize",
                                         alias="INSTAGRAM_AUTHORIZE_URL")
    instagram_token_url: str = Field("https://api.instagram.com/oauth/access_token",
                                     alias="INSTAGRAM_TOKEN_URL")
    facebook_authorize_url: str = Field("https://www.facebook.com/v24.0/dialog/oauth",
                                        alias="FACEBOOK_AUTHORIZE_URL")
    tiktok_authorize_url: str = Field("https://www.tiktok.com/v2/auth/authorize/",
                                      alias="TIKTOK_AUTHORIZE_URL")
    # The server's public origin: OAuth callbacks are {CLOUDSTRO_PUBLIC_URL}/oauth/{platform}/
    # callback, the redirect URI registered with each platform.
    public_url: str = Field("http://127.0.0.1:8000", alias="CLOUDSTRO_PUBLIC_URL")
    twitter_client_id: str | None = Field(None, alias="TWITTER_CLIENT_ID")
    twitter_client_secret: SecretStr | None = Field(None, alias="TWITTER_CLIENT_SECRET")
    facebook_app_id: str | None = Field(None, alias="FACEBOOK_APP_ID")
    facebook_app_secret: SecretStr | None = Field(None, alias="FACEBOOK_APP_SECRET")
    instagram_client_id: str | None = Field(None, alias="INSTAGRAM_CLIENT_ID")
    instagram_client_secret: SecretStr | None = Field(None, alias="INSTAGRAM_CLIENT_SECRET")
    tiktok_client_id: str | None = Field(None, alias="TIKTOK_CLIENT_ID")
    tiktok_client_secret: SecretStr | None = Field(None, alias="TIKTOK_CLIENT_SECRET")
    sync_backfill_days: int = Field(90, ge=1, le=3650, alias="CLOUDSTRO_SYNC_BACKFILL_DAYS")
    sync_workers: int = Field(8, ge=1, le=64, alias="CLOUDSTRO_SYNC_WORKERS")
    sync_http_timeout_s: float = Field(20.0, gt=0, alias="CLOUDSTRO_SYNC_HTTP_TIMEOUT_S")
    sync_max_attempts: int = Field(4, ge=1, le=10, alias="CLOUDSTRO_SYNC_MAX_ATTEMPTS")
    sync_max_wait_s: float = Field(120.0, ge=0, alias="CLOUDSTRO_SYNC_MAX_WAIT_S")
    sync_interval_s: float = Field(900.0, gt=0, alias="CLOUDSTRO_SYNC_INTERVAL_S")

    # On AWS: the Secrets Manager secret whose JSON keys are this class's variable names
    # (read once per process by `config.secrets`), and the queue that carries batch work.
    secret_arn: str | None = Field(None, alias="CLOUDSTRO_SECRET_ARN")
    work_queue_url: str | None = Field(None, alias="CLOUDSTRO_WORK_QUEUE_URL")

    @field_validator("dynamodb_endpoint_url", "token_kms_key_id", "token_key", "auth_secret",
                     "slack_bot_token", "slack_signing_secret", "slack_app_token",
                     "slack_client_id", "slack_client_secret", "twitter_client_id",
                     "twitter_client_secret", "facebook_app_id", "facebook_app_secret",
                     "instagram_client_id", "instagram_client_secret",
                     "tiktok_client_id", "tiktok_client_secret", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """`.env.example` leaves optional values blank; blank means "not configured"."""
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def local_dynamodb_url(self) -> str:
        return f"http://127.0.0.1:{self.dynamodb_local_port}"

    def for_batch(self) -> Settings:
        """These settings with the batch budget for DynamoDB calls instead of the request one."""
        return self.model_copy(update={
            "dynamodb_read_timeout_s": self.dynamodb_batch_read_timeout_s,
            "dynamodb_max_attempts": self.dynamodb_batch_max_attempts,
        })


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; cached because reading the environment is not free."""
    return Settings()
