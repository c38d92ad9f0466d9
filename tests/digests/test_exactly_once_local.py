"""Two run-due processes at once on DynamoDB Local: every due user gets exactly one digest."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from slack_sdk import WebClient

from cloudstro.config import Settings
from cloudstro.digests.runner import RunReport, run_due
from cloudstro.store import Store
from cloudstro.store.dynamo import Dynamo
from tests.support.builders import add_posts, add_user
from tests.support.constants import NOW
from tests.support.mock_slack import MockSlack

pytestmark = pytest.mark.integration
USERS = 10


def test_two_concurrent_runners_send_each_digest_once(
        local_store: Store, local_settings: Settings, slack: MockSlack) -> None:
    zones = ("America/New_York", "Europe/London", "Asia/Tokyo", "UTC", "Australia/Sydney")
    for index in range(USERS):
        user_id = f"race_{index:02d}"
        add_user(local_store, user_id, timezone=zones[index % len(zones)],
                 slack_user=f"U0RACE{index:02d}", cadence="daily", time="08:00")
        if index % 2:
            add_posts(local_store, user_id, "twitter", NOW - timedelta(days=3), 6,
                      every=timedelta(hours=9))
    add_user(local_store, "race_nolink", cadence="daily")  # skipped by both runners

    start = threading.Barrier(2)
    reports: list[RunReport] = []

    def runner() -> None:
        store = Store(Dynamo(local_settings), local_settings)  # its own connection and claims
        client = WebClient(token="xoxb-test-token", base_url=slack.base_url)
        start.wait()
        reports.append(run_due(store, client, NOW, workers=3))

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(reports) == 2

    delivered = Counter(call.params["channel"] for call in slack.calls_to("chat.postMessage"))
    assert delivered == Counter({f"U0RACE{index:02d}": 1 for index in range(USERS)})
    sent = [o.user_id for report in reports for o in report.sent]
    assert sorted(sent) == [f"race_{index:02d}" for index in range(USERS)]
    others = Counter(o.status for report in reports for o in report.outcomes
                     if o.status != "sent")
    # The slower runner saw each digest as sent, being sent, or lost the claim race.
    assert set(others) <= {"already_sent", "in_progress", "lost_race", "skipped"}
    assert others["skipped"] == 2  # race_nolink, once per runner
    # Charts went with the users who have posts, one each.
    assert len(slack.calls_to("files.completeUploadExternal")) == USERS // 2

    # A third run later finds everything done and sends nothing.
    third = run_due(local_store, WebClient(token="xoxb-test-token", base_url=slack.base_url),
                    NOW + timedelta(minutes=5))
    assert third.sent == [] and third.counts.get("already_sent") == USERS
