"""Starting a connection: CloudStro's link, the authorize URL each platform expects once a
browser is bound to it, and the pending state behind both.

Runs on moto: the runtime item the link's `state` points at is read back through the same
repository the callback uses, so the test sees what a callback would find.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from cloudstro.config import Settings
from cloudstro.ingest.oauth import NotConfigured, SlackRequester, UnknownPlatform, begin_connection
from cloudstro.ingest.oauth.apps import code_challenge
from cloudstro.ingest.oauth.confirm import UNNAMED_ASKER, ConfirmPage, open_link
from cloudstro.ingest.oauth.flow import bind_to_browser, pending_connections
from cloudstro.store import Store
from cloudstro.store.oauth_states import PendingConnection, StateProblem
from tests.support.builders import user

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
CLIENTS = {"TWITTER_CLIENT_ID": "x-app", "INSTAGRAM_CLIENT_ID": "ig-app",
           "INSTAGRAM_CLIENT_SECRET": "ig-secret", "FACEBOOK_APP_ID": "fb-app",
           "FACEBOOK_APP_SECRET": "fb-secret", "TIKTOK_CLIENT_ID": "tt-key",
           "TIKTOK_CLIENT_SECRET": "tt-secret",
           "CLOUDSTRO_PUBLIC_URL": "https://cloudstro.example.com/"}


def configured(store: Store, **changes: str) -> Settings:
    values = {**CLIENTS, **changes}
    return store.settings.model_copy(update={
        name: values[field.alias] for name, field in Settings.model_fields.items()
        if field.alias in values})


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


LINK_PREFIX = "https://cloudstro.example.com/connect/"
BROWSER = "a" * 64  # a browser key's digest


def authorize_url(store: Store, settings: Settings, platform: str) -> str:
    """The platform's page a browser is sent on to once it confirmed the link's page."""
    link = begin_connection(store, settings, "u1", platform, NOW)
    assert link.url.startswith(LINK_PREFIX) and not link.slack_signin
    return bind_to_browser(store, settings, link.url.removeprefix(LINK_PREFIX), BROWSER, NOW)


def test_x_url_carries_client_scopes_callback_state_and_s256_challenge(moto_store: Store
                                                                       ) -> None:
    url = authorize_url(moto_store, configured(moto_store), "x")

    assert url.startswith("https://x.com/i/oauth2/authorize?")
    query = query_of(url)
    assert query["response_type"] == "code"
    assert query["client_id"] == "x-app"
    assert query["scope"] == "tweet.read users.read offline.access"
    assert query["redirect_uri"] == "https://cloudstro.example.com/oauth/twitter/callback"
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 40
    pending = pending_connections(moto_store).take(query["state"], NOW)
    assert isinstance(pending, PendingConnection)
    assert (pending.userId, pending.platform) == ("u1", "twitter")
    assert pending.redirectUri == query["redirect_uri"]
    assert pending.codeVerifier is not None
    assert code_challenge(pending.codeVerifier.get_secret_value()) == query["code_challenge"]
    assert pending.expiresAt == int((NOW + timedelta(minutes=10)).timestamp())


def test_each_start_has_its_own_state_and_verifier(moto_store: Store) -> None:
    settings = configured(moto_store)
    first = query_of(authorize_url(moto_store, settings, "twitter"))
    second = query_of(authorize_url(moto_store, settings, "twitter"))
    assert first["state"] != second["state"]
    assert first["code_challenge"] != second["code_challenge"]


def test_state_is_single_use_and_expires_after_ten_minutes(moto_store: Store) -> None:
    settings = configured(moto_store)
    used = query_of(authorize_url(moto_store, settings, "twitter"))["state"]
    late = query_of(authorize_url(moto_store, settings, "twitter"))["state"]
    states = pending_connections(moto_store)

    assert isinstance(states.take(used, NOW + timedelta(minutes=9)), PendingConnection)
    assert states.take(used, NOW + timedelta(minutes=9)) is StateProblem.UNKNOWN
    assert states.take(late, NOW + timedelta(minutes=10)) is StateProblem.EXPIRED
    assert states.take("never-issued", NOW) is StateProblem.UNKNOWN


def test_meta_platforms_use_comma_scopes_and_no_pkce(moto_store: Store) -> None:
    settings = configured(moto_store)
    instagram = query_of(authorize_url(moto_store, settings, "instagram"))
    facebook = authorize_url(moto_store, settings, "fb")

    assert instagram["client_id"] == "ig-app"
    assert instagram["scope"] == "instagram_business_basic,instagram_business_manage_insights"
    assert "code_challenge" not in instagram
    assert facebook.startswith("https://www.facebook.com/v24.0/dialog/oauth?")
    assert query_of(facebook)["redirect_uri"].endswith("/oauth/facebook/callback")


def test_tiktok_sends_its_client_key_and_no_challenge(moto_store: Store) -> None:
    """Login Kit for Web: client key, scope, redirect URI, state; PKCE is the desktop kit's."""
    query = query_of(authorize_url(moto_store, configured(moto_store), "tiktok"))
    assert query["client_key"] == "tt-key"
    assert "client_id" not in query
    assert query["scope"] == "user.info.basic,video.list"
    assert "code_challenge" not in query and "code_challenge_method" not in query
    pending = pending_connections(moto_store).take(query["state"], NOW)
    assert isinstance(pending, PendingConnection) and pending.codeVerifier is None


def test_missing_client_id_names_the_setting(moto_store: Store) -> None:
    settings = configured(moto_store).model_copy(update={"twitter_client_id": None})
    with pytest.raises(NotConfigured, match="TWITTER_CLIENT_ID is not set"):
        begin_connection(moto_store, settings, "u1", "twitter", NOW)
    settings = configured(moto_store).model_copy(update={"tiktok_client_secret": None})
    with pytest.raises(NotConfigured, match="TIKTOK_CLIENT_SECRET"):
        begin_connection(moto_store, settings, "u1", "tiktok", NOW)


@pytest.mark.parametrize(("name", "words"), [("myspace", "no platform called 'myspace'"),
                                             ("rednote", "RedNote has no API")])
def test_platforms_that_cannot_be_connected(moto_store: Store, name: str, words: str) -> None:
    with pytest.raises(UnknownPlatform, match=words):
        begin_connection(moto_store, configured(moto_store), "u1", name, NOW)


SIGNIN = {"SLACK_CLIENT_ID": "slack-app", "SLACK_CLIENT_SECRET": "slack-secret"}
ANA = SlackRequester("U0ANA", "T0ACME")


def test_a_link_asked_for_in_slack_opens_the_slack_signin_and_names_the_slack_user(
        moto_store: Store) -> None:
    link = begin_connection(moto_store, configured(moto_store, **SIGNIN), "u1", "twitter", NOW,
                            requester=ANA)

    assert link.url.startswith(LINK_PREFIX) and link.slack_signin
    pending = pending_connections(moto_store).take(link.url.removeprefix(LINK_PREFIX), NOW)
    assert isinstance(pending, PendingConnection)
    assert (pending.userId, pending.slackUserId, pending.slackTeamId) == ("u1", "U0ANA", "T0ACME")
    assert pending.browserKeyHash is None and pending.needs_slack_signin


def test_without_slack_signin_configured_a_slack_link_opens_the_confirmation_page(
        moto_store: Store) -> None:
    settings = configured(moto_store, SLACK_CLIENT_ID="slack-app")  # no secret: not configured
    link = begin_connection(moto_store, settings, "u1", "twitter", NOW, requester=ANA)

    assert link.url.startswith(LINK_PREFIX) and not link.slack_signin
    pending = pending_connections(moto_store).take(link.url.removeprefix(LINK_PREFIX), NOW)
    assert isinstance(pending, PendingConnection) and not pending.needs_slack_signin


def test_a_connection_is_bound_to_the_first_browser_only_while_it_lasts(moto_store: Store
                                                                         ) -> None:
    link = begin_connection(moto_store, configured(moto_store, **SIGNIN), "u1", "tiktok", NOW,
                            requester=ANA)
    state = link.url.rsplit("/", 1)[1]
    pending = pending_connections(moto_store)

    assert pending.bind_browser(state, "a" * 64, NOW + timedelta(minutes=10)) is None  # expired
    first = pending.bind_browser(state, "a" * 64, NOW)
    assert isinstance(first, PendingConnection) and first.browserKeyHash == "a" * 64
    assert pending.bind_browser(state, "a" * 64, NOW) == first  # the same browser again
    assert pending.bind_browser(state, "b" * 64, NOW) is None  # a second browser is refused
    bound = pending.peek(state, NOW)
    assert isinstance(bound, PendingConnection) and bound.browserKeyHash == "a" * 64
    assert pending.peek(state, NOW + timedelta(minutes=10)) is StateProblem.EXPIRED
    assert pending.peek("never-issued", NOW) is StateProblem.UNKNOWN


def test_the_links_page_names_the_profile_by_full_name_then_username_never_email(
        moto_store: Store) -> None:
    settings = configured(moto_store)
    moto_store.users.put(user("named", fullName="Ana Makes"))
    moto_store.users.put(user("handle", username="ana_makes"))
    moto_store.dynamo.table(moto_store.names.users).update_item(  # a profile written without one
        Key={"userId": "handle", "recordType": "USER_PROFILE"}, UpdateExpression="REMOVE fullName")

    def asker(user_id: str) -> str:
        link = begin_connection(moto_store, settings, user_id, "twitter", NOW)
        opened = open_link(moto_store, settings, link.url.removeprefix(LINK_PREFIX), None, NOW)
        assert isinstance(opened, ConfirmPage) and opened.platform == "Twitter/X"
        return opened.asker

    assert [asker("named"), asker("handle"), asker("gone")] == [
        "Ana Makes", "ana_makes", UNNAMED_ASKER]
