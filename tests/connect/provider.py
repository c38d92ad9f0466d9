"""A local OAuth provider for each platform, on top of the sync stand-ins, on 127.0.0.1.

Each platform's stand-in (tests/support/standins.py) gets the authorization server it lacks:
an authorize page that "approves" at once by redirecting to the `redirect_uri` with a code (or
with `error=access_denied` when the person is set to decline), a token endpoint that checks
the client, the redirect URI and, where the platform uses PKCE, that
base64url(SHA-256(code_verifier)) equals the code challenge the authorize step received, and
the "who am I" endpoints. Codes are single-use. Tokens the provider issues are added to the
stand-in's accepted tokens, so the first sync after a connection runs against the same stand-in
with them. Shapes follow the platforms' documents (X `/2/users/me`, Instagram Login's
`{"data": [...]}` token answer, Facebook `/me/accounts`, TikTok `/v2/user/info/`).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.support.servers import start_server
from tests.support.standins import (
    PlatformState,
    StandIns,
    _bearer,
    _form,
    _LateBoundApp,
    facebook_app,
    instagram_app,
    tiktok_app,
    x_app,
)

CLIENTS = {"twitter": ("x-client-id", None), "instagram": ("ig-client", "ig-secret"),
           "facebook": ("fb-app", "fb-secret"), "tiktok": ("tt-client-key", "tt-client-secret")}
CLIENT_SETTINGS = {"twitter": ("TWITTER_CLIENT_ID", "TWITTER_CLIENT_SECRET"),
                   "instagram": ("INSTAGRAM_CLIENT_ID", "INSTAGRAM_CLIENT_SECRET"),
                   "facebook": ("FACEBOOK_APP_ID", "FACEBOOK_APP_SECRET"),
                   "tiktok": ("TIKTOK_CLIENT_ID", "TIKTOK_CLIENT_SECRET")}
AUTHORIZE_PATHS = {"twitter": "/i/oauth2/authorize", "instagram": "/oauth/authorize",
                   "facebook": "/v24.0/dialog/oauth", "tiktok": "/v2/auth/authorize/"}
USERNAMES = {"twitter": "ana_makes", "instagram": "ana.makes", "tiktok": "Ana Makes"}
FACEBOOK_PAGES = (("104000000000001", "Ana's Bakery"), ("104000000000002", "Ana <Studio>"))


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()
                                    ).rstrip(b"=").decode()


@dataclass
class IssuedCode:
    client_id: str
    redirect_uri: str
    challenge: str | None


@dataclass
class Authorizer:
    """One platform's authorization server: codes, issued tokens, and what it was asked."""

    platform: str
    state: PlatformState
    decline: bool = False
    codes: dict[str, IssuedCode] = field(default_factory=dict)
    authorize_queries: list[dict[str, str]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why token requests were refused
    token_forms: list[dict[str, str]] = field(default_factory=list)  # code exchanges received
    issued_tokens: list[str] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)
    numbers: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def client_id(self) -> str:
        return CLIENTS[self.platform][0]

    def authorize(self, request: Request, client_param: str = "client_id") -> Response:
        query = dict(request.query_params)
        self.authorize_queries.append(query)
        back = query["redirect_uri"]
        if self.decline:
            return redirect_back(query, error="access_denied")
        code = f"{self.platform}-code-{next(self.numbers)}"
        challenge = query.get("code_challenge")
        if challenge is not None and query.get("code_challenge_method") != "S256":
            return JSONResponse({"error": "invalid_request"}, 400)
        self.codes[code] = IssuedCode(query[client_param], back, challenge)
        return redirect_back(query, code=code)

    def redeem(self, form: dict[str, str], client_id: str) -> str | None:
        """Spend a code; the reason it is refused, or None when it is good."""
        issued = self.codes.pop(form.get("code", ""), None)
        reason = None
        if issued is None:
            reason = "unknown or used code"
        elif client_id != issued.client_id or client_id != self.client_id:
            reason = "wrong client"
        elif form.get("redirect_uri") != issued.redirect_uri:
            reason = "redirect_uri differs from the authorize request"
        elif issued.challenge is not None and s256(form.get("code_verifier", "")
                                                   ) != issued.challenge:
            reason = "code_verifier does not match the code challenge"
        if reason:
            self.refused.append(reason)
        return reason

    def token(self, kind: str, refresh: bool = False) -> str:
        value = f"{self.platform}-{kind}-{next(self.numbers)}-secret"
        self.issued_tokens.append(value)
        (self.state.refresh_tokens if refresh else self.state.access_tokens).add(value)
        return value


def redirect_back(query: dict[str, str], **answer: str) -> RedirectResponse:
    """The authorization server's answer: the browser back to `redirect_uri` with `answer`
    (a code, or an error) and the request's state."""
    return RedirectResponse(
        f"{query['redirect_uri']}?{urlencode({**answer, 'state': query['state']})}", 302)


Endpoint = Callable[[Request], Awaitable[Response]]


def _before(app: FastAPI, path: str, method: str, endpoint: Endpoint) -> Endpoint | None:
    """Put `endpoint` in front of the app's routes; the route it shadows, if any, is returned
    so the new endpoint can hand it requests it does not handle (a refresh grant)."""
    shadowed = next((route.endpoint for route in app.router.routes
                     if isinstance(route, Route) and route.path == path
                     and method in (route.methods or ())), None)
    app.router.routes.insert(0, Route(path, endpoint, methods=[method]))
    return shadowed


def add_x(app: FastAPI, auth: Authorizer) -> None:
    async def authorize(request: Request) -> Response:
        return auth.authorize(request)

    async def token(request: Request) -> Response:
        form = await _form(request)
        if form.get("grant_type") != "authorization_code":
            return await refresh(request)
        if auth.redeem(form, form.get("client_id", "")):
            return JSONResponse({"error": "invalid_request", "error_description":
                                 "Value passed for the authorization code was invalid."}, 400)
        return JSONResponse({"token_type": "bearer", "expires_in": 7200,
                             "access_token": auth.token("access"),
                             "scope": "tweet.read users.read offline.access",
                             "refresh_token": auth.token("refresh", refresh=True)})

    async def me(request: Request) -> Response:
        if _bearer(request) not in auth.state.access_tokens:
            return JSONResponse({"title": "Unauthorized", "status": 401}, 401)
        return JSONResponse({"data": {"id": auth.state.account_id, "name": "Ana",
                                      "username": USERNAMES["twitter"]}})

    async def revoke(request: Request) -> Response:
        form = await _form(request)
        auth.revoked.append(form.get("token", ""))
        auth.state.access_tokens.discard(form.get("token", ""))
        return JSONResponse({"revoked": True})

    _before(app, AUTHORIZE_PATHS["twitter"], "GET", authorize)
    shadowed = _before(app, "/2/oauth2/token", "POST", token)
    assert shadowed is not None
    refresh: Endpoint = shadowed
    _before(app, "/2/users/me", "GET", me)
    _before(app, "/2/oauth2/revoke", "POST", revoke)


def add_instagram(app: FastAPI, auth: Authorizer) -> None:
    short_lived: set[str] = set()

    async def authorize(request: Request) -> Response:
        return auth.authorize(request)

    async def token(request: Request) -> Response:
        form = await _form(request)
        if form.get("client_secret") != CLIENTS["instagram"][1] or auth.redeem(
                form, form.get("client_id", "")):
            return JSONResponse({"error_type": "OAuthException", "code": 400,
                                 "error_message": "Invalid authorization code"}, 400)
        token = f"ig-short-{next(auth.numbers)}-secret"
        short_lived.add(token)
        auth.issued_tokens.append(token)
        return JSONResponse({"data": [{"access_token": token, "user_id": auth.state.account_id,
                                       "permissions": "instagram_business_basic,"
                                                      "instagram_business_manage_insights"}]})

    async def exchange(request: Request) -> Response:
        q = request.query_params
        if (q.get("grant_type") != "ig_exchange_token" or q.get("client_secret")
                != CLIENTS["instagram"][1] or q.get("access_token") not in short_lived):
            return JSONResponse({"error": {"message": "Invalid OAuth access token.",
                                           "type": "OAuthException", "code": 190}}, 400)
        return JSONResponse({"access_token": auth.token("long"), "token_type": "bearer",
                             "expires_in": 5184000})

    async def me(request: Request) -> Response:
        if _bearer(request) not in auth.state.access_tokens:
            return JSONResponse({"error": {"message": "Invalid OAuth access token.",
                                           "type": "OAuthException", "code": 190}}, 400)
        return JSONResponse({"user_id": auth.state.account_id, "id": "app-scoped-1",
                             "username": USERNAMES["instagram"]})

    _before(app, AUTHORIZE_PATHS["instagram"], "GET", authorize)
    _before(app, "/oauth/access_token", "POST", token)
    _before(app, "/access_token", "GET", exchange)
    _before(app, "/v24.0/me", "GET", me)


def add_facebook(app: FastAPI, auth: Authorizer) -> None:
    user_tokens: dict[str, str] = {}  # token -> "short" | "long"

    async def authorize(request: Request) -> Response:
        return auth.authorize(request)

    async def token(request: Request) -> Response:
        q = dict(request.query_params)
        if q.get("client_secret") != CLIENTS["facebook"][1]:
            return JSONResponse({"error": {"message": "Error validating client secret.",
                                           "type": "OAuthException", "code": 1}}, 400)
        if q.get("grant_type") == "fb_exchange_token":
            if user_tokens.get(q.get("fb_exchange_token", "")) != "short":
                return JSONResponse({"error": {"message": "Invalid OAuth access token.",
                                               "type": "OAuthException", "code": 190}}, 400)
            long_token = f"fb-user-long-{next(auth.numbers)}-secret"
            user_tokens[long_token] = "long"
            auth.issued_tokens.append(long_token)
            return JSONResponse({"access_token": long_token, "token_type": "bearer",
                                 "expires_in": 5183944})
        if auth.redeem(q, q.get("client_id", "")):
            return JSONResponse({"error": {"message": "Invalid verification code format.",
                                           "type": "OAuthException", "code": 100}}, 400)
        short = f"fb-user-short-{next(auth.numbers)}-secret"
        user_tokens[short] = "short"
        auth.issued_tokens.append(short)
        return JSONResponse({"access_token": short, "token_type": "bearer",
                             "expires_in": 5183944})

    async def accounts(request: Request) -> Response:
        # Page tokens only from a long-lived user token (a short one would give 1-hour pages).
        if user_tokens.get(_bearer(request) or "") != "long":
            return JSONResponse({"error": {"message": "Invalid OAuth access token.",
                                           "type": "OAuthException", "code": 190}}, 400)
        return JSONResponse({"data": [
            {"access_token": auth.token("page"), "category": "Bakery",
             "category_list": [{"id": "2265", "name": "Bakery"}], "name": name, "id": page_id,
             "tasks": ["ANALYZE", "CREATE_CONTENT", "MANAGE"]}
            for page_id, name in FACEBOOK_PAGES],
            "paging": {"cursors": {"before": "b", "after": "a"}}})

    _before(app, AUTHORIZE_PATHS["facebook"], "GET", authorize)
    _before(app, "/v24.0/oauth/access_token", "GET", token)
    _before(app, "/v24.0/me/accounts", "GET", accounts)


def add_tiktok(app: FastAPI, auth: Authorizer) -> None:
    async def authorize(request: Request) -> Response:
        return auth.authorize(request, client_param="client_key")

    async def token(request: Request) -> Response:
        form = await _form(request)
        if form.get("grant_type") != "authorization_code":
            return await refresh(request)
        auth.token_forms.append(form)
        if form.get("client_secret") != CLIENTS["tiktok"][1] or auth.redeem(
                form, form.get("client_key", "")):
            return JSONResponse({"error": "invalid_grant", "error_description":
                                 "Authorization code is expired.", "log_id": "2026"}, 400)
        return JSONResponse({"access_token": auth.token("access"), "expires_in": 7200,
                             "open_id": auth.state.account_id, "refresh_expires_in": 15552000,
                             "refresh_token": auth.token("refresh", refresh=True),
                             "scope": "user.info.basic,video.list", "token_type": "Bearer"})

    async def user_info(request: Request) -> Response:
        error = {"code": "ok", "message": "", "log_id": "2026"}
        if _bearer(request) not in auth.state.access_tokens:
            return JSONResponse({"data": {}, "error": {**error, "code":
                                                       "access_token_invalid"}}, 401)
        return JSONResponse({"data": {"user": {"open_id": auth.state.account_id,
                                               "display_name": USERNAMES["tiktok"]}},
                             "error": error})

    async def revoke(request: Request) -> Response:
        form = await _form(request)
        auth.revoked.append(form.get("token", ""))
        auth.state.access_tokens.discard(form.get("token", ""))
        return JSONResponse({})

    _before(app, AUTHORIZE_PATHS["tiktok"], "GET", authorize)
    shadowed = _before(app, "/v2/oauth/token/", "POST", token)
    assert shadowed is not None
    refresh: Endpoint = shadowed
    _before(app, "/v2/user/info/", "GET", user_info)
    _before(app, "/v2/oauth/revoke/", "POST", revoke)


@dataclass
class Providers:
    """The stand-ins with their authorization servers, and the settings that point at them."""

    standins: StandIns
    authorizers: dict[str, Authorizer]

    @property
    def env(self) -> dict[str, str]:
        urls = {platform: server.url for platform, server in self.standins.servers.items()}
        env = {**self.standins.env,
               "INSTAGRAM_TOKEN_URL": f"{urls['instagram']}/oauth/access_token"}
        for platform, (client_setting, secret_setting) in CLIENT_SETTINGS.items():
            env[f"{platform.upper()}_AUTHORIZE_URL"] = urls[platform] + AUTHORIZE_PATHS[platform]
            client_id, secret = CLIENTS[platform]
            env[client_setting] = client_id
            if secret:
                env[secret_setting] = secret
        return env

    def reset(self, account_ids: dict[str, str]) -> None:
        """Fresh platform data and authorization servers (the running apps keep their objects)."""
        self.standins.reset(account_ids)
        for platform, authorizer in self.authorizers.items():
            fresh = Authorizer(platform, authorizer.state)
            for name in authorizer.__dataclass_fields__:
                setattr(authorizer, name, getattr(fresh, name))

    def stop(self) -> None:
        self.standins.stop()


def start_providers(account_ids: dict[str, str]) -> Providers:
    states = {platform: PlatformState(account_ids[platform]) for platform in CLIENTS}
    authorizers = {platform: Authorizer(platform, states[platform]) for platform in CLIENTS}
    x, tiktok = x_app(states["twitter"]), tiktok_app(states["tiktok"])
    add_x(x, authorizers["twitter"])
    add_tiktok(tiktok, authorizers["tiktok"])
    servers = {"twitter": start_server(x, lifespan="off"),
               "tiktok": start_server(tiktok, lifespan="off")}
    for platform, factory, add in (("instagram", instagram_app, add_instagram),
                                   ("facebook", facebook_app, add_facebook)):
        proxy = _LateBoundApp()
        server = start_server(proxy, lifespan="off")
        app = factory(states[platform], server.url)
        add(app, authorizers[platform])
        proxy.app = app
        servers[platform] = server
    return Providers(StandIns(states, servers), authorizers)
