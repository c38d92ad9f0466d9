"""Connecting accounts over HTTP: start a connection, the platform's callback, list, disconnect.

`POST /v1/connections/{platform}`, `GET /v1/connections` and `DELETE /v1/connections/{id}`
act for the bearer token's user like every API route. The callback, `GET /oauth/{platform}/
callback`, is where the platform sends the person's browser back: it has no bearer token, and
needs none, because the single-use `state` it carries is bound to the user who started the
connection. It answers a small HTML page, never JSON, since a person reads it; every value on
it is HTML-escaped (the platform's name, the account's name, an error code from the query).
No route ever answers or logs a token; the page and the log name the platform and accounts.

Every link opens `GET /connect/{state}`, which gives the browser a cookie that names it. A link
a Slack user vouches for goes on to sign in to Slack; Slack sends the browser back to `GET
/connect/slack/callback`, which checks it is the Slack user the link was made for and sends it
on to the platform (`ingest/oauth/signin.py`). Any other link answers a page that names whose
profile it connects to, and `POST /connect/{state}` from that page sends the browser on
(`ingest/oauth/confirm.py`). The platform's callback then reads the same cookie.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Cookie, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from cloudstro.channels.errors import ApiError, ErrorBody
from cloudstro.channels.http.deps import AUTH_ERRORS, UserId, run_blocking, services_of
from cloudstro.channels.http.deps import store_call as _store_call
from cloudstro.config import Clock, utc_now
from cloudstro.ingest.oauth import (
    BROWSER_COOKIE,
    STATE_TTL,
    ConnectError,
    ConnectionInfo,
    NoSuchConnection,
    NotConfigured,
    UnknownPlatform,
    begin_connection,
    disconnect,
    finish_connection,
    list_connections,
)
from cloudstro.ingest.oauth.confirm import ConfirmPage, confirm_in_browser, open_link
from cloudstro.ingest.oauth.first_sync import start_first_sync
from cloudstro.ingest.oauth.signin import finish_signin
from cloudstro.store.errors import StoreError
from cloudstro.store.platforms import shown_name


def request_clock() -> Clock:
    """The clock of connections (a dependency, so tests can move it: states expire by it, and
    the first sync measures posts by it)."""
    return utc_now


RequestClock = Annotated[Clock, Depends(request_clock)]


class AuthorizeLink(BaseModel):
    authorizeUrl: str


class ConnectionList(BaseModel):
    connections: list[ConnectionInfo]


class DisconnectResult(BaseModel):
    platformAccountId: str
    revoked: bool
    postsDeleted: int


def _api_error(exc: ConnectError) -> ApiError:
    code = {UnknownPlatform: "unknown_platform", NotConfigured: "not_configured",
            NoSuchConnection: "connection_not_found"}.get(type(exc), "connect_failed")
    return ApiError(exc.status, code, str(exc))


connections_router = APIRouter(prefix="/v1/connections", tags=["connections"])


@connections_router.post("/{platform}", response_model=AuthorizeLink,
             responses={**AUTH_ERRORS, 404: {"model": ErrorBody}, 503: {"model": ErrorBody}})
async def start_connection(platform: str, request: Request, user_id: UserId,
                           clock: RequestClock) -> dict[str, str]:
    """A link that leads to the platform's page where you allow CloudStro to read your account.

    Open it in a browser within ten minutes. When your profile is linked to a Slack user (and
    the server has Sign in with Slack), it first asks that browser to sign in to Slack as you;
    otherwise it shows whose profile it connects to and asks you to continue. The platform then
    sends you back to CloudStro, in the same browser, which stores the account and starts its
    first sync.
    """
    services = services_of(request)
    try:
        link = await _store_call(request, begin_connection, services.store, services.settings,
                                 user_id, platform, clock())
    except ConnectError as exc:
        raise _api_error(exc) from exc
    return {"authorizeUrl": link.url}


@connections_router.get("", response_model=ConnectionList, responses=AUTH_ERRORS)
async def connections(request: Request, user_id: UserId) -> dict[str, Any]:
    """Your connected accounts: platform, username, status, last sync and posts synced."""
    found = await _store_call(request, list_connections, services_of(request).store, user_id)
    return {"connections": found}


@connections_router.delete("/{platform_account_id}", response_model=DisconnectResult,
               responses={**AUTH_ERRORS, 404: {"model": ErrorBody}})
async def remove_connection(platform_account_id: str, request: Request, user_id: UserId,
                            delete_data: Annotated[bool, Query(alias="deleteData")] = False
                            ) -> dict[str, Any]:
    """Disconnect an account (`platform#id`, as listed): revokes access where the platform
    allows it and deletes the tokens. Synced posts stay unless `deleteData=true`."""
    services = services_of(request)
    try:
        done = await run_blocking(lambda: disconnect(
            services.store, services.settings, user_id, platform_account_id,
            delete_data=delete_data))
    except ConnectError as exc:
        raise _api_error(exc) from exc
    return {"platformAccountId": done.platform_account_id, "revoked": done.revoked,
            "postsDeleted": done.posts_deleted}


callback_router = APIRouter(tags=["connections"])
Done = TypeVar("Done")
# Every answer of the callback is a page a person reads.
CALLBACK_PAGES = {400: "The link is unknown, expired or used, was opened in another browser, "
                       "or the platform said no; nothing was stored.",
                  403: "The link was made in Slack for someone else; nothing was stored.",
                  404: "No platform by that name.",
                  502: "The platform did not answer usably; nothing was stored.",
                  503: "Connecting is not set up, or the store is not answering."}


@callback_router.get("/oauth/{platform}/callback", response_class=HTMLResponse,
                     responses={status: {"content": {"text/html": {}}, "description": what}
                                for status, what in CALLBACK_PAGES.items()})
async def oauth_callback(platform: str, request: Request, clock: RequestClock,
                         code: str | None = None, state: str | None = None,
                         error: str | None = None,
                         browser_key: Annotated[str | None, Cookie(alias=BROWSER_COOKIE)] = None
                         ) -> HTMLResponse:
    """Where the platform sends the browser back; stores the account (no bearer token)."""
    services = services_of(request)
    connection = await _or_a_page(lambda: finish_connection(
        services.store, services.settings, platform, state=state, code=code, error=error,
        now=clock(), first_sync=partial(start_first_sync, clock=clock), browser_key=browser_key))
    if isinstance(connection, HTMLResponse):
        return connection
    return page(200, f"{shown_name(connection.platform)} connected",
                f"Connected {connection.names}. You can go back to Slack. Your first numbers "
                "arrive in a few minutes.")


@callback_router.get("/connect/slack/callback", response_class=HTMLResponse,
                     responses={302: {"description": "Signed in: on to the platform's page"},
                                **{status: {"content": {"text/html": {}}, "description": what}
                                   for status, what in CALLBACK_PAGES.items()}})
async def slack_signin_callback(request: Request, clock: RequestClock, code: str | None = None,
                                state: str | None = None, error: str | None = None,
                                browser_key: Annotated[str | None,
                                                       Cookie(alias=BROWSER_COOKIE)] = None
                                ) -> Response:
    """Where Slack sends the browser back after sign-in: on to the platform, or a page that
    says why not."""
    services = services_of(request)
    authorize_url = await _or_a_page(lambda: finish_signin(
        services.store, services.settings, state=state, code=code, error=error,
        cookie=browser_key, now=clock()))
    if isinstance(authorize_url, HTMLResponse):
        return authorize_url
    return RedirectResponse(authorize_url, 302, headers=PRIVATE_HEADERS)


@callback_router.get("/connect/{state}", response_class=HTMLResponse,
                     responses={200: {"description": "Whose profile the link connects to, and "
                                                     "a button to continue"},
                                302: {"description": "On to Slack's sign-in page"},
                                **{status: {"content": {"text/html": {}}, "description": what}
                                   for status, what in CALLBACK_PAGES.items()}})
async def open_connection_link(state: str, request: Request, clock: RequestClock,
                               browser_key: Annotated[str | None,
                                                      Cookie(alias=BROWSER_COOKIE)] = None
                               ) -> Response:
    """A connection link: sign in to Slack first, or confirm whose profile it connects to."""
    services = services_of(request)
    opened = await _or_a_page(lambda: open_link(
        services.store, services.settings, state, browser_key, clock()))
    if isinstance(opened, HTMLResponse):
        return opened
    answer: Response
    if isinstance(opened, ConfirmPage):
        answer = page(200, f"Connect {opened.platform} to CloudStro",
                      f"This link connects a {opened.platform} account to the CloudStro "
                      f"profile of {opened.asker}: whoever approves the next page lets that "
                      f"profile read the account's posts and numbers. Continue only if that is "
                      "your profile. If someone sent you this link, close this page.",
                      button=f"Continue to {opened.platform}")
    else:
        answer = RedirectResponse(opened.slack_url, 302, headers=PRIVATE_HEADERS)
    answer.set_cookie(BROWSER_COOKIE, opened.browser_key, max_age=int(STATE_TTL.total_seconds()),
                      path="/", httponly=True, samesite="lax",
                      secure=services.settings.public_url.startswith("https://"))
    return answer


@callback_router.post("/connect/{state}", response_class=HTMLResponse,
                      responses={303: {"description": "On to the platform's page"},
                                 **{status: {"content": {"text/html": {}}, "description": what}
                                    for status, what in CALLBACK_PAGES.items()}})
async def confirm_connection_link(state: str, request: Request, clock: RequestClock,
                                  browser_key: Annotated[str | None,
                                                         Cookie(alias=BROWSER_COOKIE)] = None
                                  ) -> Response:
    """Continue from a connection link's page: this browser goes on to the platform's page
    and is the only one that can finish the connection."""
    services = services_of(request)
    authorize_url = await _or_a_page(lambda: confirm_in_browser(
        services.store, services.settings, state, browser_key, clock()))
    if isinstance(authorize_url, HTMLResponse):
        return authorize_url
    return RedirectResponse(authorize_url, 303, headers=PRIVATE_HEADERS)


async def _or_a_page(step: Callable[[], Done]) -> Done | HTMLResponse:
    """Run one step of connecting off the event loop; what went wrong becomes the page that
    says so (a person reads every answer here, so nothing is ever a JSON error or a 500)."""
    try:
        done: Done = await run_blocking(step)
    except ConnectError as exc:
        return page(exc.status, exc.title, str(exc))
    except StoreError:
        return page(503, "Try again in a moment",
                    "CloudStro could not save the connection just now; nothing was stored. "
                    "Start again in a minute.")
    return done


def page(status: int, title: str, message: str, button: str | None = None) -> HTMLResponse:
    """A tiny self-contained page; every text is escaped, nothing else is interpolated.
    `button` posts back to the page's own URL (a link's confirmation)."""
    form = ("" if button is None else
            f"<form method=\"post\"><button type=\"submit\">{html.escape(button)}</button>"
            "</form>")
    body = (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{html.escape(title)} · CloudStro</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;"
        "padding:0 1rem;line-height:1.5}</style></head>"
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>{form}</body></html>")
    # No other site may frame a page whose button connects an account.
    return HTMLResponse(body, status, headers={
        **PRIVATE_HEADERS,
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                   "frame-ancestors 'none'"})


# The URL carried a code and a state: keep it out of caches and other sites' Referer.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
