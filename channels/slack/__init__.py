"""CloudStro in Slack: DMs, assistant threads and @mentions answered by the agent.

`install(app, ...)` adds `POST /slack/events` (Events API and interactivity) to a FastAPI app;
`cloudstro slack` runs the same app over Socket Mode;
`cloudstro.channels.slack.lambda_handler` serves it on AWS Lambda. Setup, from zero to a
working app: docs/slack.md.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from slack_bolt import BoltRequest
from starlette.concurrency import run_in_threadpool

from cloudstro.config import Settings
from cloudstro.store import Store

log = logging.getLogger("cloudstro.slack")

EVENTS_PATH = "/slack/events"


def install(app: FastAPI, *, store: Store, assistant: Any, settings: Settings) -> None:
    """Mount `POST /slack/events` on `app`; without Slack credentials, log why and do nothing."""
    missing = [name for name, value in (("SLACK_SIGNING_SECRET", settings.slack_signing_secret),
                                        ("SLACK_BOT_TOKEN", settings.slack_bot_token))
               if value is None]
    if missing:
        log.info("Slack is off: %s not set (see docs/slack.md)", " and ".join(missing))
        return
    from cloudstro.channels.slack.bolt_app import build_slack_app

    bolt_app = build_slack_app(store, assistant, settings)
    app.state.slack_app = bolt_app

    @app.post(EVENTS_PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        raw = await request.body()
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return JSONResponse({"error": "the request body is not UTF-8"}, status_code=400)
        bolt_request = BoltRequest(body=body, query=request.url.query,
                                   headers=dict(request.headers))
        # dispatch blocks (signature check, auth.test on first use, acknowledgement); a worker
        # thread keeps it off the event loop so one slow request never delays another's ack.
        response = await run_in_threadpool(bolt_app.dispatch, bolt_request)
        return Response(status_code=response.status, content=response.body,
                        headers=response.first_headers_without_set_cookie())

    log.info("Slack events at POST %s (Web API %s)", EVENTS_PATH, settings.slack_api_url)


__all__ = ["EVENTS_PATH", "install"]
