"""Opening a connection link: the Slack sign-in, or a page that says whose profile it connects.

Every link `begin_connection` hands out opens `/connect/{state}` (`open_link`). A link a Slack
user vouches for goes on to Sign in with Slack (`signin.py`). Any other link (one asked for
over the HTTP API or the CLI by a profile with no Slack link, or with Sign in with Slack not
configured) has no identity a browser could prove, so the page says plainly what approving
the platform's page behind it will do: let the named CloudStro profile read the account. A
person sent someone else's link is warned before the platform asks them anything.

Continuing is a POST from that page (`confirm_in_browser`). It must carry the browser's cookie,
which is SameSite=Lax, so another site cannot post it on a visitor's behalf. The connection is
then bound to this browser, so the platform's page, copied out and sent on, finishes nothing
anywhere else: the platform's callback accepts only the bound browser (`flow.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cloudstro.config import Settings
from cloudstro.ingest.oauth.browser import browser_key_hash, new_browser_key, usable_browser_key
from cloudstro.ingest.oauth.errors import StateInvalid, WrongBrowser
from cloudstro.ingest.oauth.flow import bind_to_browser, refused_state
from cloudstro.ingest.oauth.signin import SignInStart, start_signin
from cloudstro.store import Store
from cloudstro.store.oauth_states import PendingConnection, StateProblem
from cloudstro.store.platforms import display_name

UNNAMED_ASKER = "the person who asked for this link"


@dataclass(frozen=True)
class ConfirmPage:
    """What the page says (the platform, whose profile) and the key the browser's cookie holds."""

    platform: str
    asker: str
    browser_key: str


def open_link(store: Store, settings: Settings, connection_state: str, cookie: str | None,
              now: datetime) -> SignInStart | ConfirmPage:
    """Where a connection link leads: Slack's sign-in, or the page to confirm."""
    pending = _pending(store, connection_state, now)
    if pending.needs_slack_signin:
        return start_signin(store, settings, connection_state, pending, cookie)
    return ConfirmPage(display_name(pending.platform), _asker(store, pending.userId),
                       usable_browser_key(cookie) or new_browser_key())


def confirm_in_browser(store: Store, settings: Settings, connection_state: str,
                       cookie: str | None, now: datetime) -> str:
    """The platform's authorize URL, once this browser confirmed the link's page; the
    connection is bound to it."""
    pending = _pending(store, connection_state, now)
    if pending.needs_slack_signin:  # its way on is Slack's sign-in, never this page
        raise StateInvalid("This link signs in with Slack before anything else. Nothing was "
                           "connected; open the link itself to sign in.")
    key = usable_browser_key(cookie)
    if key is None:
        raise WrongBrowser("This browser did not open the link's page (or does not keep "
                           "cookies), so nothing was connected. Open the link again in this "
                           "browser and continue from its page.")
    return bind_to_browser(store, settings, connection_state, browser_key_hash(key), now)


def _pending(store: Store, connection_state: str, now: datetime) -> PendingConnection:
    pending = store.pending_connections.peek(connection_state, now)
    if isinstance(pending, StateProblem):
        raise refused_state(pending, "connection")
    return pending


def _asker(store: Store, user_id: str) -> str:
    """How the page names the profile: its full name or username; never its email, since
    whoever holds the link reads the page."""
    profile = store.users.get(user_id)
    if profile is None:
        return UNNAMED_ASKER
    return profile.fullName or profile.username or UNNAMED_ASKER
