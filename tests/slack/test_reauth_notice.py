"""The owner of an account the platform stops accepting is told once, in a Slack DM.

A real sync (the platform stand-ins from tests/ingest refusing the token refresh) marks the
account; the DM lands on the mock Slack Web API. Later syncs, another process and a repeated
mark of the same tokens send nothing more; tokens from a reconnection that are refused in turn
get their own DM.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import SecretStr

from cloudstro.config import fixed_clock
from cloudstro.ingest import SyncEngine
from cloudstro.slackkit.client import web_client
from cloudstro.slackkit.connect_blocks import RECONNECT_REQUEST_ACTION
from cloudstro.slackkit.reauth_notice import AccountRefused, ReauthNotices
from cloudstro.store import Store
from tests.slack.home_payloads import buttons
from tests.support.builders import profile
from tests.support.mock_slack import TEAM, MockSlack
from tests.support.standins import StandIns
from tests.support.sync import NOW, USER, Sleeps, connect, sync_settings

OWNER = "U0OWNER01"


@pytest.fixture
def store(moto_store: Store) -> Store:
    moto_store.users.put(profile(USER, timezone="UTC"))
    moto_store.users.link_slack(USER, OWNER, TEAM)
    return moto_store


def engine(store: Store, standins: StandIns, slack: MockSlack) -> SyncEngine:
    settings = sync_settings(store, standins, slack_bot_token=SecretStr("xoxb-test"),
                             slack_api_url=slack.base_url)
    return SyncEngine(store, settings, clock=fixed_clock(NOW), sleep=Sleeps())


def refused_x(store: Store, standins: StandIns, *, access: str = "access-0",
              refresh: str = "refresh-0") -> str:
    """X connected with tokens whose refresh the platform refuses; its account id."""
    x = standins.states["twitter"]
    connect(store, x, "twitter", access=access, refresh=refresh,
            expires_in=timedelta(hours=1))
    x.access_tokens.clear()  # the access token is rejected, and renewing it is refused
    x.refuse_refresh = True
    return x.account_id


def dms(slack: MockSlack) -> list[dict]:
    """DMs Slack accepted (a refused call is recorded with `_failed`)."""
    return [call.params for call in slack.calls_to("chat.postMessage", channel=OWNER)
            if "_failed" not in call.params]


def test_a_refused_refresh_sends_the_owner_one_dm_with_a_reconnect_button(
        store: Store, standins: StandIns, slack: MockSlack) -> None:
    account_id = refused_x(store, standins)
    with engine(store, standins, slack) as first:
        result = first.sync_account(USER, "twitter", account_id)
    assert result.status == "reauth_required"

    (dm,) = dms(slack)
    assert dm["text"] == "Your Twitter/X account needs reconnecting."
    section = dm["blocks"][0]["text"]["text"]
    assert section.startswith("Your Twitter/X account @maker needs reconnecting")
    assert "(the platform refused the token refresh (invalid_request))" in section
    ((button, _),) = buttons(dm["blocks"])
    assert (button["action_id"], button["value"]) == (RECONNECT_REQUEST_ACTION, "twitter")
    assert "url" not in button  # a link would expire long before a DM is read
    assert not any(token in str(dm) for token in ("access-0", "refresh-0"))

    # later syncs, another process, and the same tokens marked again: no second DM
    with engine(store, standins, slack) as second:
        assert second.sync_account(USER, "twitter", account_id).status == "skipped"
    state = store.accounts.token_state(USER, "twitter", account_id)
    assert state is not None
    version = state.version
    notices = ReauthNotices(store, web_client(second.settings))
    assert not notices.send(AccountRefused(USER, "twitter", account_id, "@maker", "again",
                                           version))
    assert len(dms(slack)) == 1


def test_tokens_from_a_reconnection_refused_again_get_their_own_dm(
        store: Store, standins: StandIns, slack: MockSlack) -> None:
    account_id = refused_x(store, standins)
    with engine(store, standins, slack) as first:
        first.sync_account(USER, "twitter", account_id)
    assert len(dms(slack)) == 1

    refused_x(store, standins, access="access-9", refresh="refresh-9")  # reconnected
    with engine(store, standins, slack) as again:
        assert again.sync_account(USER, "twitter", account_id).status == "reauth_required"

    assert len(dms(slack)) == 2


def test_a_dm_slack_refused_is_sent_by_the_next_mark(
        store: Store, standins: StandIns, slack: MockSlack) -> None:
    slack.fail("chat.postMessage", error="ratelimited")
    settings = sync_settings(store, standins, slack_bot_token=SecretStr("xoxb-test"),
                             slack_api_url=slack.base_url)
    notices = ReauthNotices(store, web_client(settings))
    refused = AccountRefused(USER, "tiktok", "open-1", "@maker", "refused", 0)

    assert not notices.send(refused)
    assert notices.send(refused)
    assert not notices.send(refused)
    assert len(dms(slack)) == 1


def test_an_owner_without_slack_gets_no_dm_and_the_sync_still_reports(
        moto_store: Store, standins: StandIns, slack: MockSlack) -> None:
    moto_store.users.put(profile(USER, timezone="UTC"))  # no Slack link
    account_id = refused_x(moto_store, standins)
    with engine(moto_store, standins, slack) as sync:
        assert sync.sync_account(USER, "twitter", account_id).status == "reauth_required"
    assert slack.calls_to("chat.postMessage") == []


def test_without_a_bot_token_sync_sends_nothing(moto_store: Store,
                                                standins: StandIns) -> None:
    assert ReauthNotices.from_settings(moto_store, moto_store.settings) is None
