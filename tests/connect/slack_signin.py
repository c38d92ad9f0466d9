"""A local Sign in with Slack: the OpenID Connect authorize page and `openid.connect.token`.

The authorize page signs the browser in at once as `signed_in_as` (a Slack user and team the
test sets) and redirects to the `redirect_uri` with a single-use code, or with
`error=access_denied` when the person is set to decline. The token method, under `/api/` like
the rest of Slack's Web API, checks the client id and secret, the code and the redirect URI,
and answers Slack's shape: `{"ok": true, "access_token", "token_type", "id_token"}`, the
identity token carrying the issuer, audience, expiry, the nonce the authorize step received and
Slack's `https://slack.com/user_id` and `team_id` claims. `tamper` overrides claims of the
tokens it issues, to stand in for a token that is not ours.
"""

from __future__ import annotations

import base64
import itertools
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.connect.provider import redirect_back
from tests.support.connect import MovableClock
from tests.support.servers import LiveServer, start_server
from tests.support.standins import _form

CLIENT_ID = "1234567890.0987654321"
CLIENT_SECRET = "slack-client-secret-for-tests"
AUTHORIZE_PATH = "/openid/connect/authorize"


def _segment(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@dataclass
class SlackSignIn:
    """What the sign-in server does and was asked; the test sets who signs in."""

    clock: MovableClock
    signed_in_as: tuple[str, str] = ("U0ANA", "T0ACME")
    decline: bool = False
    unavailable: bool = False  # the token method answers 503 with a page, as an outage would
    tamper: dict[str, Any] = field(default_factory=dict)
    authorize_queries: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)  # access and identity tokens handed out
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    numbers: itertools.count = field(default_factory=lambda: itertools.count(1))
    server: LiveServer | None = None

    @property
    def env(self) -> dict[str, str]:
        assert self.server is not None
        return {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET,
                "SLACK_SIGNIN_URL": f"{self.server.url}{AUTHORIZE_PATH}",
                "SLACK_API_URL": f"{self.server.url}/api/"}

    def reset(self) -> None:
        fresh = SlackSignIn(self.clock, server=self.server)
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))

    def authorize(self, request: Request) -> Response:
        query = dict(request.query_params)
        self.authorize_queries.append(query)
        if self.decline:
            return redirect_back(query, error="access_denied")
        if query.get("client_id") != CLIENT_ID or "openid" not in query.get("scope", "").split():
            return JSONResponse({"error": "invalid_request"}, 400)
        code = f"slack-signin-code-{next(self.numbers)}"
        user, team = self.signed_in_as
        self.codes[code] = {"redirect_uri": query["redirect_uri"],
                            "nonce": query.get("nonce", ""), "user": user, "team": team}
        return redirect_back(query, code=code)

    async def token(self, request: Request) -> Response:
        form = await _form(request)
        self.token_requests.append(form)
        if self.unavailable:
            return Response("<html>Service Unavailable</html>", 503, media_type="text/html")
        issued = self.codes.pop(form.get("code", ""), None)
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            self.refused.append("invalid_client")
            return JSONResponse({"ok": False, "error": "invalid_client"})
        if issued is None or form.get("redirect_uri") != issued["redirect_uri"]:
            self.refused.append("invalid_code")
            return JSONResponse({"ok": False, "error": "invalid_code"})
        now = int(self.clock().timestamp())
        claims = {"iss": "https://slack.com", "sub": issued["user"], "aud": CLIENT_ID,
                  "exp": now + int(timedelta(minutes=5).total_seconds()), "iat": now,
                  "auth_time": now, "nonce": issued["nonce"],
                  "https://slack.com/user_id": issued["user"],
                  "https://slack.com/team_id": issued["team"], **self.tamper}
        id_token = ".".join((_segment({"typ": "JWT", "alg": "RS256", "kid": "test"}),
                             _segment(claims), "c2lnbmVkLWJ5LXNsYWNr"))
        access_token = f"xoxp-signin-{next(self.numbers)}-secret"
        self.issued += [access_token, id_token]
        return JSONResponse({"ok": True, "access_token": access_token, "token_type": "Bearer",
                             "id_token": id_token})

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def start_slack_signin(clock: MovableClock) -> SlackSignIn:
    signin = SlackSignIn(clock)
    app = FastAPI()
    app.get(AUTHORIZE_PATH)(signin.authorize)
    app.post("/api/openid.connect.token")(signin.token)
    signin.server = start_server(app, lifespan="off")
    return signin
