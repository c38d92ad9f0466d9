"""Connecting an account: the authorize link out, and the callback's code back into tokens.

`begin_connection` makes a random `state` and (for X and TikTok) a PKCE verifier, stores them
with the user's id as a pending connection for ten minutes, and returns the platform's
authorize URL. `finish_connection` is what the callback runs: it takes the pending connection
(once: a replay finds nothing), exchanges the code with the verifier, reads who the account
is, stores it with encrypted tokens, and starts its first sync in the background. Anything
wrong with the callback raises a `ConnectError` before a single account is written.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

from pydantic import SecretStr

from cloudstro.config import Settings
from cloudstro.ingest.oauth.apps import oauth_app
from cloudstro.store import Store
from cloudstro.store.oauth_states import PendingConnection, PendingConnections

STATE_TTL = timedelta(minutes=10)


def pending_connections(store: Store) -> PendingConnections:
    return PendingConnections(store.dynamo, store.names.runtime)


def code_challenge(verifier: str) -> str:
    """PKCE S256: base64url(SHA-256(verifier)) without padding (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def begin_connection(store: Store, settings: Settings, user_id: str, platform: str,
                     now: datetime) -> str:
    """The URL where `user_id` approves CloudStro on `platform` (valid for ten minutes).

    Raises UnknownPlatform for a name CloudStro cannot connect and NotConfigured when the
    server has no client id (or a required secret) for it; the message names the setting.
    """
    app = oauth_app(settings, platform)
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64) if app.facts.pkce else None
    pending_connections(store).put(state, PendingConnection(
        userId=user_id, platform=app.platform, redirectUri=app.redirect_uri,
        codeVerifier=SecretStr(verifier) if verifier else None,
        expiresAt=int((now + STATE_TTL).timestamp())))
    query = {"response_type": "code", app.facts.client_id_param: app.client_id,
             "redirect_uri": app.redirect_uri, "scope": app.scope, "state": state}
    if verifier is not None:
        query |= {"code_challenge": code_challenge(verifier), "code_challenge_method": "S256"}
    separator = "&" if "?" in app.authorize_url else "?"
    return f"{app.authorize_url}{separator}{urlencode(query)}"
