"""Sending what is due: once per period, across DST, after downtime, and after a crash (moto)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient

from cloudstro.digests.runner import NO_DESTINATION, DigestScheduler, run_due
from cloudstro.store import Store
from cloudstro.store.claims import ClaimsRepository
from tests.support.builders import add_posts, add_user
from tests.support.constants import NOW
from tests.support.mock_slack import MockSlack


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def posts_to(slack: MockSlack, channel: str) -> list:
    return slack.calls_to("chat.postMessage", channel=channel)


def test_new_york_fall_back_sends_one_digest_for_the_repeated_hour(
        moto_store: Store, slack: MockSlack, client: WebClient) -> None:
    add_user(moto_store, "ny", timezone="America/New_York", slack_user="U0NY",
             cadence="daily", time="01:30")
    assert run_due(moto_store, client, at("2026-11-01T05:29")).sent[0].period \
        == "daily#2026-10-31"
    first = run_due(moto_store, client, at("2026-11-01T05:30"))  # 01:30 EDT
    again = run_due(moto_store, client, at("2026-11-01T06:31"))  # 01:31 EST, same local time
    assert [o.period for o in first.sent] == ["daily#2026-11-01"]
    assert again.sent == [] and [o.status for o in again.outcomes] == ["already_sent"]
    assert len(posts_to(slack, "U0NY")) == 2  # Oct 31 and Nov 1, nothing more


def test_spring_forward_gap_still_sends_that_day(moto_store: Store, slack: MockSlack,
                                                 client: WebClient) -> None:
    add_user(moto_store, "ny", timezone="America/New_York", slack_user="U0NY",
             cadence="daily", time="02:30")
    run_due(moto_store, client, at("2026-03-08T07:00"))  # the 7th's digest
    slack.reset()
    assert run_due(moto_store, client, at("2026-03-08T07:29")).sent == []
    report = run_due(moto_store, client, at("2026-03-08T07:30"))  # 03:30 EDT
    assert [o.period for o in report.sent] == ["daily#2026-03-08"]
    assert len(posts_to(slack, "U0NY")) == 1


def test_a_digest_missed_while_down_goes_out_late_once(moto_store: Store, slack: MockSlack,
                                                       client: WebClient) -> None:
    add_user(moto_store, "ldn", timezone="Europe/London", slack_user="U0LDN",
             cadence="weekly", dayOfWeek="Monday", time="09:00")
    # Down from Sunday to Thursday: Monday's digest goes out on Thursday, once.
    report = run_due(moto_store, client, at("2026-11-26T15:00"))
    assert [o.period for o in report.sent] == ["weekly#2026-11-23"]
    assert run_due(moto_store, client, at("2026-11-27T15:00")).sent == []
    assert len(posts_to(slack, "U0LDN")) == 1


def test_users_without_a_destination_are_skipped_with_a_reason(
        moto_store: Store, slack: MockSlack, client: WebClient) -> None:
    add_user(moto_store, "nolink")
    add_user(moto_store, "chan", slackChannel="C0DIGESTS01")
    add_user(moto_store, "off", slack_user="U0OFF", enabled=False)
    report = run_due(moto_store, client, NOW)
    assert report.users_seen == 3 and report.due == 2
    assert [(o.user_id, o.status, o.detail) for o in report.with_status("skipped")] \
        == [("nolink", "skipped", NO_DESTINATION)]
    assert [o.user_id for o in report.sent] == ["chan"]
    assert len(posts_to(slack, "C0DIGESTS01")) == 1
    assert {c.params.get("channel") for c in slack.calls_to("chat.postMessage")} \
        == {"C0DIGESTS01"}


def test_crashed_claim_is_taken_over_once_its_lease_has_passed(
        moto_store: Store, slack: MockSlack, client: WebClient) -> None:
    add_user(moto_store, "crashed", slack_user="U0CRASH")
    add_user(moto_store, "busy", slack_user="U0BUSY")
    other_run = ClaimsRepository(moto_store.dynamo, moto_store.names.runtime)
    # A run that died 20 minutes ago with a 10-minute lease, never marking it sent ...
    assert other_run.claim("DIGEST#crashed#weekly#2026-11-23", 600, now=time.time() - 1200)
    # ... and a run that is working on it right now.
    assert other_run.claim("DIGEST#busy#weekly#2026-11-23", 600)
    report = run_due(moto_store, client, NOW)
    status = {o.user_id: o.status for o in report.outcomes}
    assert status == {"crashed": "sent", "busy": "in_progress"}
    assert len(posts_to(slack, "U0CRASH")) == 1 and posts_to(slack, "U0BUSY") == []
    taken = other_run.get_claim("DIGEST#crashed#weekly#2026-11-23")
    assert taken is not None
    assert taken["done"] is True and taken["owner"] != other_run.owner
    assert taken["expiresAt"] > time.time() + 59 * 86400  # "sent" is kept ~60 days
    busy = other_run.get_claim("DIGEST#busy#weekly#2026-11-23")
    assert busy is not None and busy["done"] is False


def test_slack_failure_keeps_the_claim_until_the_lease_ends(
        moto_store: Store, slack: MockSlack, client: WebClient) -> None:
    add_user(moto_store, "fails", slack_user="U0FAIL")
    slack.fail("chat.postMessage", error="channel_not_found")
    report = run_due(moto_store, client, NOW)
    assert report.outcomes[0].status == "failed"
    assert "channel_not_found" in report.outcomes[0].detail
    # The next tick does not hammer Slack: the claim holds for its lease.
    assert run_due(moto_store, client, NOW).outcomes[0].status == "in_progress"


def test_sent_digest_carries_blocks_and_its_chart(moto_store: Store, slack: MockSlack,
                                                  client: WebClient) -> None:
    add_user(moto_store, "full", slack_user="U0FULL", timezone="Europe/Berlin")
    add_posts(moto_store, "full", "twitter", NOW - timedelta(days=20), 30,
              every=timedelta(hours=15))
    report = run_due(moto_store, client, NOW)
    assert report.sent[0].detail == ""
    message = posts_to(slack, "U0FULL")[0].params
    assert message["blocks"][0]["type"] == "header"
    assert "interactions" in message["text"]
    upload = slack.calls_to("files.getUploadURLExternal")
    assert len(upload) == 1 and upload[0].params["filename"].endswith(".png")
    assert int(upload[0].params["length"]) > 1000
    complete = slack.calls_to("files.completeUploadExternal")
    assert complete[0].params["channel_id"] == "U0FULL"


def test_scheduler_runs_in_the_background_and_stops(moto_store: Store, slack: MockSlack,
                                                    client: WebClient) -> None:
    add_user(moto_store, "sched", slack_user="U0SCHED")
    scheduler = DigestScheduler(moto_store, client, interval_seconds=0.05, clock=lambda: NOW)
    scheduler.start()
    try:
        slack.wait_for(lambda: scheduler.runs >= 3, timeout=10, what="three scheduler runs")
    finally:
        scheduler.stop()
    assert not scheduler.running
    runs = scheduler.runs
    time.sleep(0.2)
    assert scheduler.runs == runs  # stopped means stopped
    assert len(posts_to(slack, "U0SCHED")) == 1  # many ticks, one digest
    assert scheduler.failures == 0


def test_a_malformed_profile_is_reported_and_the_others_still_get_their_digest(
        moto_store: Store, slack: MockSlack, client: WebClient) -> None:
    add_user(moto_store, "fine", slack_user="U0FINE")
    add_user(moto_store, "broken", slack_user="U0BROKEN")
    table = moto_store.dynamo.table(moto_store.names.users)
    table.update_item(Key={"userId": "broken", "recordType": "USER_PROFILE"},
                      UpdateExpression="SET #tz = :bad",
                      ExpressionAttributeNames={"#tz": "timezone"},
                      ExpressionAttributeValues={":bad": "Mars/Olympus_Mons"})
    report = run_due(moto_store, client, NOW)
    assert [o.user_id for o in report.sent] == ["fine"]
    assert [(o.user_id, o.status, o.detail) for o in report.with_status("failed")] == [
        ("broken", "failed", "invalid profile (timezone)")]
    assert len(posts_to(slack, "U0FINE")) == 1 and posts_to(slack, "U0BROKEN") == []
