"""Links made in Slack connect only in the browser of the Slack user they were made for.

The real server on 127.0.0.1 over DynamoDB Local, with the local OAuth providers and a local
Sign in with Slack (tests/connect/slack_signin.py). Each `httpx.Client` is one browser with its
own cookies. The attacks are the ones a connection link invites: the link passed to someone
else, the platform's page passed on after the owner signed in, and the owner's Slack sign-in
replayed into another browser. Each ends in a page that says why, with nothing stored and no
platform code exchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from cloudstro.channels.http.logs import content_free
from cloudstro.ingest.oauth import BROWSER_COOKIE, SlackRequester, begin_connection
from cloudstro.store.local import LocalEngine
from tests.connect.conftest import open_stack
from tests.connect.slack_signin import (
    CLIENT_ID,
    CLIENT_SECRET,
    SlackSignIn,
    start_slack_signin,
)
from tests.support.connect import ConnectStack, MovableClock
from tests.support.sync import ACCOUNT_IDS, NOW

pytestmark = pytest.mark.integration

ANA = SlackRequester("U0ANA", "T0ACME")


@pytest.fixture(scope="module")
def signin_world(local_engine: LocalEngine, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[tuple[ConnectStack, SlackSignIn]]:
    clock = MovableClock(NOW)
    signin = start_slack_signin(clock)
    try:
        with open_stack(local_engine, tmp_path_factory.mktemp("signin-data"), clock,
                        **signin.env) as stack:
            yield stack, signin
    finally:
        signin.stop()


@pytest.fixture
def world(signin_world: tuple[ConnectStack, SlackSignIn]) -> tuple[ConnectStack, SlackSignIn]:
    stack, signin = signin_world
    stack.providers.reset(ACCOUNT_IDS)
    stack.clock.moment = NOW
    signin.reset()
    return stack, signin


def slack_link(stack: ConnectStack, user_id: str, platform: str = "twitter") -> str:
    """The link CloudStro puts under an answer in Slack for Ana."""
    return begin_connection(stack.store, stack.settings, user_id, platform, stack.clock(),
                            requester=ANA).url


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def sign_in(browser: httpx.Client, link: str) -> str:
    """Open the link and sign in to Slack: the CloudStro callback Slack sends the browser to."""
    to_slack = browser.get(link)
    assert to_slack.status_code == 302, to_slack.text
    back = browser.get(to_slack.headers["location"])
    assert back.status_code == 302, back.text
    return back.headers["location"]


def to_platform(browser: httpx.Client, link: str) -> httpx.Response:
    """Open the link, sign in to Slack, and come back to CloudStro's sign-in callback."""
    return browser.get(sign_in(browser, link))


def connected(stack: ConnectStack, user_id: str) -> list[str]:
    return [view.platformAccountId for view in stack.store.accounts.sync_views(user_id)]


def test_a_slack_link_connects_after_signing_in_as_its_slack_user(
        world: tuple[ConnectStack, SlackSignIn]) -> None:
    stack, signin = world
    user_id = stack.new_user()
    link = slack_link(stack, user_id)
    assert link.startswith(f"{stack.url}/connect/")
    with stack.client() as browser:
        to_slack = browser.get(link)
        assert to_slack.status_code == 302
        assert to_slack.headers["location"].startswith(signin.env["SLACK_SIGNIN_URL"])
        cookie = to_slack.headers["set-cookie"].lower()
        assert f"{BROWSER_COOKIE}=" in cookie and "httponly" in cookie
        assert "samesite=lax" in cookie and "max-age=600" in cookie
        back = browser.get(to_slack.headers["location"])
        onward = browser.get(back.headers["location"])
        assert onward.status_code == 302, onward.text
        assert onward.headers["location"].startswith(stack.settings.twitter_authorize_url)
        page = browser.get(stack.approve(browser, onward.headers["location"]))

    assert page.status_code == 200, page.text
    assert "Connected @ana_makes" in page.text
    assert connected(stack, user_id) == [f"twitter#{ACCOUNT_IDS['twitter']}"]
    asked = signin.authorize_queries[0]
    assert asked["client_id"] == CLIENT_ID and asked["scope"] == "openid"
    assert asked["team"] == "T0ACME" and asked["nonce"]
    assert asked["redirect_uri"] == f"{stack.url}/connect/slack/callback"
    assert signin.token_requests[0]["redirect_uri"] == asked["redirect_uri"]
    assert stack.authorizer("twitter").refused == []


@pytest.mark.parametrize("who", [("U0EVE", "T0ACME"), ("U0ANA", "T0OTHER")],
                         ids=["another person", "the same id in another workspace"])
def test_a_link_passed_to_someone_else_connects_nothing_and_is_spent(
        world: tuple[ConnectStack, SlackSignIn], who: tuple[str, str]) -> None:
    stack, signin = world
    user_id = stack.new_user()
    link = slack_link(stack, user_id)
    signin.signed_in_as = who
    with stack.client() as victim:
        page = to_platform(victim, link)

    assert page.status_code == 403
    assert "made in Slack for someone else" in page.text
    assert stack.authorizer("twitter").authorize_queries == []
    assert connected(stack, user_id) == []
    signin.signed_in_as = (ANA.user_id, "T0ACME")
    with stack.client() as owner:
        again = owner.get(link)
    assert again.status_code == 400 and "not valid or was already used" in again.text


def test_the_platform_page_passed_on_after_signing_in_connects_nothing(
        world: tuple[ConnectStack, SlackSignIn]) -> None:
    stack, _ = world
    user_id = stack.new_user()
    with stack.client() as owner:
        platform_page = to_platform(owner, slack_link(stack, user_id)).headers["location"]
    with stack.client() as victim:
        page = victim.get(stack.approve(victim, platform_page))

    assert page.status_code == 400
    assert "can only be finished in the browser that signed in to Slack" in page.text
    assert stack.authorizer("twitter").issued_tokens == []  # the code was never exchanged
    assert connected(stack, user_id) == []


def test_a_slack_signin_replayed_in_another_browser_is_refused(
        world: tuple[ConnectStack, SlackSignIn]) -> None:
    stack, signin = world
    user_id = stack.new_user()
    with stack.client() as owner:
        callback = sign_in(owner, slack_link(stack, user_id))
    with stack.client() as victim:
        page = victim.get(callback)

    assert page.status_code == 400 and "started in another browser" in page.text
    assert signin.token_requests == []  # Slack's code was never exchanged
    assert stack.authorizer("twitter").authorize_queries == []


def test_a_browser_with_a_made_up_cookie_is_refused(world: tuple[ConnectStack, SlackSignIn]
                                                    ) -> None:
    stack, _ = world
    user_id = stack.new_user()
    with stack.client() as owner:
        platform_page = to_platform(owner, slack_link(stack, user_id)).headers["location"]
    with stack.client(cookies={BROWSER_COOKIE: "A" * 43}) as victim:
        page = victim.get(stack.approve(victim, platform_page))

    assert page.status_code == 400 and connected(stack, user_id) == []


@pytest.mark.parametrize("tamper", [{"nonce": "another-sign-in"}, {"aud": "another-app"},
                                    {"iss": "https://slack.example.net"},
                                    {"exp": int((NOW - timedelta(minutes=1)).timestamp())}],
                         ids=["nonce", "audience", "issuer", "expired"])
def test_an_identity_token_that_does_not_check_out_connects_nothing(
        world: tuple[ConnectStack, SlackSignIn], tamper: dict[str, object]) -> None:
    stack, signin = world
    user_id = stack.new_user()
    signin.tamper = tamper
    with stack.client() as browser:
        page = to_platform(browser, slack_link(stack, user_id))

    assert page.status_code == 400
    assert f"did not check out ({next(iter(tamper))})" in page.text
    assert stack.authorizer("twitter").authorize_queries == []
    assert connected(stack, user_id) == []


@pytest.mark.parametrize(("setting", "status", "said"), [
    ("decline", 400, "You did not sign in to Slack"),
    ("unavailable", 502, "Slack did not answer the sign-in")],
    ids=["declined", "Slack not answering"])
def test_a_sign_in_that_does_not_happen_connects_nothing(
        world: tuple[ConnectStack, SlackSignIn], setting: str, status: int, said: str) -> None:
    stack, signin = world
    user_id = stack.new_user()
    setattr(signin, setting, True)
    with stack.client() as browser:
        page = to_platform(browser, slack_link(stack, user_id))

    assert page.status_code == status and said in page.text
    assert connected(stack, user_id) == []


def test_an_expired_link_is_refused_before_slack_is_asked(
        world: tuple[ConnectStack, SlackSignIn]) -> None:
    stack, signin = world
    link = slack_link(stack, stack.new_user())
    stack.clock.moment = NOW + timedelta(minutes=10)
    with stack.client() as browser:
        page = browser.get(link)

    assert page.status_code == 400 and "has expired" in page.text
    assert BROWSER_COOKIE not in page.headers.get("set-cookie", "")
    assert signin.authorize_queries == []


def test_a_slack_link_cannot_skip_the_signin_by_posting_the_confirmation(
        world: tuple[ConnectStack, SlackSignIn]) -> None:
    """The confirmation page's POST is for links no Slack user vouches for."""
    stack, signin = world
    user_id = stack.new_user()
    link = slack_link(stack, user_id)
    with stack.client() as browser:
        browser.get(link)  # the cookie, as a browser that opened the link has it
        refused = browser.post(link, follow_redirects=False)
        asked_before_signin = list(stack.authorizer("twitter").authorize_queries)
        onward = to_platform(browser, link)  # signing in still works

    assert refused.status_code == 400 and "signs in with Slack before anything" in refused.text
    assert asked_before_signin == [] and connected(stack, user_id) == []
    assert onward.status_code == 302 and len(signin.authorize_queries) == 1
    assert onward.headers["location"].startswith(stack.settings.twitter_authorize_url)


def test_two_links_opened_side_by_side_in_one_browser_both_connect(
        world: tuple[ConnectStack, SlackSignIn]) -> None:
    stack, _ = world
    user_id = stack.new_user()
    x_link, tiktok_link = slack_link(stack, user_id), slack_link(stack, user_id, "tiktok")
    with stack.client() as browser:
        callbacks = [sign_in(browser, x_link), sign_in(browser, tiktok_link)]
        pages = [browser.get(stack.approve(browser, browser.get(callback).headers["location"]))
                 for callback in callbacks]

    assert [page.status_code for page in pages] == [200, 200], [p.text for p in pages]
    assert sorted(connected(stack, user_id)) == sorted(
        [f"tiktok#{ACCOUNT_IDS['tiktok']}", f"twitter#{ACCOUNT_IDS['twitter']}"])


def test_an_http_api_link_needs_the_slack_signin_of_the_profiles_slack_user(
        world: tuple[ConnectStack, SlackSignIn]) -> None:
    stack, signin = world
    user_id = stack.new_user()
    stack.store.users.link_slack(user_id, ANA.user_id, ANA.team_id)
    with stack.client() as client:
        link = stack.link(client, user_id, "instagram")
    assert link.startswith(f"{stack.url}/connect/")

    signin.signed_in_as = ("U0EVE", "T0ACME")
    with stack.client() as someone_else:
        refused = to_platform(someone_else, link)
    signin.signed_in_as = (ANA.user_id, "T0ACME")
    with stack.client() as client:
        link = stack.link(client, user_id, "instagram")
        onward = to_platform(client, link)
        page = client.get(stack.approve(client, onward.headers["location"]))

    assert refused.status_code == 403
    assert page.status_code == 200, page.text
    assert connected(stack, user_id) == [f"instagram#{ACCOUNT_IDS['instagram']}"]


def test_an_http_api_link_for_a_profile_without_slack_opens_the_confirmation_page(
        world: tuple[ConnectStack, SlackSignIn]) -> None:
    """No Slack user to sign in as: the page that names whose profile it connects to."""
    stack, signin = world
    user_id = stack.new_user()
    with stack.client() as client:
        authorize_url = stack.start(client, user_id, "instagram")
        page = client.get(stack.approve(client, authorize_url))

    assert authorize_url.startswith(stack.settings.instagram_authorize_url)
    assert page.status_code == 200 and signin.authorize_queries == []
    assert connected(stack, user_id) == [f"instagram#{ACCOUNT_IDS['instagram']}"]


def test_no_code_token_key_or_state_in_any_page_or_log_record(
        world: tuple[ConnectStack, SlackSignIn], caplog: pytest.LogCaptureFixture) -> None:
    stack, signin = world
    user_id = stack.new_user()
    link = slack_link(stack, user_id)
    caplog.set_level(logging.DEBUG)
    with stack.client() as browser:
        to_slack = browser.get(link)
        callback = browser.get(to_slack.headers["location"]).headers["location"]
        onward = browser.get(callback)
        pages = [to_slack, onward, browser.get(stack.approve(browser, onward.headers["location"])),
                 browser.get(callback)]  # the last: the sign-in replayed
        browser_key = browser.cookies[BROWSER_COOKIE]

    assert [page.status_code for page in pages] == [302, 302, 200, 400]
    slack_code = query_of(callback)["code"]
    secrets = [slack_code, *signin.issued, CLIENT_SECRET, browser_key,
               link.rsplit("/", 1)[1], query_of(callback)["state"]]
    written = [content_free(logging.makeLogRecord(record.__dict__)) for record in caplog.records]
    logged = [f"{record.getMessage()} {record.exc_text or ''}" for record in written]
    assert any("connected 1 twitter account" in line for line in logged)
    for secret in secrets:
        assert not any(secret in page.text for page in pages), "a page carried a secret"
        bad = [line[:300] for line in logged if secret in line]
        assert not bad, bad
    for secret in [slack_code, *signin.issued, CLIENT_SECRET]:
        assert not any(secret in str(page.headers) for page in pages)
