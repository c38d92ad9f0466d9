"""Impressions, reach and saves reach the snapshots from every source that reports them, and a
metric a platform does not report is absent from the stored item (stand-ins on loopback, moto)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cloudstro.config import fixed_clock
from cloudstro.ingest.rednote import import_export
from cloudstro.store import Store
from tests.ingest.test_rednote import IMPORTED_AT, RED_ID, csv_export, rows_a, with_creator
from tests.ingest.test_rednote import USER as CREATOR
from tests.support.standins import StandInPost, StandIns
from tests.support.sync import USER, Sleeps, connect, make_engine, seed_posts


def _raw_snapshots(store: Store, user_id: str, post_id: str) -> list[dict]:
    table = store.dynamo.table(store.names.engagement)
    return [item for item in table.scan()["Items"]
            if item["userId"] == user_id and item["postId"] == post_id]


def _sync(store: Store, standins: StandIns, sleeps: Sleeps, platform: str,
          **connect_args: Any) -> tuple[StandInPost, dict]:
    state = standins.states[platform]
    [newest, *_] = seed_posts(state, 2)
    newest.impressions, newest.reach, newest.saves = 4321, 1234, 56
    connect(store, state, platform, **connect_args)
    with make_engine(store, standins, sleeps) as engine:
        result = engine.sync_account(USER, platform, state.account_id)
    assert result.status == "ok", result.errors
    [raw] = _raw_snapshots(store, USER, f"{platform}#{newest.id}")
    return newest, raw


def test_x_impressions_and_bookmarks_land_and_reach_stays_absent(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    newest, raw = _sync(moto_store, standins, sleeps, "twitter")
    assert (raw["impressions"], raw["saves"]) == (4321, 56)
    assert "reach" not in raw  # X reports no reach
    [snapshot] = moto_store.engagement.history_for_post(USER, f"twitter#{newest.id}")
    assert (snapshot.impressions, snapshot.saves, snapshot.reach) == (4321, 56, None)


def test_instagram_reach_and_saves_land_and_impressions_stay_absent(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    _, raw = _sync(moto_store, standins, sleeps, "instagram", refresh=None,
                   expires_in=timedelta(days=50))
    assert (raw["reach"], raw["saves"]) == (1234, 56)
    assert "impressions" not in raw  # retired by Instagram in 2025; never asked, never 0


def test_rednote_export_impressions_and_saves_land(moto_store: Store) -> None:
    with_creator(moto_store)
    import_export(moto_store, CREATOR, csv_export(rows_a()), account_id=RED_ID,
                  clock=fixed_clock(IMPORTED_AT))
    outfit = next(post for post in moto_store.posts.list_for_user(CREATOR, platform="rednote")
                  if post.content == "秋季穿搭分享")
    [raw] = _raw_snapshots(moto_store, CREATOR, outfit.postId)
    assert (raw["impressions"], raw["saves"]) == (15230, 188)
    assert "reach" not in raw
