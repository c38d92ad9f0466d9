"""Which browser may finish a connection: the Slack user a link is for, the browser's key, and
the CloudStro link every connection starts from.

An authorize link is a bearer of intent: whoever approves the platform's page behind it
attaches *their* platform account to the CloudStro user who asked for the link. So no link
leads to the platform's page directly. It opens CloudStro's own page (`connection_link`),
which binds the connection to the browser that opened it: after signing in to Slack as the
user a Slack link names (`SlackRequester`, `signin.py`), or, for a link no Slack user vouches
for, after the person confirms a page that names whose profile the link connects to
(`confirm.py`). The browser is recognised by a random key in a cookie; the store keeps only its
digest, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from cloudstro.config import Settings

BROWSER_COOKIE = "cloudstro_connect"
SIGNIN_CALLBACK_PATH = "/connect/slack/callback"
_BROWSER_KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


@dataclass(frozen=True)
class SlackRequester:
    """The Slack user a connection was asked for in, and their workspace."""

    user_id: str
    team_id: str | None


def signin_configured(settings: Settings) -> bool:
    """Whether links made in Slack go through Sign in with Slack (client id and secret set)."""
    return bool(settings.slack_client_id and settings.slack_client_secret)


def connection_link(settings: Settings, connection_state: str) -> str:
    """The CloudStro page a connection link opens: the Slack sign-in, or the confirmation."""
    return f"{settings.public_url.rstrip('/')}/connect/{connection_state}"


def signin_redirect_uri(settings: Settings) -> str:
    """Where Slack sends the browser back after sign-in (register it in the Slack app)."""
    return f"{settings.public_url.rstrip('/')}{SIGNIN_CALLBACK_PATH}"


def new_browser_key() -> str:
    return secrets.token_urlsafe(32)


def usable_browser_key(cookie: str | None) -> str | None:
    """The cookie's key when it is one CloudStro could have set; None otherwise."""
    return cookie if cookie is not None and _BROWSER_KEY_SHAPE.fullmatch(cookie) else None


def browser_key_hash(browser_key: str) -> str:
    return hashlib.sha256(browser_key.encode("ascii")).hexdigest()


def same_browser(browser_key: str | None, key_hash: str | None) -> bool:
    """Whether the request's cookie is the browser `key_hash` was recorded for."""
    key = usable_browser_key(browser_key)
    return key is not None and key_hash is not None and hmac.compare_digest(
        browser_key_hash(key), key_hash)
