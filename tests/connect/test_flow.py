"""Connecting accounts through the real server: start, approve at the platform, come back.

Every test drives the browser's round trip over loopback HTTP: `POST /v1/connections/{p}` with
a bearer token, the local provider's authorize page (which redirects with a code), and the
server's callback, which exchanges the code (with the PKCE verifier on X) at the
provider's token endpoint. Whatever goes wrong with the callback answers a 400 page and
stores nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from cloudstro.channels.http.logs import content_free
from cloudstro.store.accounts import SyncView
from tests.connect.provider import FACEBOOK_PAGES, USERNAMES
from tests.support.connect import ConnectStack, account_path
from tests.support.http_api import auth
from tests.support.servers import free_port
from tests.support.sync import NOW, seed_posts
from tests.support.waiting import wait_for

pytestmark = pytest.mark.integration


def views(stack: ConnectStack, user_id: str) -> list[SyncView]:
    return stack.store.accounts.sync_views(user_id)


def synced(stack: ConnectStack, user_id: str, platform: str, account_id: str) -> SyncView:
    """The account once its first sync has recorded a run."""
    def done() -> bool:
        view = stack.store.accounts.sync_view(user_id, platform, account_id)
        return view is not None and view.lastSyncAt is not None

    wait_for(done)
    view = stack.store.accounts.sync_view(user_id, platform, account_id)
    assert view is not None
    return view


def raw_account(stack: ConnectStack, user_id: str, platform: str, account_id: str) -> dict:
    table = stack.store.dynamo.table(stack.store.names.accounts)
    return table.get_item(Key={"userId": user_id,
                               "platformAccountId": f"{platform}#{account_id}"})["Item"]


def test_x_connection_stores_encrypted_tokens_and_starts_the_first_sync(stack: ConnectStack
                                                                        ) -> None:
    x = stack.state("twitter")
    seed_posts(x, 6, spacing=timedelta(hours=10))
    user_id = stack.new_user()
    with stack.client() as client:
        authorize_url = stack.start(client, user_id, "twitter")
        page = client.get(stack.approve(client, authorize_url))

    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "Connected @ana_makes. You can go back to Slack." in page.text
    asked = stack.authorizer("twitter").authorize_queries[0]
    assert asked["scope"] == "tweet.read users.read offline.access"
    assert asked["redirect_uri"] == f"{stack.url}/oauth/twitter/callback"
    assert asked["code_challenge_method"] == "S256"
    assert stack.authorizer("twitter").refused == []
    access, refresh = stack.authorizer("twitter").issued_tokens
    item = raw_account(stack, user_id, "twitter", x.account_id)
    assert item["accountStatus"] == "active"
    assert access not in item["accessToken"] and refresh not in item["refreshToken"]
    tokens = stack.store.accounts.token_state(user_id, "twitter", x.account_id)
    assert tokens is not None
    assert tokens.access_token.get_secret_value() == access
    assert tokens.refresh_token is not None and tokens.refresh_token.get_secret_value() == refresh
    assert tokens.expires_at == NOW + timedelta(hours=2)
    view = synced(stack, user_id, "twitter", x.account_id)
    assert view.postCount == 6
    assert view.accountHandle == "@ana_makes"
    assert x.bearer_tokens_seen and set(x.bearer_tokens_seen) <= {access}


def test_replayed_callback_is_refused_and_exchanges_nothing(stack: ConnectStack) -> None:
    user_id = stack.new_user()
    with stack.client() as client:
        callback = stack.approve(client, stack.start(client, user_id, "twitter"))
        assert client.get(callback).status_code == 200
        issued = list(stack.authorizer("twitter").issued_tokens)
        replay = client.get(callback)

    assert replay.status_code == 400
    assert "not valid or was already used" in replay.text
    assert stack.authorizer("twitter").issued_tokens == issued  # no second exchange
    assert len(views(stack, user_id)) == 1


def test_expired_state_is_refused_and_stores_nothing(stack: ConnectStack) -> None:
    user_id = stack.new_user()
    with stack.client() as client:
        callback = stack.approve(client, stack.start(client, user_id, "twitter"))
        stack.clock.moment = NOW + timedelta(minutes=10, seconds=1)
        answer = client.get(callback)

    assert answer.status_code == 400
    assert "has expired" in answer.text
    assert stack.authorizer("twitter").codes  # the code was never redeemed
    assert views(stack, user_id) == []


def test_state_is_still_good_just_before_ten_minutes(stack: ConnectStack) -> None:
    user_id = stack.new_user()
    with stack.client() as client:
        callback = stack.approve(client, stack.start(client, user_id, "twitter"))
        stack.clock.moment = NOW + timedelta(minutes=9, seconds=59)
        assert client.get(callback).status_code == 200
    assert len(views(stack, user_id)) == 1


def test_forged_state_and_a_state_from_another_platform_are_refused(stack: ConnectStack
                                                                   ) -> None:
    user_id = stack.new_user()
    with stack.client() as client:
        forged = client.get("/oauth/twitter/callback",
                            params={"code": "twitter-code-1", "state": "made-up-state"})
        tiktok_link = stack.start(client, user_id, "tiktok")
        state = parse_qs(urlsplit(tiktok_link).query)["state"][0]
        crossed = client.get("/oauth/twitter/callback",
                             params={"code": "twitter-code-1", "state": state})
        stateless = client.get("/oauth/twitter/callback", params={"code": "twitter-code-1"})

    for answer in (forged, crossed, stateless):
        assert answer.status_code == 400
        assert answer.headers["content-type"].startswith("text/html")
    assert "not valid or was already used" in forged.text
    assert "not valid or was already used" in crossed.text
    assert "no state" in stateless.text
    assert stack.authorizer("twitter").issued_tokens == []
    assert views(stack, user_id) == []


def test_a_code_redeemed_with_another_connections_verifier_is_refused(stack: ConnectStack
                                                                      ) -> None:
    """A code injected into someone else's callback: the verifier CloudStro holds for that
    state is not the one the code was issued for, so the provider refuses the exchange."""
    user_id = stack.new_user()
    with stack.client() as client:
        first = stack.approve(client, stack.start(client, user_id, "twitter"))
        second_link = stack.start(client, user_id, "twitter")
        code = parse_qs(urlsplit(first).query)["code"][0]
        other_state = parse_qs(urlsplit(second_link).query)["state"][0]
        answer = client.get("/oauth/twitter/callback",
                            params={"code": code, "state": other_state})

    assert answer.status_code == 400
    assert "refused" in answer.text
    assert stack.authorizer("twitter").refused == [
        "code_verifier does not match the code challenge"]
    assert views(stack, user_id) == []


def test_declined_on_the_platform_stores_nothing_and_spends_the_state(stack: ConnectStack
                                                                      ) -> None:
    stack.authorizer("twitter").decline = True
    user_id = stack.new_user()
    with stack.client() as client:
        callback = stack.approve(client, stack.start(client, user_id, "twitter"))
        assert "error=access_denied" in callback
        declined = client.get(callback)
        state = parse_qs(urlsplit(callback).query)["state"][0]
        retried = client.get("/oauth/twitter/callback", params={"code": "c", "state": state})

    assert declined.status_code == 400
    assert "You did not allow CloudStro to read your Twitter/X account" in declined.text
    assert retried.status_code == 400
    assert views(stack, user_id) == []


def test_missing_code_is_refused(stack: ConnectStack) -> None:
    user_id = stack.new_user()
    with stack.client() as client:
        link = stack.start(client, user_id, "twitter")
        state = parse_qs(urlsplit(link).query)["state"][0]
        answer = client.get(f"/oauth/twitter/callback?{urlencode({'state': state})}")
    assert answer.status_code == 400
    assert "without an authorization code" in answer.text
    assert views(stack, user_id) == []


def test_error_values_are_escaped_on_the_page(stack: ConnectStack) -> None:
    user_id = stack.new_user()
    with stack.client() as client:
        link = stack.start(client, user_id, "twitter")
        state = parse_qs(urlsplit(link).query)["state"][0]
        answer = client.get("/oauth/twitter/callback",
                            params={"state": state, "error": "<script>alert(1)</script>"})
    assert answer.status_code == 400
    assert "<script>" not in answer.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text


def test_reconnecting_replaces_tokens_and_clears_reauth_required(stack: ConnectStack) -> None:
    x = stack.state("twitter")
    seed_posts(x, 3)
    user_id = stack.new_user()
    with stack.client() as client:
        assert stack.connect(client, user_id, "twitter").status_code == 200
        synced(stack, user_id, "twitter", x.account_id)
        before = stack.store.accounts.token_state(user_id, "twitter", x.account_id)
        stack.store.accounts.mark_reauth_required(user_id, "twitter", x.account_id,
                                                  "the platform refused the token refresh", NOW)
        assert stack.connect(client, user_id, "twitter").status_code == 200

    view = stack.store.accounts.sync_view(user_id, "twitter", x.account_id)
    after = stack.store.accounts.token_state(user_id, "twitter", x.account_id)
    assert view is not None and after is not None and before is not None
    assert (view.accountStatus, view.statusReason) == ("active", None)
    assert after.access_token.get_secret_value() == stack.authorizer("twitter").issued_tokens[-2]
    assert after.access_token.get_secret_value() != before.access_token.get_secret_value()
    assert after.version > before.version
    assert view.postCount == 3  # history kept


def test_instagram_keeps_the_long_lived_token(stack: ConnectStack) -> None:
    instagram = stack.state("instagram")
    seed_posts(instagram, 2)
    user_id = stack.new_user()
    with stack.client() as client:
        page = stack.connect(client, user_id, "instagram")

    assert page.status_code == 200, page.text
    assert f"Connected @{USERNAMES['instagram']}." in page.text
    assert "code_challenge" not in stack.authorizer("instagram").authorize_queries[0]
    tokens = stack.store.accounts.token_state(user_id, "instagram", instagram.account_id)
    assert tokens is not None
    assert tokens.access_token.get_secret_value().startswith("instagram-long-")
    assert tokens.refresh_token is None
    assert tokens.expires_at == NOW + timedelta(days=60)
    assert synced(stack, user_id, "instagram", instagram.account_id).postCount == 2


def test_facebook_stores_one_account_per_page_with_its_page_token(stack: ConnectStack) -> None:
    facebook = stack.state("facebook")
    seed_posts(facebook, 2)
    user_id = stack.new_user()
    with stack.client() as client:
        page = stack.connect(client, user_id, "facebook")

    assert page.status_code == 200, page.text
    assert "Connected @Ana&#x27;s Bakery and @Ana &lt;Studio&gt;." in page.text
    assert "<Studio>" not in page.text
    page_tokens = [token for token in stack.authorizer("facebook").issued_tokens
                   if token.startswith("facebook-page-")]
    stored = {}
    for page_id, _ in FACEBOOK_PAGES:
        tokens = stack.store.accounts.token_state(user_id, "facebook", page_id)
        assert tokens is not None
        stored[page_id] = tokens.access_token.get_secret_value()
    assert sorted(stored.values()) == sorted(page_tokens)
    assert {view.accountName for view in views(stack, user_id)} == {
        name for _, name in FACEBOOK_PAGES}
    synced(stack, user_id, "facebook", FACEBOOK_PAGES[0][0])


def test_tiktok_connection_with_the_client_secret_and_no_pkce(stack: ConnectStack) -> None:
    tiktok = stack.state("tiktok")
    seed_posts(tiktok, 4, first_id=7_000_000)
    user_id = stack.new_user()
    with stack.client() as client:
        page = stack.connect(client, user_id, "tiktok")

    assert page.status_code == 200, page.text
    asked = stack.authorizer("tiktok").authorize_queries[0]
    assert asked["client_key"] == "tt-client-key" and "code_challenge" not in asked
    assert stack.authorizer("tiktok").refused == []
    (exchange,) = stack.authorizer("tiktok").token_forms
    assert "code_verifier" not in exchange and exchange["client_secret"] == "tt-client-secret"
    assert synced(stack, user_id, "tiktok", tiktok.account_id).postCount == 4


def test_unknown_platform_and_no_bearer(stack: ConnectStack) -> None:
    user_id = stack.new_user()
    with stack.client() as client:
        unknown = client.post("/v1/connections/myspace", headers=auth(user_id))
        anonymous = client.post("/v1/connections/twitter")
        callback = client.get("/oauth/myspace/callback", params={"code": "c", "state": "s"})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_platform"
    assert anonymous.status_code == 401
    assert callback.status_code == 404 and "no platform called" in callback.text


def test_a_platform_that_does_not_answer_gets_a_502_page_and_nothing_stored(
        stack: ConnectStack) -> None:
    user_id = stack.new_user()
    closed = f"http://127.0.0.1:{free_port()}"
    with stack.variant(twitter_api_url=closed) as url, httpx.Client(base_url=url,
                                                                     timeout=30) as client:
        link = stack.start(client, user_id, "twitter")
        state = parse_qs(urlsplit(link).query)["state"][0]
        answer = client.get("/oauth/twitter/callback", params={"code": "c", "state": state})
        replay = client.get("/oauth/twitter/callback", params={"code": "c", "state": state})

    assert answer.status_code == 502
    assert "Twitter/X could not be reached" in answer.text
    assert replay.status_code == 400
    assert views(stack, user_id) == []


def test_a_platform_without_client_settings_is_a_clear_503(stack: ConnectStack) -> None:
    user_id = stack.new_user()
    with stack.variant(facebook_app_id=None) as url, httpx.Client(base_url=url,
                                                                   timeout=30) as client:
        answer = client.post("/v1/connections/facebook", headers=auth(user_id))
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "not_configured"
    assert "FACEBOOK_APP_ID is not set" in answer.json()["error"]["message"]


def test_list_then_disconnect_keeping_posts_then_deleting_them(stack: ConnectStack) -> None:
    x, tiktok = stack.state("twitter"), stack.state("tiktok")
    seed_posts(x, 5)
    seed_posts(tiktok, 3, first_id=7_000_000)
    user_id = stack.new_user()
    with stack.client() as client:
        stack.connect(client, user_id, "twitter")
        stack.connect(client, user_id, "tiktok")
        synced(stack, user_id, "twitter", x.account_id)
        synced(stack, user_id, "tiktok", tiktok.account_id)
        listed = client.get("/v1/connections", headers=auth(user_id))
        kept = client.delete(account_path("twitter", x.account_id), headers=auth(user_id))
        dropped = client.delete(account_path("tiktok", tiktok.account_id),
                                params={"deleteData": "true"}, headers=auth(user_id))
        again = client.delete(account_path("tiktok", tiktok.account_id), headers=auth(user_id))
        other = stack.new_user()
        foreign = client.delete(account_path("twitter", x.account_id), headers=auth(other))
        after = client.get("/v1/connections", headers=auth(user_id))

    assert listed.status_code == 200
    rows = sorted(listed.json()["connections"], key=lambda row: row["platform"])
    assert [(row["platform"], row["username"], row["status"], row["postCount"])
            for row in rows] == [("tiktok", "@Ana Makes", "active", 3),
                                 ("twitter", "@ana_makes", "active", 5)]
    assert all(row["lastSyncAt"] for row in rows)
    for token in (*stack.authorizer("twitter").issued_tokens,
                  *stack.authorizer("tiktok").issued_tokens):
        assert token not in listed.text
    assert kept.json() == {"platformAccountId": f"twitter#{x.account_id}", "revoked": True,
                           "postsDeleted": 0}
    assert stack.authorizer("twitter").revoked == [stack.authorizer("twitter").issued_tokens[0]]
    assert dropped.json()["postsDeleted"] == 3
    assert dropped.json()["revoked"] is True
    assert again.status_code == 404 and foreign.status_code == 404
    assert after.json() == {"connections": []}
    assert stack.store.accounts.credentials(user_id, "twitter", x.account_id) is None
    remaining = stack.store.posts.list_for_user(user_id)
    assert {post.postId.split("#")[0] for post in remaining} == {"twitter"}
    assert len(remaining) == 5
    assert stack.store.engagement.for_user(user_id, "tiktok") == []


def test_no_token_or_code_in_any_response_or_log_record(stack: ConnectStack,
                                                        caplog: pytest.LogCaptureFixture
                                                        ) -> None:
    x = stack.state("twitter")
    seed_posts(x, 4)
    user_id = stack.new_user()
    responses: list[httpx.Response] = []
    caplog.set_level(logging.DEBUG)
    with stack.client() as client:
        link = stack.start(client, user_id, "twitter")
        callback = stack.approve(client, link)
        responses.append(client.get(callback))
        responses.append(client.get(callback))  # the replay's page
        synced(stack, user_id, "twitter", x.account_id)
        responses.append(client.get("/v1/connections", headers=auth(user_id)))
        responses.append(client.delete(account_path("twitter", x.account_id),
                                       headers=auth(user_id)))

    code = parse_qs(urlsplit(callback).query)["code"][0]
    state = parse_qs(urlsplit(callback).query)["state"][0]
    secrets = [*stack.authorizer("twitter").issued_tokens, code, state]
    assert len(secrets) == 4
    texts = [response.text + str(response.headers) for response in responses]
    # What the server writes: its log records pass `content_free` (library lines withheld).
    written = [content_free(logging.makeLogRecord(record.__dict__)) for record in caplog.records]
    logged = [f"{record.getMessage()} {record.exc_text or ''}" for record in written]
    assert any("connected 1 twitter account" in line for line in logged)
    for secret in secrets:
        assert not any(secret in text for text in texts), "a response carried a secret"
        bad = [line[:300] for line in logged if secret in line]
        assert not bad, bad
