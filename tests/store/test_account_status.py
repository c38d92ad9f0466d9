"""An account whose tokens the platform refused reads back as `reauth_required` with its reason,
through every read the agent uses, and never with its tokens (moto)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr, ValidationError

from cloudstro.store import Store
from cloudstro.store.records import AccountSummary, SocialAccount
from tests.support.builders import account_fields
from tests.support.seed import SEED_FILE, seed_examples

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
REASON = "the platform refused the token refresh (invalid_grant)"


def _reauth(store: Store) -> None:
    store.accounts.connect(account_fields("u1", "twitter", "111"), SecretStr("tok-plain-1"),
                           SecretStr("refresh-plain-1"))
    store.accounts.connect(account_fields("u1", "instagram", "222"), SecretStr("tok-plain-2"))
    store.accounts.mark_reauth_required("u1", "twitter", "111", REASON, NOW)


def test_reauth_required_round_trips_through_the_account_record(moto_store: Store) -> None:
    _reauth(moto_store)
    raw = moto_store.dynamo.table(moto_store.names.accounts).get_item(
        Key={"userId": "u1", "platformAccountId": "twitter#111"})["Item"]
    record = SocialAccount.from_stored(raw)
    assert (record.accountStatus, record.statusReason) == ("reauth_required", REASON)
    # strict on write too: the record as read is a valid record to write again
    again = SocialAccount.model_validate(record.to_record())
    assert again.accountStatus == "reauth_required"


def test_summaries_carry_status_and_reason_but_no_tokens(moto_store: Store) -> None:
    _reauth(moto_store)
    summaries = {s.platform: s for s in moto_store.accounts.list_for_user("u1")}
    twitter, instagram = summaries["twitter"], summaries["instagram"]
    assert twitter.needs_reconnecting and twitter.statusReason == REASON
    assert twitter.accountStatus == "reauth_required"
    assert not instagram.needs_reconnecting and instagram.accountStatus == "active"
    assert "accessToken" not in AccountSummary.PROJECTION
    assert "tok-plain" not in twitter.model_dump_json()
    one = moto_store.accounts.get_summary("u1", "twitter", "111")
    assert one is not None and one.needs_reconnecting


def test_reconnecting_makes_the_account_active_again(moto_store: Store) -> None:
    _reauth(moto_store)
    moto_store.accounts.add_with_tokens(account_fields("u1", "twitter", "111"),
                                        SecretStr("tok-plain-3"), SecretStr("refresh-plain-3"))
    summary = moto_store.accounts.get_summary("u1", "twitter", "111")
    assert summary is not None and not summary.needs_reconnecting
    assert (summary.accountStatus, summary.statusReason) == ("active", None)


def test_an_unknown_status_is_refused_on_write() -> None:
    with pytest.raises(ValidationError, match="accountStatus"):
        SocialAccount.model_validate({**account_fields(), "accessToken": "x",
                                      "accountStatus": "suspended"})


def test_the_seeds_account_statuses_stay_valid() -> None:
    statuses = set(re.findall(r'"accountStatus":\s*"(\w+)"',
                              SEED_FILE.read_text(encoding="utf-8")))
    assert statuses == {"active"}
    [example] = [item for item in seed_examples() if "platformAccountId" in item]
    assert SocialAccount.model_validate(example).accountStatus == "active"
    inactive = SocialAccount.model_validate({**example, "isActive": False,
                                             "accountStatus": "inactive"})
    assert inactive.accountStatus == "inactive"
