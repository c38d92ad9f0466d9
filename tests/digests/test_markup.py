"""A digest quotes posts, handles and stored insights as text: no ping, mention or foreign link.

Each case gives one user posts whose text carries one of the strings that Slack would turn into
a ping, a mention or a link, and whose `url` is junk (`!channel`, `@U…`, `javascript:`, another
host) or a valid permalink; the account's handle and a stored insight carry the string too. The
scheduled run sends the digest to the mock Web API, and the checks read what it received (moto).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk import WebClient

from cloudstro.digests.runner import run_due
from cloudstro.store import Store
from cloudstro.store.records import SocialPost
from tests.slack.markup_checks import EVIL_TEXTS, EVIL_URLS, assert_no_markup_in_message
from tests.support.builders import add_account, add_user, insight, post_data
from tests.support.constants import NOW
from tests.support.mock_slack import MockSlack

WEEK_START = NOW - timedelta(days=8)  # inside the weekly period Mon 16 Nov to Mon 23 Nov 09:00
PERMALINK = "https://twitter.com/mallory/status/1790000000000000007"
CASES = list(zip(EVIL_TEXTS, (*EVIL_URLS, PERMALINK, PERMALINK), strict=True))


def _posts(store: Store, user_id: str, text: str, url: str, count: int = 6) -> None:
    store.posts.put_many([SocialPost.model_validate(post_data(
        user_id, "twitter", f"1790000000000000{index:03d}",
        (WEEK_START + timedelta(hours=1 + 9 * index)).isoformat(),
        content=f"Launch day {index} {text} thanks", url=url,
        engagement={"likes": 10 + 7 * index, "shares": index, "comments": 2, "views": 500},
        fetchedAt=(WEEK_START + timedelta(days=3)).isoformat()))
        for index in range(count)])


@pytest.mark.parametrize(("text", "url"), CASES)
def test_digest_quotes_data_without_pings_mentions_or_foreign_links(
        moto_store: Store, slack: MockSlack, client: WebClient, text: str, url: str) -> None:
    add_user(moto_store, "m1", slack_user="U0MALLORY")
    add_account(moto_store, "m1", "twitter", accountHandle=f"@mallory {text}",
                syncStatus="error", lastSyncAt="2026-11-20T08:00:00Z")
    _posts(moto_store, "m1", text, url)
    moto_store.insights.put(insight("m1", "engagement_trend", generated_at=NOW - timedelta(days=1),
                                    valid_until="2026-12-30T00:00:00Z",
                                    recommendation=f"Post more like {text}"))

    report = run_due(moto_store, client, NOW)
    assert [o.status for o in report.outcomes] == ["sent"]
    [message] = slack.calls_to("chat.postMessage", channel="U0MALLORY")
    shown = assert_no_markup_in_message(message.params)

    assert shown.count("Launch day") == 4  # the top three and the weakest post, all quoted
    assert "@mallory" in shown and "Post more like" in shown
    readable = shown.replace("&lt;", "<").replace("&gt;", ">").replace("`", "")
    assert f"Launch day 0 {text} thanks" in readable  # it reads as the post was written
    if url == PERMALINK:
        assert shown.count(f"<{PERMALINK}|Twitter/X>") == 4
    else:  # the junk URL is dropped: the platform's name stands alone, not as a link
        assert shown.count("\nTwitter/X · ") + shown.startswith("Twitter/X · ") == 4
