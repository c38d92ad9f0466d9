"""Sign in with Slack between a link made in Slack and the platform's page.

1. `/connect/{state}` (`start_signin`): the browser gets a random key in a cookie (it keeps one
   it already has, so two links opened side by side both work), and goes to Slack's OpenID
   Connect authorize page with a fresh sign-in state and nonce. The sign-in is stored with a
   digest of the browser's key and dies with the connection.
2. `/connect/slack/callback` (`finish_signin`): the sign-in is taken once; it must come back
   to the browser that started it, Slack's code is exchanged for an identity token whose
   audience and nonce must be ours, and the Slack user (and workspace) in it must be the one
   the link was made for. The connection is then bound to this browser (the first browser
   wins) and the browser goes on to the platform's authorize page.
3. The platform's callback (`flow.finish_connection`) finishes only in the bound browser.

So a forwarded link fails at step 2 (another Slack user: the link is spent), a forwarded
platform page fails at step 3 (another browser), and a sign-in code replayed into another
browser fails at step 2 (its state is bound to the browser that started it). The identity
token comes straight from Slack's token endpoint over TLS, so its claims are read without
checking its signature (OpenID Connect Core, 3.1.3.7). Nothing here logs or shows a code, a
state, a key or a token.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from pydantic import SecretStr

from cloudstro.config import Settings
from cloudstro.ingest.oauth.browser import (
    SlackRequester,
    browser_key_hash,
    new_browser_key,
    same_browser,
    signin_configured,
    signin_redirect_uri,
    usable_browser_key,
)
from cloudstro.ingest.oauth.errors import (
    AuthorizationDenied,
    MissingCode,
    NotConfigured,
    SignInFailed,
    StateInvalid,
    WrongBrowser,
    WrongPerson,
)
from cloudstro.ingest.oauth.flow import bind_to_browser, refused_state
from cloudstro.store import Store
from cloudstro.store.oauth_states import PendingConnection, SlackSignIn, StateProblem
from cloudstro.store.platforms import display_name

log = logging.getLogger(__name__)

SLACK_ISSUER = "https://slack.com"
USER_CLAIM = "https://slack.com/user_id"
TEAM_CLAIM = "https://slack.com/team_id"


@dataclass(frozen=True)
class SignInStart:
    """Where the browser goes next, and the key its cookie must hold."""

    slack_url: str
    browser_key: str


def start_signin(store: Store, settings: Settings, connection_state: str,
                 pending: PendingConnection, cookie: str | None) -> SignInStart:
    """Send the browser that opened a link a Slack user vouches for (`pending`, read by the
    caller) to sign in to Slack (see the module doc)."""
    client_id = _client_id(settings)
    browser_key = usable_browser_key(cookie) or new_browser_key()
    signin_state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(16)
    store.slack_signins.put(signin_state, SlackSignIn(
        connectionState=SecretStr(connection_state), browserKeyHash=browser_key_hash(browser_key),
        nonce=nonce, expiresAt=pending.expiresAt))
    query = {"response_type": "code", "scope": "openid", "client_id": client_id,
             "state": signin_state, "nonce": nonce, "redirect_uri": signin_redirect_uri(settings)}
    if pending.slackTeamId:
        query["team"] = pending.slackTeamId  # straight to the right workspace's sign-in
    separator = "&" if "?" in settings.slack_signin_url else "?"
    return SignInStart(f"{settings.slack_signin_url}{separator}{urlencode(query)}", browser_key)


def finish_signin(store: Store, settings: Settings, *, state: str | None, code: str | None,
                  error: str | None, cookie: str | None, now: datetime,
                  client: httpx.Client | None = None) -> str:
    """The platform's authorize URL, once the browser proved to be the Slack user the link was
    made for; a `ConnectError` saying what went wrong otherwise (nothing is connected)."""
    if not state:
        raise StateInvalid("This sign-in has no state, so it cannot be matched to a link you "
                           "opened. Nothing was stored; open the link from Slack again.")
    signin = store.slack_signins.take(state, now)
    if isinstance(signin, StateProblem):
        raise StateInvalid("This sign-in is not valid, was already used or took too long. "
                           "Nothing was stored; open a new link from Slack.")
    if not same_browser(cookie, signin.browserKeyHash):
        log.warning("a Slack sign-in came back to a browser that did not start it")
        raise WrongBrowser("This sign-in was started in another browser. Nothing was stored; "
                           "open the link from Slack in this browser.")
    if error:
        raise AuthorizationDenied("You did not sign in to Slack, so nothing was connected."
                                  if error == "access_denied" else
                                  f"Slack reported a problem ({error[:80]}), so nothing was "
                                  "connected. Try again.")
    if not code:
        raise MissingCode("Slack came back without a sign-in code, so nothing was connected. "
                          "Try again.")
    signed_in = _signed_in_user(settings, code, signin.nonce, now, client)
    connection_state = signin.connectionState.get_secret_value()
    pending = _pending(store, connection_state, now)
    if signed_in.user_id != pending.slackUserId or (
            pending.slackTeamId and signed_in.team_id != pending.slackTeamId):
        store.pending_connections.take(connection_state, now)  # the link was passed on: spend it
        log.warning("a %s link made in Slack was opened by another Slack user; it is spent",
                    pending.platform)
        raise WrongPerson(f"This {display_name(pending.platform)} link was made in Slack for "
                          "someone else, so it cannot connect your account. Nothing was "
                          "connected. Ask CloudStro in Slack for your own link.")
    # This browser's key digest, as checked above.
    return bind_to_browser(store, settings, connection_state, signin.browserKeyHash, now)


def _pending(store: Store, connection_state: str, now: datetime) -> PendingConnection:
    """The pending connection a sign-in is for, which must be one made in Slack."""
    pending = store.pending_connections.peek(connection_state, now)
    if isinstance(pending, StateProblem):
        raise refused_state(pending, "connection")
    if not pending.needs_slack_signin:
        raise refused_state(StateProblem.UNKNOWN, "connection")
    return pending


def _client_id(settings: Settings) -> str:
    if not signin_configured(settings) or settings.slack_client_id is None:
        missing = "SLACK_CLIENT_ID" if not settings.slack_client_id else "SLACK_CLIENT_SECRET"
        raise NotConfigured("accounts from Slack", missing)
    return settings.slack_client_id


def _signed_in_user(settings: Settings, code: str, nonce: str, now: datetime,
                    client: httpx.Client | None) -> SlackRequester:
    """Who signed in: `openid.connect.token`'s identity token, checked for audience, issuer,
    nonce and expiry."""
    client_id = _client_id(settings)
    secret = settings.slack_client_secret
    assert secret is not None  # _client_id checked it
    owned = client is None
    client = client or httpx.Client(timeout=httpx.Timeout(settings.sync_http_timeout_s))
    try:
        answer = client.post(f"{settings.slack_api_url.rstrip('/')}/openid.connect.token", data={
            "client_id": client_id, "client_secret": secret.get_secret_value(), "code": code,
            "grant_type": "authorization_code", "redirect_uri": signin_redirect_uri(settings)})
        body = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SignInFailed(f"Slack did not answer the sign-in ({type(exc).__name__}), so "
                           "nothing was connected. Try again in a minute.", refused=False) from exc
    finally:
        if owned:
            client.close()
    if not isinstance(body, dict) or answer.status_code >= 500:
        raise SignInFailed(f"Slack did not answer the sign-in usably (HTTP {answer.status_code}),"
                           " so nothing was connected. Try again in a minute.", refused=False)
    if not body.get("ok"):
        problem = str(body.get("error") or "unknown_error")[:80]
        raise SignInFailed(f"Slack refused the sign-in ({problem}), so nothing was connected. "
                           "Open the link from Slack again.", refused=True)
    claims = _claims(body.get("id_token"))
    expected = {"aud": client_id, "iss": SLACK_ISSUER, "nonce": nonce}
    wrong = [name for name, value in expected.items() if claims.get(name) != value]
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires <= now.timestamp():
        wrong.append("exp")
    user_id = claims.get(USER_CLAIM) or claims.get("sub")
    if wrong or not isinstance(user_id, str):
        raise SignInFailed("Slack's answer to the sign-in did not check out "
                           f"({', '.join(wrong) or 'no user'}), so nothing was connected. "
                           "Open the link from Slack again.", refused=True)
    team_id = claims.get(TEAM_CLAIM)
    return SlackRequester(user_id, team_id if isinstance(team_id, str) else None)


def _claims(id_token: Any) -> dict[str, Any]:
    """The payload of a compact JWS, or {} when it is not one."""
    if not isinstance(id_token, str) or id_token.count(".") != 2:
        return {}
    payload = id_token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}
