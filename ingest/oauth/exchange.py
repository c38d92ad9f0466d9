"""Each platform's code exchange and "who is this": from an authorization code to accounts.

A connection yields one account on X, Instagram and TikTok, and one per Page on Facebook:
- X: the code and PKCE verifier at `/2/oauth2/token` (Basic auth when the client has a
  secret), then `/2/users/me`;
- Instagram: the code at Instagram's token host for a one-hour token, swapped at
  `/access_token` (`ig_exchange_token`) for the 60-day token sync renews, then `/me`;
- Facebook: the code for a user token, swapped (`fb_exchange_token`) for a long-lived one so
  the page tokens made from it do not expire, then `/me/accounts`: one account per Page, each
  with its own page token (the user token itself is not kept);
- TikTok: the code and client secret at `/v2/oauth/token/` (Login Kit for Web: no PKCE), then
  `/v2/user/info/`.

The code is single-use and short-lived (X: 30 s), so nothing here retries: a failure is shown
to the person, who starts again. Error messages name the platform, the path and the platform's
error code only; Meta's token calls must carry secrets in the query string, which is why this
module uses the ingest HTTP layer's quiet httpx loggers and never logs a URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from cloudstro.config import Settings
from cloudstro.ingest.http import strip_token
from cloudstro.ingest.meta import GRAPH_VERSION
from cloudstro.ingest.oauth.apps import OAuthApp
from cloudstro.ingest.oauth.errors import ExchangeFailed
from cloudstro.store.platforms import display_name

MAX_PAGES_READ = 20  # /me/accounts pages (25 Pages each) read for one Facebook login


@dataclass(frozen=True)
class GrantedAccount:
    """One account a connection gave access to, with its tokens (never logged: see repr)."""

    account_id: str
    username: str
    access_token: SecretStr
    refresh_token: SecretStr | None
    expires_in: int | None  # seconds; None: the platform gives no expiry (page tokens)

    def __repr__(self) -> str:
        return f"GrantedAccount(account_id={self.account_id!r}, username={self.username!r})"


class PlatformCalls:
    """One connection's requests to one platform: JSON bodies or `ExchangeFailed`."""

    def __init__(self, platform: str, client: httpx.Client) -> None:
        self.platform = platform
        self.client = client

    def call(self, method: str, url: str, *, bearer: str | None = None,
             basic: tuple[str, str] | None = None, **kwargs: Any) -> dict[str, Any]:
        path = urlsplit(url).path  # messages carry the path, never a query string
        headers = {"Accept": "application/json"}
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        try:
            response = self.client.request(method, url, headers=headers,
                                           auth=basic or httpx.USE_CLIENT_DEFAULT, **kwargs)
        except httpx.HTTPError as exc:
            raise ExchangeFailed(self.platform, f"could not be reached ({type(exc).__name__} "
                                                f"on {path}); try again in a moment",
                                 refused=False) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        code = _error_code(body)
        if response.status_code >= 400 or code is not None:
            refused = 400 <= response.status_code < 500 and response.status_code != 429
            detail = f" ({code})" if code else ""
            raise ExchangeFailed(self.platform, f"refused the request to {path} "
                                                f"(HTTP {response.status_code}){detail}",
                                 refused=refused)
        if not isinstance(body, dict):
            raise ExchangeFailed(self.platform, f"answered {path} without a JSON object",
                                 refused=False)
        return body

    def text(self, body: dict[str, Any], *path: str) -> str:
        """The non-empty string (or number, for Meta's numeric ids) at `path` in `body`."""
        value: Any = body
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value:
            raise ExchangeFailed(self.platform, f"answered without {'.'.join(path)}",
                                 refused=False)
        return value

    def grant(self, body: dict[str, Any]) -> tuple[SecretStr, SecretStr | None, int | None]:
        access = SecretStr(self.text(body, "access_token"))
        refresh = body.get("refresh_token")
        expires = body.get("expires_in")
        return (access, SecretStr(refresh) if isinstance(refresh, str) and refresh else None,
                expires if isinstance(expires, int) and not isinstance(expires, bool)
                and expires > 0 else None)


def _error_code(body: Any) -> str | None:
    """The platform's error code in a body: X and TikTok OAuth `error`, Meta `error.code`,
    TikTok API `error.code` other than "ok"."""
    if not isinstance(body, dict) or "error" not in body:
        return None
    error = body["error"]
    if isinstance(error, dict):
        code = error.get("code")
        return None if code in (None, "ok", 0) else str(code)
    return str(error) if error else None


# ------------------------------------------------------------------------------ platforms


def exchange_code(app: OAuthApp, settings: Settings, client: httpx.Client, code: str,
                  verifier: str | None) -> list[GrantedAccount]:
    """The accounts `code` gives access to; ExchangeFailed when the platform says no."""
    calls = PlatformCalls(app.platform, client)
    return _EXCHANGES[app.platform](app, settings, calls, code, verifier)


def _x(app: OAuthApp, settings: Settings, calls: PlatformCalls, code: str,
       verifier: str | None) -> list[GrantedAccount]:
    base = settings.twitter_api_url.rstrip("/")
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": app.redirect_uri,
            "code_verifier": verifier or "", "client_id": app.client_id}
    # A confidential client authenticates with Basic auth; a public one sends its id only.
    basic = ((app.client_id, app.client_secret.get_secret_value())
             if app.client_secret is not None else None)
    access, refresh, expires = calls.grant(calls.call("POST", f"{base}/2/oauth2/token",
                                                      data=form, basic=basic))
    me = calls.call("GET", f"{base}/2/users/me", bearer=access.get_secret_value())
    return [GrantedAccount(calls.text(me, "data", "id"), calls.text(me, "data", "username"),
                           access, refresh, expires)]


def _instagram(app: OAuthApp, settings: Settings, calls: PlatformCalls, code: str,
               _verifier: str | None) -> list[GrantedAccount]:
    form = {"client_id": app.client_id, "client_secret": app.secret(),
            "grant_type": "authorization_code", "redirect_uri": app.redirect_uri, "code": code}
    body = calls.call("POST", settings.instagram_token_url, data=form)
    # Instagram Login answers {"data": [{access_token, user_id, permissions}]}; older
    # deployments answered the object itself.
    data = body.get("data")
    short = calls.text(data[0] if isinstance(data, list) and data else body, "access_token")
    base = settings.instagram_api_url.rstrip("/")
    long_lived = calls.call("GET", f"{base}/access_token", params={
        "grant_type": "ig_exchange_token", "client_secret": app.secret(),
        "access_token": short})
    access, _, expires = calls.grant(long_lived)
    me = calls.call("GET", f"{base}/{GRAPH_VERSION}/me", params={"fields": "user_id,username"},
                    bearer=access.get_secret_value())
    # `user_id` is the professional account's id, the one its media are listed under.
    account_id = calls.text(me, "user_id") if me.get("user_id") else calls.text(me, "id")
    return [GrantedAccount(account_id, calls.text(me, "username"), access, None, expires)]


def _facebook(app: OAuthApp, settings: Settings, calls: PlatformCalls, code: str,
              _verifier: str | None) -> list[GrantedAccount]:
    base = f"{settings.facebook_api_url.rstrip('/')}/{GRAPH_VERSION}"
    short = calls.text(calls.call("GET", f"{base}/oauth/access_token", params={
        "client_id": app.client_id, "client_secret": app.secret(),
        "redirect_uri": app.redirect_uri, "code": code}), "access_token")
    user_token = calls.text(calls.call("GET", f"{base}/oauth/access_token", params={
        "grant_type": "fb_exchange_token", "client_id": app.client_id,
        "client_secret": app.secret(), "fb_exchange_token": short}), "access_token")
    pages: list[GrantedAccount] = []
    link = f"{base}/me/accounts"
    params: dict[str, Any] | None = {"fields": "id,name,access_token", "limit": 25}
    for _ in range(MAX_PAGES_READ):
        body = calls.call("GET", link, params=params, bearer=user_token)
        items = body.get("data")
        if not isinstance(items, list):
            raise ExchangeFailed(app.platform, "answered /me/accounts without a list of Pages",
                                 refused=False)
        for item in items:
            if isinstance(item, dict) and item.get("access_token"):
                pages.append(GrantedAccount(calls.text(item, "id"), calls.text(item, "name"),
                                            SecretStr(calls.text(item, "access_token")),
                                            None, None))
        paging = body.get("paging")
        following = paging.get("next") if isinstance(paging, dict) else None
        if not isinstance(following, str):
            break
        link, params = strip_token(following), None
    if not pages:
        raise ExchangeFailed(app.platform, "gave access to no Pages: choose at least one Page "
                                           f"you manage when {display_name(app.platform)} asks, "
                                           "then connect again",
                             refused=True)
    return pages


def _tiktok(app: OAuthApp, settings: Settings, calls: PlatformCalls, code: str,
            _verifier: str | None) -> list[GrantedAccount]:
    base = settings.tiktok_api_url.rstrip("/")
    form = {"client_key": app.client_id, "client_secret": app.secret(), "code": code,
            "grant_type": "authorization_code", "redirect_uri": app.redirect_uri}
    access, refresh, expires = calls.grant(calls.call("POST", f"{base}/v2/oauth/token/",
                                                      data=form))
    me = calls.call("GET", f"{base}/v2/user/info/", params={"fields": "open_id,display_name"},
                    bearer=access.get_secret_value())
    return [GrantedAccount(calls.text(me, "data", "user", "open_id"),
                           calls.text(me, "data", "user", "display_name"),
                           access, refresh, expires)]


_EXCHANGES = {"twitter": _x, "instagram": _instagram, "facebook": _facebook, "tiktok": _tiktok}


# ------------------------------------------------------------------------------ revocation


def revoke(app: OAuthApp, settings: Settings, client: httpx.Client,
           access_token: SecretStr) -> bool:
    """Revoke the token where the platform offers it; False where it does not.

    X and TikTok have revocation endpoints. Instagram Login offers none, and a Facebook page
    token can only be withdrawn with the person's user token, which is not kept: the person
    removes the app in the platform's settings.
    """
    calls = PlatformCalls(app.platform, client)
    token = access_token.get_secret_value()
    if app.platform == "twitter":
        basic = ((app.client_id, app.client_secret.get_secret_value())
                 if app.client_secret is not None else None)
        calls.call("POST", f"{settings.twitter_api_url.rstrip('/')}/2/oauth2/revoke",
                   data={"token": token, "token_type_hint": "access_token",
                         "client_id": app.client_id}, basic=basic)
        return True
    if app.platform == "tiktok":
        calls.call("POST", f"{settings.tiktok_api_url.rstrip('/')}/v2/oauth/revoke/",
                   data={"client_key": app.client_id, "client_secret": app.secret(),
                         "token": token})
        return True
    return False
