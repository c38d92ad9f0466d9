"""CloudStro's Slack app on AWS Lambda (behind a Function URL or API Gateway).

Nothing may run after a Lambda returns, so the app runs with `process_before_response=True`:
the acknowledgement is computed inside the request, and each answer runs as a lazy listener,
which bolt's adapter turns into an asynchronous invocation of this same function
(`lambda:InvokeFunction` on itself is required). Event de-duplication lives in DynamoDB, so
Slack's redeliveries and concurrent invocations still answer once. Setup: docs/slack.md.

The same rules as on a server: every request passes `screen_request` before bolt's adapter
sees it (unsigned → 401, signed but not a Slack payload → 400, neither parsed nor logged), and
the first invocation configures logging as the server does, so no log line, the libraries'
included, carries message text.

Handler: `cloudstro.channels.slack.lambda_handler.handler`.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.aws_lambda import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier

from cloudstro.channels.errors import error_payload
from cloudstro.channels.http.logs import RequestInfo, bind_request, unbind_request
from cloudstro.channels.slack import Refusal, screen_request
from cloudstro.channels.slack.bolt_app import build_slack_app
from cloudstro.config import Clock, Settings, get_settings, utc_now
from cloudstro.slackkit.client import SlackNotConfigured
from cloudstro.store import Store

_handler: ScreenedSlackHandler | None = None
_lock = threading.Lock()


class ScreenedSlackHandler:
    """bolt's Lambda adapter behind the same gate as the server's `POST /slack/events`."""

    def __init__(self, app: App, signing_secret: str) -> None:
        self.app = app
        self.adapter = SlackRequestHandler(app)
        self.verifier = SignatureVerifier(signing_secret)

    def handle(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        token = bind_request(RequestInfo(getattr(context, "aws_request_id", None) or "-"))
        try:
            if _method(event) not in (None, "GET"):  # GET has no body; the adapter 404s it
                refusal = self._refusal(event)
                if refusal is not None:
                    return _response(refusal)
            response: dict[str, Any] = self.adapter.handle(event, context)
            return response
        finally:
            unbind_request(token)

    def _refusal(self, event: dict[str, Any]) -> Refusal | None:
        body = event.get("body") or ""
        try:
            raw = base64.b64decode(body, validate=True) if event.get("isBase64Encoded") else (
                body.encode("utf-8"))
        except (binascii.Error, ValueError):
            return Refusal(400, "bad_request", "the request body is not valid base64")
        # API Gateway's REST payload keeps header names as sent; Slack's are checked in lower case.
        headers = {str(name).lower(): value for name, value in
                   (event.get("headers") or {}).items() if isinstance(value, str)}
        screened = screen_request(self.verifier, raw, headers,
                                  event.get("queryStringParameters"))
        return screened if isinstance(screened, Refusal) else None


class AssistantOnFirstUse:
    """The agent, built when a turn first needs it rather than with the handler.

    Building it loads LangGraph, LangChain and the model SDK, about a second of CPU. A cold
    container's first request is usually an event to acknowledge within Slack's 3 seconds, and
    its answer runs in a later invocation (bolt's lazy listener), so the agent is built there.
    """

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.clock: Clock = utc_now  # the agent's own default, read when the app is built
        self._assistant: Any = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:  # only for what is not set above
        if name.startswith("_"):
            raise AttributeError(name)
        with self._lock:
            if self._assistant is None:
                from cloudstro.agent.service import Assistant

                self._assistant = Assistant(self.store, self.settings, clock=self.clock)
        return getattr(self._assistant, name)


def build_handler(store: Store | None = None, assistant: Any = None,
                  settings: Settings | None = None) -> ScreenedSlackHandler:
    """The gated adapter around a Lambda-mode app; built once per container (cold start)."""
    settings = settings or get_settings()
    if settings.slack_signing_secret is None:
        raise SlackNotConfigured("SLACK_SIGNING_SECRET is not set (Basic Information → "
                                 "App Credentials → Signing Secret)")
    store = store or Store(settings=settings)
    if assistant is None:
        assistant = AssistantOnFirstUse(store, settings)
    app = build_slack_app(store, assistant, settings, process_before_response=True)
    return ScreenedSlackHandler(app, settings.slack_signing_secret.get_secret_value())


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _handler
    with _lock:
        if _handler is None:
            from cloudstro.channels.http.logs import configure_logging
            from cloudstro.config.secrets import load_secret_into_environment

            configure_logging("info")
            load_secret_into_environment()  # the signing secret must be there before bolt
            _handler = build_handler()
    return _handler.handle(event, context)


def _method(event: dict[str, Any]) -> str | None:
    request_context = event.get("requestContext") or {}
    return (request_context.get("http") or {}).get("method") or request_context.get("httpMethod")


def _response(refusal: Refusal) -> dict[str, Any]:
    return {"statusCode": refusal.status, "headers": {"content-type": "application/json"},
            "body": json.dumps(error_payload(refusal.code, refusal.message))}
