"""Connecting an account: the authorize link out, and the callback's code back into tokens.

`begin_connection` makes a random `state` and (for X) a PKCE verifier, stores them with the
user's id as a pending connection for ten minutes, and returns CloudStro's own link for it
(`browser.py`): when a Slack user can vouch for the link (it was asked for in Slack, or the
profile is linked to Slack) and Sign in with Slack is configured, the link signs in to Slack
first (`signin.py`) and the pending connection names that Slack user; otherwise it shows whose
profile the link connects to and asks to continue (`confirm.py`). Either way the browser that
gets through is bound to the connection (`bind_to_browser`) and sent on to the platform.
`finish_connection` is what the callback runs: it takes the pending connection (once: a replay
finds nothing), refuses any browser but the bound one, exchanges the code with the verifier,
reads who the account is, stores it with encrypted tokens, and starts its first sync in the
background. Anything wrong with the callback raises a `ConnectError` before a single account is
written.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from pydantic import SecretStr

from cloudstro.config import Settings
from cloudstro.ingest.oauth.apps import connectable_platform, oauth_app
from cloudstro.ingest.oauth.browser import (
    SlackRequester,
    connection_link,
    same_browser,
    signin_configured,
)
from cloudstro.ingest.oauth.errors import (
    AuthorizationDenied,
    MissingCode,
    StateInvalid,
    WrongBrowser,
)
from cloudstro.ingest.oauth.exchange import GrantedAccount, exchange_code
from cloudstro.ingest.oauth.first_sync import start_first_sync
from cloudstro.store import Store
from cloudstro.store.accounts import new_account_fields
from cloudstro.store.oauth_states import PendingConnection, PendingConnections, StateProblem
from cloudstro.store.platforms import display_name

STATE_TTL = timedelta(minutes=10)
# Facebook page tokens made from a long-lived user token do not expire; the account still
# needs a `tokenExpiresAt`, so it is stored as ten years away (a rejection still marks it).
NO_EXPIRY = timedelta(days=3650)
log = logging.getLogger(__name__)


def pending_connections(store: Store) -> PendingConnections:
    return store.pending_connections


@dataclass(frozen=True)
class ConnectionLink:
    """A link that starts a connection, and whether it asks the browser to sign in to Slack
    (what the person should be told to expect) or to confirm whose profile it connects to."""

    url: str
    slack_signin: bool


def begin_connection(store: Store, settings: Settings, user_id: str, platform: str,
                     now: datetime, requester: SlackRequester | None = None) -> ConnectionLink:
    """The link where `user_id` connects `platform` (valid for ten minutes, in one browser).

    With Sign in with Slack configured, the link signs in to Slack whenever a Slack user can
    vouch for it: `requester` (the link is asked for in Slack), or else the Slack user the
    profile is linked to (a link asked for over the HTTP API or the CLI). Only a browser
    signed in as that Slack user can then finish the connection. Any other link opens a page
    that names whose profile it connects to, and the browser that continues from it is the
    one that can finish. Raises UnknownPlatform for a name CloudStro cannot connect and
    NotConfigured when the server has no client id (or a required secret) for it; the message
    names the setting.
    """
    app = oauth_app(settings, platform)
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64) if app.facts.pkce else None
    vouched_by = (requester or _linked_slack_user(store, user_id)
                  if signin_configured(settings) else None)
    pending_connections(store).put(state, PendingConnection(
        userId=user_id, platform=app.platform, redirectUri=app.redirect_uri,
        codeVerifier=SecretStr(verifier) if verifier else None,
        expiresAt=int((now + STATE_TTL).timestamp()),
        slackUserId=vouched_by.user_id if vouched_by else None,
        slackTeamId=vouched_by.team_id if vouched_by else None))
    return ConnectionLink(connection_link(settings, state), vouched_by is not None)


def _linked_slack_user(store: Store, user_id: str) -> SlackRequester | None:
    profile = store.users.get(user_id)
    if profile is None or not profile.slackUserId:
        return None
    return SlackRequester(profile.slackUserId, profile.slackTeamId)


def bind_to_browser(store: Store, settings: Settings, connection_state: str, key_hash: str,
                    now: datetime) -> str:
    """Bind the connection to the browser whose key digest is `key_hash` (the first browser
    wins; the same one again is fine) and return the platform's authorize URL for it."""
    states = pending_connections(store)
    bound = states.bind_browser(connection_state, key_hash, now)
    if bound is None:
        problem = states.peek(connection_state, now)
        if isinstance(problem, StateProblem):
            raise refused_state(problem, "connection")
        raise WrongBrowser("This link is being finished in another browser. Nothing was stored "
                           "here; ask for a new link to connect in this one.")
    verifier = bound.codeVerifier.get_secret_value() if bound.codeVerifier else None
    return oauth_app(settings, bound.platform).authorize_url_for(connection_state, verifier)


def refused_state(problem: StateProblem, shown: str) -> StateInvalid:
    """Why a link's state cannot be used, for the person holding the link."""
    if problem is StateProblem.EXPIRED:
        return StateInvalid(f"This {shown} link has expired (links work for "
                            f"{STATE_TTL.seconds // 60} minutes). Nothing was stored; ask for "
                            "a new link and connect again.")
    return StateInvalid(f"This {shown} link is not valid or was already used. Nothing was "
                        "stored; ask for a new link and connect again.")


# ------------------------------------------------------------------------------ callback


@dataclass(frozen=True)
class ConnectedAccount:
    platform: str
    account_id: str
    handle: str

    @property
    def platform_account_id(self) -> str:
        return f"{self.platform}#{self.account_id}"


@dataclass(frozen=True)
class Connection:
    """What a finished connection stored: one account, or one per Facebook Page."""

    user_id: str
    platform: str
    accounts: tuple[ConnectedAccount, ...]

    @property
    def names(self) -> str:
        """The accounts as a person reads them: "@ana" or "@Page One and @Page Two"."""
        handles = [account.handle for account in self.accounts]
        return handles[0] if len(handles) == 1 else (", ".join(handles[:-1])
                                                     + f" and {handles[-1]}")


FirstSync = Callable[[Store, Settings, Connection], object]


def finish_connection(store: Store, settings: Settings, platform: str, *, state: str | None,
                      code: str | None, error: str | None, now: datetime,
                      client: httpx.Client | None = None,
                      first_sync: FirstSync | None = None,
                      browser_key: str | None = None) -> Connection:
    """Complete the connection the callback's `state` was issued for; store its accounts.

    The state is taken first, so it is spent whatever happens next (declined, no code, a
    refused exchange, another browser): a replay of the same callback finds nothing. It is
    finished only with `browser_key` (the request's cookie) of the browser bound to it, the
    one that signed in to Slack for it or confirmed its page. Nothing is stored unless
    the platform gave tokens and said whose they are. `first_sync` (default: a background
    thread, see `first_sync.start_first_sync`) is started after the accounts are stored and
    never waited for.
    """
    name = connectable_platform(platform)
    shown = display_name(name)
    if not state:
        raise StateInvalid(f"This {shown} link has no state, so it cannot be matched to a "
                           "connection you started. Nothing was stored; start again.")
    pending = pending_connections(store).take(state, now)
    if isinstance(pending, StateProblem):
        raise refused_state(pending, shown)
    if pending.platform != name:
        raise refused_state(StateProblem.UNKNOWN, shown)
    if not same_browser(browser_key, pending.browserKeyHash):
        log.warning("a %s link came back to a browser it was not opened in", name)
        if pending.needs_slack_signin:
            raise WrongBrowser(f"This {shown} link was made in Slack and can only be finished "
                               "in the browser that signed in to Slack for it. Nothing was "
                               "stored; open a new link from Slack and connect again.")
        raise WrongBrowser(f"This {shown} page can only be finished in the browser that opened "
                           "the CloudStro link for it. Nothing was stored; ask for a new link "
                           "and open it in this browser.")
    if error:
        if error == "access_denied":
            raise AuthorizationDenied(f"You did not allow CloudStro to read your {shown} "
                                      "account, so nothing was connected or stored.")
        raise AuthorizationDenied(f"{shown} reported a problem ({error[:80]}), so nothing was "
                                  "connected or stored. Try again.")
    if not code:
        raise MissingCode(f"{shown} came back without an authorization code, so nothing was "
                          "connected or stored. Try again.")
    app = oauth_app(settings, name)
    verifier = (pending.codeVerifier.get_secret_value()
                if pending.codeVerifier is not None else None)
    owned = client is None
    client = client or httpx.Client(timeout=httpx.Timeout(settings.sync_http_timeout_s))
    try:
        granted = exchange_code(app, settings, client, code, verifier)
    finally:
        if owned:
            client.close()
    connection = Connection(pending.userId, name, tuple(
        _store_account(store, pending.userId, name, account, now) for account in granted))
    log.info("connected %d %s account(s)", len(connection.accounts), name)
    (first_sync or start_first_sync)(store, settings, connection)
    return connection


def _store_account(store: Store, user_id: str, platform: str, account: GrantedAccount,
                   now: datetime) -> ConnectedAccount:
    """New, or reconnected: tokens replaced, `reauth_required` cleared, history kept."""
    lifetime = timedelta(seconds=account.expires_in) if account.expires_in else NO_EXPIRY
    fields = new_account_fields(user_id, platform, account.account_id,
                                username=account.username, token_expires_at=now + lifetime,
                                now=now)
    store.accounts.add_with_tokens(fields, account.access_token, account.refresh_token)
    return ConnectedAccount(platform, account.account_id, fields["accountHandle"])
