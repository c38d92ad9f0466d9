"""CloudStro's Slack app on AWS Lambda (behind a Function URL or API Gateway).

Nothing may run after a Lambda returns, so the app runs with `process_before_response=True`:
the acknowledgement is computed inside the request, and each answer runs as a lazy listener,
which bolt's adapter turns into an asynchronous invocation of this same function
(`lambda:InvokeFunction` on itself is required). Event de-duplication lives in DynamoDB, so
Slack's redeliveries and concurrent invocations still answer once. Setup: docs/slack.md.

Handler: `cloudstro.channels.slack.lambda_handler.handler`.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.adapter.aws_lambda import SlackRequestHandler

from cloudstro.channels.slack.bolt_app import build_slack_app
from cloudstro.config import Settings, get_settings
from cloudstro.store import Store

_handler: SlackRequestHandler | None = None


def build_handler(store: Store | None = None, assistant: Any = None,
                  settings: Settings | None = None) -> SlackRequestHandler:
    """The adapter around a Lambda-mode app; built once per container (cold start)."""
    settings = settings or get_settings()
    store = store or Store(settings=settings)
    if assistant is None:
        from cloudstro.agent.service import Assistant

        assistant = Assistant(store, settings)
    app = build_slack_app(store, assistant, settings, process_before_response=True)
    return SlackRequestHandler(app)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _handler
    if _handler is None:
        _handler = build_handler()
    return _handler.handle(event, context)
