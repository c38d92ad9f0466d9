"""Scheduled digests for many users in one `run_due`: time, DynamoDB requests, fan-out.

Seeds N demo users (short history, so seeding stays minutes, not hours; timed separately),
gives each a weekly digest and a Slack link, then:

1. baseline: builds single digests one after another (read, compose, chart, blocks) for a
   sample of users, the work `run_due` does per user minus claims and Slack;
2. one `run_due` over every user, with bounded concurrency, against a local mock of Slack's
   Web API, metering every DynamoDB request.

Fan-out efficiency = (mean single build x digests sent) / run_due total: above 1 means the
concurrent run beats building digests one by one, despite also claiming, posting, uploading
charts and marking each sent.

Run: `.venv/bin/python benchmarks/bench_digests.py --users 250` (about 3 minutes on a busy
two-core machine, two thirds of it seeding). The default, 1,000 users, spends about 9 minutes
seeding there (~0.5 s a user) before a run_due of roughly a minute and a half.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time

from _harness import NOW, UNTIL, bench_store, heading, local_engine, markdown_table, note
from slack_sdk import WebClient

from cloudstro.digests.blocks import digest_blocks
from cloudstro.digests.chart import render_heatmap
from cloudstro.digests.content import build_digest
from cloudstro.digests.runner import run_due
from cloudstro.digests.schedule import latest_occurrence
from cloudstro.store.demo import seed_demo
from cloudstro.store.records import DigestPreferences
from tests.support.mock_slack import MockSlack

WEEKLY = DigestPreferences(enabled=True, cadence="weekly", dayOfWeek="Monday", time="09:00")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--sample", type=int, default=30, help="users in the baseline")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    with local_engine() as engine, MockSlack() as slack:
        store = bench_store(engine)
        heading(f"Seeding {args.users:,} demo users, {args.days} days each")
        started = time.perf_counter()
        report = seed_demo(store, users=args.users, days=args.days, seed=11, until=UNTIL)
        profiles = [profile for profile in store.users.iter_active()]
        store.users.put_many([p.model_copy(update={"digest": WEEKLY,
                                                   "slackUserId": f"U{index:08d}"})
                              for index, p in enumerate(profiles)])
        seed_seconds = time.perf_counter() - started
        note(f"seeded {report.counts} in {seed_seconds:.1f}s "
             f"({len(profiles):,} active users get a digest)")

        heading("Baseline: single digests built one after another")
        meter = store.dynamo.meter
        sample = profiles[: args.sample]
        times, requests = [], []
        for profile in sample:
            profile = profile.model_copy(update={"digest": WEEKLY})
            occurrence = latest_occurrence(WEEKLY, profile.zone, NOW)
            assert occurrence is not None  # WEEKLY is enabled
            before = meter.total_requests
            began = time.perf_counter()
            digest = build_digest(store, profile, occurrence, NOW)
            if digest.heatmap:
                render_heatmap(digest.heatmap)
            digest_blocks(digest)
            times.append(time.perf_counter() - began)
            requests.append(meter.total_requests - before)
        single = statistics.fmean(times)
        note(f"{len(sample)} digests: mean {single * 1000:.1f} ms, median "
             f"{statistics.median(times) * 1000:.1f} ms, {statistics.fmean(requests):.1f} "
             f"DynamoDB requests each")

        heading(f"run_due over every user ({args.workers} workers, mock Slack)")
        client = WebClient(token="xoxb-bench", base_url=slack.base_url)
        meter.reset()
        slack.reset()
        began = time.perf_counter()
        run = run_due(store, client, NOW, workers=args.workers)
        total = time.perf_counter() - began
        sent = len(run.sent)
        by_operation = meter.snapshot()["requests"]
        note(run.text())
        failed = run.with_status("failed")
        if failed:
            note(f"first failure: {failed[0]}")
        posts = len(slack.calls_to("chat.postMessage"))
        uploads = len(slack.calls_to("files.completeUploadExternal"))
        ratio = single * sent / total if total else float("nan")
        rows = [
            ["demo users seeded", f"{args.users:,}"],
            ["seeding time (s)", f"{seed_seconds:.1f}"],
            ["digests sent", f"{sent:,}"],
            ["Slack messages / chart uploads", f"{posts:,} / {uploads:,}"],
            ["run_due total (s)", f"{total:.1f}"],
            ["per digest in run_due (ms)", f"{total / max(sent, 1) * 1000:.1f}"],
            ["single build, mean (ms)", f"{single * 1000:.1f}"],
            ["single x sent (s)", f"{single * sent:.1f}"],
            ["fan-out efficiency (single x sent / total)", f"{ratio:.2f}x"],
            ["DynamoDB requests per digest", f"{meter.total_requests / max(sent, 1):.2f}"],
        ]
        print(markdown_table(["measure", "value"], rows))
        note("\nrequests by operation: " + ", ".join(f"{k} {v:,}"
                                                    for k, v in sorted(by_operation.items())))

        heading("A second run_due at the same moment (everything already sent)")
        meter.reset()
        began = time.perf_counter()
        again = run_due(store, client, NOW, workers=args.workers)
        note(f"{again.text()}; {meter.total_requests:,} DynamoDB requests "
             f"({meter.total_requests / max(len(profiles), 1):.2f} per user), "
             f"{time.perf_counter() - began:.1f}s, {len(again.sent)} sent")


if __name__ == "__main__":
    main()
