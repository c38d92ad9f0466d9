"""A person's connections: listed without a token in sight, and disconnected on request.

Disconnecting revokes the token at the platform where the platform offers revocation (X,
TikTok), then deletes the account item and with it the encrypted tokens. The posts stay unless
deleting them is asked for: the history belongs to the person, and reconnecting picks it up.
A revocation that fails (the platform is down, the token already dead) does not keep the
tokens here: they are deleted all the same, and the result says revocation did not happen.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import httpx
from pydantic import BaseModel

from cloudstro.config import Settings
from cloudstro.ingest.oauth.apps import oauth_app
from cloudstro.ingest.oauth.errors import ConnectError
from cloudstro.ingest.oauth.exchange import revoke
from cloudstro.store import Store
from cloudstro.store.account_data import delete_account_data
from cloudstro.store.platforms import REGISTRY

log = logging.getLogger(__name__)


class ConnectionInfo(BaseModel):
    """One connected account as its owner sees it (no token, no cursor)."""

    platform: str
    platformAccountId: str
    username: str
    status: str
    statusReason: str | None = None
    lastSyncAt: datetime | None = None
    postCount: int = 0


class NoSuchConnection(ConnectError):
    status = 404


@dataclass(frozen=True)
class Disconnected:
    platform_account_id: str
    revoked: bool
    posts_deleted: int


def list_connections(store: Store, user_id: str) -> list[ConnectionInfo]:
    """The user's accounts: one Query in their partition, token attributes never read."""
    return [ConnectionInfo(platform=view.platform, platformAccountId=view.platformAccountId,
                           username=view.accountHandle or view.accountName,
                           status=view.accountStatus, statusReason=view.statusReason,
                           lastSyncAt=view.lastSyncAt, postCount=view.postCount)
            for view in store.accounts.sync_views(user_id)]


def disconnect(store: Store, settings: Settings, user_id: str, platform_account_id: str, *,
               delete_data: bool = False, client: httpx.Client | None = None) -> Disconnected:
    """Revoke where possible, delete the tokens, and the posts too when `delete_data`."""
    platform, _, account_id = platform_account_id.partition("#")
    if platform not in REGISTRY or not account_id or store.accounts.sync_view(
            user_id, platform, account_id) is None:
        raise NoSuchConnection("You have no connected account with that id.")
    revoked = _revoke(store, settings, user_id, platform, account_id, client)
    store.accounts.remove(user_id, platform, account_id)
    deleted = delete_account_data(store, user_id, platform, account_id) if delete_data else 0
    return Disconnected(platform_account_id, revoked, deleted)


def _revoke(store: Store, settings: Settings, user_id: str, platform: str, account_id: str,
            client: httpx.Client | None) -> bool:
    credentials = store.accounts.credentials(user_id, platform, account_id)
    if credentials is None:
        return False
    owned = client is None
    client = client or httpx.Client(timeout=httpx.Timeout(settings.sync_http_timeout_s))
    try:
        return revoke(oauth_app(settings, platform), settings, client,
                      credentials.access_token)
    except ConnectError as exc:
        log.warning("revoking a %s token did not succeed (%s)", platform, type(exc).__name__)
        return False
    finally:
        if owned:
            client.close()
