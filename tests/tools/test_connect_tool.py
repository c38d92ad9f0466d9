"""The connect tool: a link for the caller in the runtime context, never a token, no user id."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from langchain_core.tools import StructuredTool
from pydantic import SecretStr

from cloudstro.agent.offline import OfflineChatModel
from cloudstro.agent.offline_intents import understand
from cloudstro.agent.service import Assistant
from cloudstro.config import Settings
from cloudstro.ingest.oauth import SlackRequester
from cloudstro.ingest.oauth.flow import pending_connections
from cloudstro.store import Store
from cloudstro.store.oauth_states import PendingConnection
from cloudstro.tools import connect_account
from cloudstro.tools.context import UserContext
from tests.support.constants import DEMO_USER as USER
from tests.support.constants import NOW

CLIENTS = {"INSTAGRAM_CLIENT_ID": "ig-app", "INSTAGRAM_CLIENT_SECRET": "ig-secret",
           "TWITTER_CLIENT_ID": "x-app"}


@pytest.fixture
def store(demo_store: Store) -> Store:
    """The demo store with OAuth clients for Instagram and X (none for Facebook or TikTok)."""
    settings = Settings.model_validate({**demo_store.settings.model_dump(by_alias=True),
                                        **CLIENTS})
    return Store(demo_store.dynamo, settings)


def call(store: Store, platform: str, user_id: str = USER) -> dict:
    runtime = SimpleNamespace(context=UserContext(user_id=user_id, store=store, now=NOW))
    assert isinstance(connect_account, StructuredTool) and connect_account.func is not None
    return connect_account.func(platform=platform, runtime=runtime)


def test_the_model_sees_only_a_platform_argument() -> None:
    assert set(connect_account.args) == {"platform"}


def test_the_link_is_issued_for_the_caller_and_carries_no_token(store: Store) -> None:
    result = call(store, "instagram")

    assert result["platform"] == "instagram" and result["expiresInMinutes"] == 10
    link = result["authorizeUrl"]
    assert link.startswith(f"{store.settings.public_url.rstrip('/')}/connect/")
    assert not result["signInWithSlackFirst"]
    pending = pending_connections(store).take(link.rsplit("/", 1)[1], NOW)
    assert isinstance(pending, PendingConnection)
    assert (pending.userId, pending.platform) == (USER, "instagram")
    raw = store.dynamo.table(store.names.accounts).scan()["Items"]
    assert not any(item["accessToken"] in repr(result) for item in raw)


def test_an_alias_a_platform_without_an_api_and_an_unconfigured_one(store: Store) -> None:
    assert call(store, "x")["platform"] == "twitter"
    assert "RedNote has no API" in call(store, "rednote")["error"]
    unconfigured = call(store, "tiktok")
    assert "TIKTOK_CLIENT_ID is not set" in unconfigured["error"]
    assert "authorizeUrl" not in unconfigured


def test_connect_words_reach_the_tool_and_other_questions_do_not() -> None:
    assert understand("connect my instagram").tool_calls == [
        ("connect_account", {"platform": "instagram"})]
    assert understand("please reconnect my twitter").tool_calls == [
        ("connect_account", {"platform": "twitter"})]
    assert understand("which accounts are connected?").tool_calls[0][0] == "list_my_accounts"
    assert understand("how did my instagram do this week?").tool_calls[0][0] == (
        "get_performance_summary")


def test_the_offline_answer_gives_the_link(store: Store) -> None:
    assistant = Assistant(store, store.settings, model=OfflineChatModel())
    reply = assistant.respond(USER, None, "connect my instagram", now=NOW)

    assert [c.name for c in reply.tool_calls] == ["connect_account"]
    link = f"{store.settings.public_url.rstrip('/')}/connect/"
    assert f"[Connect Instagram]({link}" in reply.reply
    assert "works once, for 10 minutes" in reply.reply
    assert "opens a CloudStro page that names your profile" in reply.reply


def test_a_turn_from_slack_gets_a_link_that_needs_its_slack_users_signin(store: Store
                                                                          ) -> None:
    settings = store.settings.model_copy(update={"slack_client_id": "slack-app",
                                                 "slack_client_secret": SecretStr("s")})
    signin_store = Store(store.dynamo, settings)
    assert isinstance(connect_account, StructuredTool) and connect_account.func is not None
    tool = connect_account.func

    def link(slack: SlackRequester | None) -> tuple[str, bool]:
        context = UserContext(user_id=USER, store=signin_store, now=NOW, slack=slack)
        result = tool(platform="instagram", runtime=SimpleNamespace(context=context))
        return result["authorizeUrl"], result["signInWithSlackFirst"]

    (from_slack, slack_signs_in), (from_http, http_signs_in) = (
        link(SlackRequester("U0ANA", "T0ACME")), link(None))
    assert (slack_signs_in, http_signs_in) == (True, False)
    profile = store.users.get(USER)
    assert profile is not None and profile.slackUserId is None  # nobody to vouch over HTTP

    assert from_slack.startswith(f"{settings.public_url.rstrip('/')}/connect/")
    pending = pending_connections(store).take(from_slack.rsplit("/", 1)[1], NOW)
    assert isinstance(pending, PendingConnection) and pending.slackUserId == "U0ANA"
    pending = pending_connections(store).take(from_http.rsplit("/", 1)[1], NOW)
    assert isinstance(pending, PendingConnection) and pending.slackUserId is None
