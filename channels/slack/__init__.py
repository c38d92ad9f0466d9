"""CloudStro in Slack: DMs, assistant threads and @mentions answered by the agent.

`install(app, services)` adds `POST /slack/events` (Events API and interactivity) to a FastAPI app;
`cloudstro slack` runs the same app over Socket Mode;
`cloudstro.channels.slack.lambda_handler` serves it on AWS Lambda. Setup, from zero to a
working app: docs/slack.md.

Every way in (this endpoint, the Lambda handler) passes `screen_request` before bolt sees the
request: it checks Slack's signature on the raw bytes, because bolt parses the body before its
own check (so unsigned garbage would crash it) and logs the body of a request whose signature
fails. Unsigned requests are a 401, unparsed and unlogged; a signed body that is not a Slack
payload is a 400.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltRequest
from slack_sdk.signature import SignatureVerifier

if TYPE_CHECKING:
    from fastapi import FastAPI

    from cloudstro.channels.services import Services

log = logging.getLogger("cloudstro.slack")

EVENTS_PATH = "/slack/events"


def install(app: FastAPI, services: Services) -> None:
    """Mount `POST /slack/events` on `app`; without Slack credentials, log why and do nothing."""
    settings = services.settings
    signing_secret = settings.slack_signing_secret
    missing = [name for name, value in (("SLACK_SIGNING_SECRET", signing_secret),
                                        ("SLACK_BOT_TOKEN", settings.slack_bot_token))
               if value is None]
    if missing or signing_secret is None:
        log.info("Slack is off: %s not set (see docs/slack.md)", " and ".join(missing))
        return
    # The web framework is imported here, not at the top: the Lambda handler shares this
    # package's request screening and must not pay for FastAPI before its first acknowledgement.
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import Response

    from cloudstro.channels.errors import error_response
    from cloudstro.channels.slack.bolt_app import build_slack_app

    bolt_app = build_slack_app(services.store, services.assistant, settings)
    verifier = SignatureVerifier(signing_secret.get_secret_value())

    async def slack_events(request: Request) -> Response:
        screened = screen_request(verifier, await request.body(), request.headers,
                                  request.url.query)
        if isinstance(screened, Refusal):
            return error_response(screened.status, screened.code, screened.message)
        # dispatch blocks (signature check, auth.test on first use, acknowledgement); a worker
        # thread keeps it off the event loop so one slow request never delays another's ack.
        response = await run_in_threadpool(bolt_app.dispatch, screened)
        return Response(status_code=response.status, content=response.body,
                        headers=response.first_headers_without_set_cookie())

    # A plain Starlette route: the request is all it takes, so FastAPI has no signature to read
    # (it could not resolve `Request`, imported in this function rather than the module).
    app.add_route(EVENTS_PATH, slack_events, methods=["POST"], include_in_schema=False)
    log.info("Slack events at POST %s (Web API %s)", EVENTS_PATH, settings.slack_api_url)


@dataclass(frozen=True)
class Refusal:
    """Why a request never reaches bolt: the status, code and message its sender gets."""

    status: int
    code: str
    message: str


def screen_request(verifier: SignatureVerifier, raw: bytes, headers: Mapping[str, str],
                   query: str | dict[str, str] | dict[str, Sequence[str]] | None = None,
                   ) -> BoltRequest | Refusal:
    """The request for bolt, or why it is refused: not text (400), unsigned (401), or signed
    yet not the JSON or form payload Slack sends (400). `headers` must look names up
    case-insensitively (or hold them in lower case)."""
    try:
        body = raw.decode("utf-8")  # the signature check itself needs text
    except UnicodeDecodeError:
        return Refusal(400, "bad_request", "the request body is not UTF-8")
    if not signed_by_slack(verifier, raw, headers):
        return Refusal(401, "invalid_signature",
                       "the request does not carry a valid Slack signature")
    try:
        return BoltRequest(body=body, query=query, headers=dict(headers))
    except (ValueError, TypeError, AttributeError):  # not JSON or form, or not an object
        return Refusal(400, "bad_request", "the request body is not a Slack payload")


def signed_by_slack(verifier: SignatureVerifier, body: bytes, headers: Any) -> bool:
    """Slack's v0 signature over the raw body, within five minutes, in constant time.

    Headers arrive as any bytes a client sent: a non-numeric timestamp or a non-ASCII
    signature is simply not a valid signature (the SDK would raise on either).
    """
    timestamp = headers.get("x-slack-request-timestamp") or ""
    signature = headers.get("x-slack-signature") or ""
    if not (timestamp.isascii() and timestamp.isdigit() and signature.isascii()):
        return False
    return verifier.is_valid(body, timestamp, signature)


__all__ = ["EVENTS_PATH", "Refusal", "install", "screen_request", "signed_by_slack"]
