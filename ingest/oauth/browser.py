"""Which browser may finish a connection made in Slack: the Slack user it is for, the browser's
key, and the link that starts the Slack sign-in.

An authorize link is a bearer of intent: whoever approves the platform's page behind it
attaches *their* platform account to the CloudStro user who asked for the link. A link asked
for in Slack therefore names the Slack user (`SlackRequester`) and is finished only in a
browser that signed in to Slack as that user (`signin.py`). The browser is recognised by a
random key in a cookie; the store keeps only its digest, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from cloudstro.config import Settings

SIGNIN_COOKIE = "cloudstro_connect"
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


def signin_link(settings: Settings, connection_state: str) -> str:
    """The CloudStro page a Slack link opens: it starts the sign-in for this connection."""
    return f"{settings.public_url.rstrip('/')}/connect/{connection_state}"


def is_signin_link(settings: Settings, url: str) -> bool:
    """Whether a link from `begin_connection` opens the Slack sign-in before the platform."""
    return url.startswith(signin_link(settings, ""))


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
