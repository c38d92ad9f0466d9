"""Links no Slack user vouches for: a page that names whose profile the link connects to, and only
the browser that continued from it can finish the connection.

The real server on 127.0.0.1 over DynamoDB Local with the local OAuth providers (no Sign in
with Slack here, so every link is of this kind). Each `httpx.Client` is one browser with its own
cookies. Each refusal is a page that says why, with nothing stored and no platform code
exchanged.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from cloudstro.channels.http.logs import content_free
from cloudstro.ingest.oauth import BROWSER_COOKIE
from tests.support.builders import user
from tests.support.connect import ConnectStack
from tests.support.sync import ACCOUNT_IDS, NOW

pytestmark = pytest.mark.integration


def connected(stack: ConnectStack, user_id: str) -> list[str]:
    return [view.platformAccountId for view in stack.store.accounts.sync_views(user_id)]


def named_user(stack: ConnectStack, full_name: str) -> str:
    user_id = stack.new_user()
    stack.store.users.put(user(user_id, fullName=full_name, email="ana@private.example",
                               timezone="UTC"))
    return user_id


def test_the_page_names_the_profile_and_continuing_from_it_connects(
        stack: ConnectStack, caplog: pytest.LogCaptureFixture) -> None:
    user_id = named_user(stack, "Ana Makes")
    caplog.set_level(logging.DEBUG)
    with stack.client() as browser:
        link = stack.link(browser, user_id, "instagram")
        shown = browser.get(link, follow_redirects=False)
        onward = browser.post(link, follow_redirects=False)
        done = browser.get(stack.approve(browser, onward.headers["location"]))
        browser_key = browser.cookies[BROWSER_COOKIE]

    assert link.startswith(f"{stack.url}/connect/")
    assert shown.status_code == 200
    assert "Connect Instagram to CloudStro" in shown.text
    assert "the CloudStro profile of Ana Makes" in shown.text
    assert "ana@private.example" not in shown.text  # whoever holds the link reads the page
    assert ('<form method="post"><button type="submit">Continue to Instagram</button></form>'
            in shown.text)
    assert "frame-ancestors 'none'" in shown.headers["content-security-policy"]
    assert shown.headers["cache-control"] == "no-store"
    cookie = shown.headers["set-cookie"].lower()
    assert f"{BROWSER_COOKIE}=" in cookie and "httponly" in cookie
    assert "samesite=lax" in cookie and "max-age=600" in cookie
    assert onward.status_code == 303
    assert onward.headers["location"].startswith(stack.settings.instagram_authorize_url)
    assert done.status_code == 200 and "Connected" in done.text, done.text
    assert connected(stack, user_id) == [f"instagram#{ACCOUNT_IDS['instagram']}"]
    written = [content_free(logging.makeLogRecord(record.__dict__)) for record in caplog.records]
    logged = " ".join(f"{record.getMessage()} {record.exc_text or ''}" for record in written)
    for secret in (link.rsplit("/", 1)[1], browser_key):
        assert secret not in logged
        assert secret not in shown.text and secret not in done.text


def test_the_platform_page_passed_on_after_continuing_connects_nothing(stack: ConnectStack
                                                                        ) -> None:
    user_id = stack.new_user()
    with stack.client() as owner:
        authorize_url = stack.start(owner, user_id, "twitter")
    with stack.client() as someone_else:
        page = someone_else.get(stack.approve(someone_else, authorize_url))

    assert page.status_code == 400
    assert "Open the link in this browser" in page.text
    assert "only be finished in the browser that opened the CloudStro link" in page.text
    assert connected(stack, user_id) == []
    assert stack.authorizer("twitter").issued_tokens == []  # its code was never exchanged


def test_only_the_first_browser_to_continue_can_and_it_may_click_twice(stack: ConnectStack
                                                                        ) -> None:
    user_id = stack.new_user()
    with stack.client() as first, stack.client() as second:
        link = stack.link(first, user_id, "tiktok")
        authorize_url = stack.confirm(first, link)
        again = first.post(link, follow_redirects=False)  # a double click
        assert second.get(link).status_code == 200  # anyone may read the page...
        late = second.post(link, follow_redirects=False)  # ...only one browser continues
        page = first.get(stack.approve(first, authorize_url))

    assert again.status_code == 303 and again.headers["location"] == authorize_url
    assert late.status_code == 400 and "being finished in another browser" in late.text
    assert page.status_code == 200, page.text
    assert connected(stack, user_id) == [f"tiktok#{ACCOUNT_IDS['tiktok']}"]


def test_continuing_without_the_pages_cookie_is_refused_and_binds_nothing(stack: ConnectStack
                                                                          ) -> None:
    """What a form on another site posting to the link gets: its SameSite cookie stays home."""
    user_id = stack.new_user()
    with stack.client() as browser:
        link = stack.link(browser, user_id, "twitter")
    with stack.client() as elsewhere:
        refused = elsewhere.post(link, follow_redirects=False)
    with stack.client() as browser:
        page = browser.get(stack.approve(browser, stack.confirm(browser, link)))

    assert refused.status_code == 400
    assert "This browser did not open the link" in refused.text
    assert page.status_code == 200, page.text  # the link still works where it is opened
    assert connected(stack, user_id) == [f"twitter#{ACCOUNT_IDS['twitter']}"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_expired_or_unknown_link_says_so(stack: ConnectStack, method: str) -> None:
    user_id = stack.new_user()
    with stack.client() as browser:
        link = stack.link(browser, user_id, "twitter")
        browser.get(link)
        stack.clock.moment = NOW + timedelta(minutes=10)
        expired = browser.request(method, link, follow_redirects=False)
        unknown = browser.request(method, f"{stack.url}/connect/never-issued",
                                  follow_redirects=False)

    assert expired.status_code == 400 and "has expired" in expired.text
    assert unknown.status_code == 400 and "not valid or was already used" in unknown.text
    assert stack.authorizer("twitter").authorize_queries == []


def test_the_profiles_name_is_escaped_on_the_page(stack: ConnectStack) -> None:
    user_id = named_user(stack, '<img src=x onerror="alert(1)">')
    with stack.client() as browser:
        shown = browser.get(stack.link(browser, user_id, "twitter"))

    assert shown.status_code == 200
    assert "<img" not in shown.text
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in shown.text
