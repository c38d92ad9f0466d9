"""A digest tells its reader which account needs reconnecting, first among its caveats (moto)."""

from __future__ import annotations

from datetime import timedelta

from cloudstro.digests.blocks import digest_blocks
from cloudstro.digests.content import build_digest
from cloudstro.digests.schedule import latest_occurrence
from cloudstro.store import Store
from tests.support.builders import add_account, add_posts, add_user
from tests.support.constants import NOW

REASON = "the platform refused the token refresh (invalid_grant)"


def test_the_account_to_reconnect_leads_the_caveats_with_its_reason(moto_store: Store) -> None:
    add_user(moto_store, "u1")
    add_account(moto_store, "u1", "rednote", "555", accountHandle="@lin_rn")
    add_account(moto_store, "u1", "instagram", "222", syncStatus="error",
                lastSyncAt="2026-11-20T08:00:00Z")
    add_account(moto_store, "u1", "twitter", "111")
    add_posts(moto_store, "u1", "twitter", NOW - timedelta(days=5), 3, snapshots=False)
    moto_store.accounts.mark_reauth_required("u1", "rednote", "555", REASON, NOW)

    profile = moto_store.users.get("u1")
    assert profile is not None and profile.digest is not None
    occurrence = latest_occurrence(profile.digest, profile.zone, NOW)
    assert occurrence is not None
    digest = build_digest(moto_store, profile, occurrence, NOW, None)

    assert digest.caveats[0] == (f"RedNote @lin_rn needs reconnecting ({REASON}): its posts "
                                 f"and counts are not updated until you reconnect it.")
    assert any(c.startswith("Instagram @instagram222: failed to sync") for c in digest.caveats)
    assert not any("Twitter/X" in c for c in digest.caveats)  # a healthy account is no caveat
    shown = [element["text"] for block in digest_blocks(digest)
             for element in block.get("elements", []) if "text" in element]
    assert any(":warning: RedNote @lin_rn needs reconnecting" in text for text in shown)


def test_an_account_without_a_handle_or_name_is_named_by_its_id(moto_store: Store) -> None:
    add_user(moto_store, "u1")
    add_account(moto_store, "u1", "tiktok", "7001")
    # Written without them elsewhere (an import, older data); reads are tolerant of that.
    moto_store.dynamo.table(moto_store.names.accounts).update_item(
        Key={"userId": "u1", "platformAccountId": "tiktok#7001"},
        UpdateExpression="REMOVE accountHandle, accountName")
    moto_store.accounts.mark_reauth_required("u1", "tiktok", "7001", REASON, NOW)

    profile = moto_store.users.get("u1")
    assert profile is not None and profile.digest is not None
    occurrence = latest_occurrence(profile.digest, profile.zone, NOW)
    assert occurrence is not None
    digest = build_digest(moto_store, profile, occurrence, NOW, None)

    assert digest.caveats[0].startswith("TikTok 7001 needs reconnecting")
    assert "None" not in " ".join(digest.caveats)
