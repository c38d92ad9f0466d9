"""Sync against the platform stand-ins: a fixed clock, the stand-ins' account ids, accounts
stored with tokens they accept, posts seeded on them, an engine that records its sleeps, and
the `cloudstro` command aimed at a store and the stand-ins.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner, Result
from pydantic import SecretStr

import cloudstro.cli.accounts as accounts_cli
import cloudstro.cli.sync as sync_cli
from cloudstro.cli.main import _register_optional_commands, cli
from cloudstro.config import Settings, fixed_clock, get_settings
from cloudstro.ingest import SyncEngine
from cloudstro.store import Store
from cloudstro.store.accounts import new_account_fields
from tests.support.standins import PlatformState, StandInPost, StandIns

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
USER = "user_sync"
ACCOUNT_IDS = {"twitter": "2244994945", "instagram": "17841400000000001",
               "facebook": "104000000000001", "tiktok": "open-1"}


def sync_settings(store: Store, standins: StandIns, **overrides: object) -> Settings:
    """The store's settings aimed at the stand-ins, with the OAuth clients they accept."""
    aimed = Settings.model_validate({**store.settings.model_dump(by_alias=True),
                                     **standins.env})
    return aimed.model_copy(update=overrides)


class Sleeps(list[float]):
    """Stands in for time.sleep: records each wait, waits for nothing."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_engine(store: Store, standins: StandIns, sleeps: Sleeps, now: datetime = NOW,
                **overrides: object) -> SyncEngine:
    return SyncEngine(store, sync_settings(store, standins, **overrides),
                      clock=fixed_clock(now), sleep=sleeps)


def connect(store: Store, state: PlatformState, platform: str, *, access: str = "access-0",
            refresh: str | None = "refresh-0", expires_in: timedelta = timedelta(hours=2),
            now: datetime = NOW, user_id: str = USER) -> None:
    """Store the account with tokens the stand-in accepts."""
    state.access_tokens.add(access)
    if refresh:
        state.refresh_tokens.add(refresh)
    fields = new_account_fields(user_id, platform, state.account_id, username="maker",
                                token_expires_at=now + expires_in, now=now - timedelta(days=1))
    store.accounts.add_with_tokens(fields, SecretStr(access),
                                   SecretStr(refresh) if refresh else None)


def seed_posts(state: PlatformState, count: int, *, newest: datetime = NOW - timedelta(hours=1),
               spacing: timedelta = timedelta(hours=6), first_id: int = 1_000_000,
               media_type: str = "IMAGE") -> list[StandInPost]:
    """`count` posts, the newest at `newest`, then one every `spacing` going back."""
    posts = [StandInPost(id=str(first_id + count - index),
                         created_at=newest - spacing * index,
                         text=f"post {first_id + count - index} #launch #tips",
                         likes=10 + index, comments=index % 7, shares=index % 3,
                         views=1000 + index, media_type=media_type)
             for index in range(count)]
    state.posts.extend(posts)
    return posts


def sync_cli_runner(store: Store, standins: StandIns, monkeypatch: pytest.MonkeyPatch
                    ) -> Callable[..., Result]:
    """`cloudstro accounts ...` and `cloudstro sync ...` on `store`, against the stand-ins, at
    NOW; call it with the command's words (and `stdin=` for what is typed)."""
    for name, url in standins.env.items():
        monkeypatch.setenv(name, url)
    get_settings.cache_clear()
    for module in (accounts_cli, sync_cli):
        monkeypatch.setattr(module, "open_store", lambda quiet=False, batch=False: store)
        monkeypatch.setattr(module, "clock", fixed_clock(NOW))
    _register_optional_commands()
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(cli, list(args), input=stdin, catch_exceptions=False)

    return invoke
