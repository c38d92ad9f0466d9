"""The one Slack Web API client: the live Slack app and the digest runs both post through it.

One retry policy for every call: dropped connections (twice), rate limits (three times,
waiting out `Retry-After`) and Slack's 5xx answers (twice). A 429 means Slack did nothing, so
waiting and retrying is always right. A dropped connection or a 5xx may hide a message Slack
did post, so a retry can rarely show it twice; the alternative is worse on both paths: an
answer would become an apology, and a digest whose post failed is retried anyway by the next
run once its claim's lease ends (minutes later, with the same chance of a second copy), so an
immediate retry only delivers sooner. The base URL comes from `SLACK_API_URL`, so tests and a
local mock receive every call.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

from cloudstro.config import Settings

TIMEOUT_SECONDS = 30


class SlackNotConfigured(RuntimeError):
    """A Slack setting the chosen mode needs is missing; the message names it."""


def web_client(settings: Settings) -> WebClient:
    """The bot's Web API client, or `SlackNotConfigured` when there is no bot token."""
    if settings.slack_bot_token is None:
        raise SlackNotConfigured("SLACK_BOT_TOKEN is not set: answers and digests are sent "
                                 "with the Slack app's bot token (xoxb-...)")
    base_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else (
        settings.slack_api_url + "/")
    return WebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=base_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2),
                        RateLimitErrorRetryHandler(max_retry_count=3),
                        ServerErrorRetryHandler(max_retry_count=2)])
