"""An account's access token for one run: renewed ahead of expiry and once on rejection.

The rotated refresh token is the only copy of the account's access in the world once the
platform has issued it (X and TikTok refresh tokens are single-use), so it is written to the
store, encrypted and under the refresh lease, before the new access token is handed to any
request. When another process holds the lease, this one waits for that process's write and
uses its tokens instead of spending the same refresh token a second time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from cloudstro.config import Clock
from cloudstro.ingest.base import TokenGrant
from cloudstro.ingest.errors import IngestError, ReauthRequired
from cloudstro.store.accounts import AccountsRepository, TokenState
from cloudstro.store.errors import StoreError

# Longer than a refresh can take with every retry (4 attempts of up to 20 s plus backoff).
LEASE_SECONDS = 300
PERSIST_ATTEMPTS = 4


class TokenKeeper:
    """Implements the HTTP layer's `TokenSource` for one account."""

    def __init__(self, accounts: AccountsRepository, user_id: str, platform: str,
                 account_id: str, *, owner: str, clock: Clock,
                 refresher: Callable[[TokenState], TokenGrant] | None,
                 refresh_ahead: timedelta | None, refresh_needs_token: bool = True,
                 sleep: Callable[[float], None] = time.sleep,
                 peer_wait_seconds: float = 10.0) -> None:
        self.accounts = accounts
        self.key = (user_id, platform, account_id)
        self.platform = platform
        self.owner = owner
        self.clock = clock
        self.refresher = refresher
        self.refresh_ahead = refresh_ahead
        self.refresh_needs_token = refresh_needs_token
        self.sleep = sleep
        self.peer_wait_seconds = peer_wait_seconds
        self.refreshes = 0
        self._state: TokenState | None = None

    @property
    def token_version(self) -> int | None:
        """The version of the tokens this run holds; None before any was read."""
        return self._state.version if self._state is not None else None

    def access_token(self) -> str:
        state = self._current()
        if (self.refresher is not None and self.refresh_ahead is not None
                and state.expires_at is not None
                and state.expires_at - self.refresh_ahead <= self.clock()):
            state = self._renew(state)
        return state.access_token.get_secret_value()

    def renew_after_rejection(self) -> None:
        if self.refresher is None:
            raise ReauthRequired(self.platform, "the platform rejected the access token and "
                                                "it cannot be renewed")
        self._renew(self._current())

    # ------------------------------------------------------------------ internals

    def _current(self) -> TokenState:
        if self._state is None:
            self._state = self.accounts.token_state(*self.key)
            if self._state is None:
                raise IngestError(self.platform, "the account has no stored tokens")
        return self._state

    def _renew(self, state: TokenState) -> TokenState:
        assert self.refresher is not None
        if state.refresh_token is None and self.refresh_needs_token:
            raise ReauthRequired(self.platform, "no refresh token is stored for the account")
        if not self.accounts.lease_refresh(*self.key, version=state.version, owner=self.owner,
                                           now=self.clock(), seconds=LEASE_SECONDS):
            return self._adopt_peer_refresh(state)
        try:
            grant = self.refresher(state)
        except ReauthRequired:
            raise  # the engine marks the account; that also drops the lease
        except BaseException:
            self.accounts.release_refresh_lease(*self.key, owner=self.owner)
            raise
        renewed = TokenState(grant.access_token, grant.refresh_token or state.refresh_token,
                             grant.expires_at(self.clock()), state.version + 1)
        self._persist(state.version, grant, renewed)
        self.refreshes += 1
        self._state = renewed
        return renewed

    def _persist(self, version: int, grant: TokenGrant, renewed: TokenState) -> None:
        """Store the new tokens before anyone uses them; a transient store fault is retried."""
        for attempt in range(1, PERSIST_ATTEMPTS + 1):
            try:
                stored = self.accounts.store_rotated_tokens(
                    *self.key, version=version, owner=self.owner,
                    access_token=grant.access_token, refresh_token=grant.refresh_token,
                    expires_at=renewed.expires_at, now=self.clock())
            except StoreError:
                if attempt == PERSIST_ATTEMPTS:
                    raise
                self.sleep(0.2 * 2 ** attempt)
                continue
            if not stored:
                raise IngestError(self.platform, "lost the token refresh lease before the new "
                                                 "tokens were stored")
            return

    def _adopt_peer_refresh(self, state: TokenState) -> TokenState:
        """Another process is refreshing: wait for its write and use the tokens it stored."""
        deadline = time.monotonic() + self.peer_wait_seconds
        while True:
            fresh = self.accounts.token_state(*self.key)
            if fresh is None:
                raise IngestError(self.platform, "the account was removed during the sync")
            if fresh.version != state.version:
                self._state = fresh
                return fresh
            if time.monotonic() >= deadline:
                raise IngestError(self.platform, "another sync is refreshing this account's "
                                                 "tokens; try again shortly")
            self.sleep(0.25)
