"""The serve process's sync schedule: one pass syncs the accounts that are due, and only those."""

from __future__ import annotations

from datetime import timedelta

from cloudstro.ingest.runner import SyncScheduler
from cloudstro.store import Store
from tests.support.standins import StandIns
from tests.support.sync import NOW, USER, Sleeps, connect, make_engine, seed_posts


def test_a_pass_syncs_due_accounts_and_leaves_fresh_and_disconnected_ones(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    x, tiktok, facebook = (standins.states[p] for p in ("twitter", "tiktok", "facebook"))
    for state, platform in ((x, "twitter"), (tiktok, "tiktok"), (facebook, "facebook")):
        seed_posts(state, 3)
        connect(moto_store, state, platform, expires_in=timedelta(days=30))
    with make_engine(moto_store, standins, sleeps, now=NOW - timedelta(minutes=20)) as engine:
        engine.sync_account(USER, "tiktok", tiktok.account_id)  # synced 20 minutes ago
    moto_store.accounts.mark_reauth_required(USER, "facebook", facebook.account_id,
                                             "page token expired", NOW)
    for state in (x, tiktok, facebook):
        state.log.clear()

    scheduler = SyncScheduler(make_engine(moto_store, standins, sleeps), interval_seconds=60,
                              workers=2)
    results = scheduler.run_once()
    scheduler.stop()

    assert [(r.platform, r.status, r.new_posts) for r in results] == [("twitter", "ok", 3)]
    assert tiktok.log == [] and facebook.log == []
    assert scheduler.passes == 1
