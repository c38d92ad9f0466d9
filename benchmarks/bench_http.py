"""HTTP API overhead: /v1/chat through uvicorn vs Assistant.respond in-process, same run.

Starts its own DynamoDB Local (in memory, free loopback port), seeds demo data, runs the API
with uvicorn in a subprocess (so its memory can be read from /proc), and measures with the
offline model: turns/s and latency percentiles at 1, 10 and 50 concurrent clients for both
paths, the throughput ratio (goal >= 0.8), and the server's RSS after 1,000 turns vs after
10 (goal <= 1.1x). Prints a Markdown table.

    .venv/bin/python benchmarks/bench_http.py [--turns 200] [--levels 1,10,50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _harness import free_port  # noqa: E402

from cloudstro.agent.service import Assistant  # noqa: E402
from cloudstro.channels.http.auth import SigningSecret, issue_token  # noqa: E402
from cloudstro.config import Settings  # noqa: E402
from cloudstro.store import Store  # noqa: E402
from cloudstro.store.demo import default_until, seed_demo  # noqa: E402
from cloudstro.store.dynamo import Dynamo  # noqa: E402
from cloudstro.store.local import LocalEngine  # noqa: E402
from cloudstro.store.tables import create_tables  # noqa: E402

USERS = [f"demo_user_{index:03d}" for index in range(10)]
QUESTIONS = ["How did I do this week?", "When should I post on Instagram?",
             "Which hashtags work for me?", "Show my insights"]
SECRET = "bench-secret-" + "b" * 40


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def run_level(turn: Callable[[int], None], turns: int, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []

    def timed(index: int) -> None:
        started = time.perf_counter()
        turn(index)
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(timed, range(turns)))
    elapsed = time.perf_counter() - started
    return {"tps": turns / elapsed, "p50": percentile(latencies, 50) * 1000,
            "p95": percentile(latencies, 95) * 1000, "p99": percentile(latencies, 99) * 1000,
            "mean": statistics.fmean(latencies) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200, help="turns per level and path")
    parser.add_argument("--levels", default="1,10,50", help="concurrent clients per level")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]

    engine_dir = Path(os.environ.get("CLOUDSTRO_TEST_ENGINE_DIR", ROOT / ".cloudstro"))
    engine = LocalEngine(engine_dir, free_port())  # the installed jar is reused; data in memory
    workdir = Path(tempfile.mkdtemp(prefix="cloudstro-bench-"))
    engine.start(in_memory=True)
    server: subprocess.Popen | None = None
    try:
        prefix = f"b{uuid.uuid4().hex[:6]}-"
        env = {**{k: v for k, v in os.environ.items()
                  if not k.startswith(("AWS_", "DYNAMODB_", "CLOUDSTRO_", "BEDROCK_"))},
               "DYNAMODB_ENDPOINT_URL": engine.endpoint, "AWS_ACCESS_KEY_ID": "local",
               "AWS_SECRET_ACCESS_KEY": "local", "AWS_REGION": "us-east-1",
               "AWS_EC2_METADATA_DISABLED": "true", "CLOUDSTRO_LLM": "offline",
               "CLOUDSTRO_DATA_DIR": str(workdir), "CLOUDSTRO_AUTH_SECRET": SECRET,
               "CLOUDSTRO_RATE_LIMIT_PER_MINUTE": "1000000"}
        for table, default in (("USERS", "users"), ("SOCIAL_ACCOUNTS", "social-accounts"),
                               ("SOCIAL_POSTS", "social-posts"),
                               ("SOCIAL_ENGAGEMENT", "social-engagement"),
                               ("AI_INSIGHTS", "ai-insights"),
                               ("CHECKPOINTS", "agent-checkpoints"), ("RUNTIME", "runtime")):
            env[f"DYNAMODB_{table}_TABLE"] = f"{prefix}cloudstro-{default}"
        # Settings takes these by their environment names; its fields are of several types.
        overrides: dict[str, Any] = {k: v for k, v in env.items()
                                     if k.startswith(("DYNAMODB_", "CLOUDSTRO_"))}
        settings = Settings(_env_file=None, **overrides)
        store = Store(Dynamo(settings), settings)
        create_tables(store.dynamo)
        seeded = time.perf_counter()
        seed_demo(store, users=len(USERS), days=30, seed=5, until=default_until())
        print(f"seeded {len(USERS)} users x 30 days in {time.perf_counter() - seeded:.1f}s",
              file=sys.stderr)

        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "cloudstro.channels.app:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
             "--log-level", "warning"], cwd=ROOT, env=env)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the API server did not start")
            time.sleep(0.2)

        secret = SigningSecret(SECRET.encode())
        headers = {user: {"Authorization": f"Bearer {issue_token(secret, user, timedelta(1))}"}
                   for user in USERS}
        client = httpx.Client(base_url=url, timeout=120,
                              limits=httpx.Limits(max_connections=max(levels)))

        def http_turn(index: int) -> None:
            user = USERS[index % len(USERS)]
            response = client.post("/v1/chat", headers=headers[user],
                                   json={"message": QUESTIONS[index % len(QUESTIONS)]})
            if response.status_code != 200 or response.json()["failed"]:
                raise RuntimeError(f"turn failed: {response.status_code} {response.text}")

        assistant = Assistant(store, settings)

        def local_turn(index: int) -> None:
            reply = assistant.respond(USERS[index % len(USERS)], None,
                                      QUESTIONS[index % len(QUESTIONS)])
            if reply.failed:
                raise RuntimeError("in-process turn failed")

        run_level(http_turn, 10, 1)
        local_turn(0)
        rss_after_10 = rss_mb(server.pid)
        rows = []
        for level in levels:
            local = run_level(local_turn, args.turns, level)
            http = run_level(http_turn, args.turns, level)
            rows.append((level, local, http))
            print(f"level {level}: done", file=sys.stderr)
        served = 10 + args.turns * len(levels)
        if served < 1000:
            run_level(http_turn, 1000 - served, 10)
            served = 1000
        rss_after_1000 = rss_mb(server.pid)
        client.close()

        print(f"\n### HTTP /v1/chat vs in-process Assistant.respond (offline model, "
              f"{args.turns} turns per cell, {os.cpu_count()} CPUs)\n")
        print("| clients | in-process turns/s | HTTP turns/s | ratio | in-process p50/p95/p99 ms"
              " | HTTP p50/p95/p99 ms |")
        print("|---:|---:|---:|---:|---:|---:|")
        for level, local, http in rows:
            print(f"| {level} | {local['tps']:.1f} | {http['tps']:.1f} | "
                  f"{http['tps'] / local['tps']:.2f} | "
                  f"{local['p50']:.0f} / {local['p95']:.0f} / {local['p99']:.0f} | "
                  f"{http['p50']:.0f} / {http['p95']:.0f} / {http['p99']:.0f} |")
        print(f"\nServer RSS: {rss_after_10:.1f} MB after 10 turns, {rss_after_1000:.1f} MB "
              f"after {served} turns (x{rss_after_1000 / rss_after_10:.2f}; goal <= 1.1)")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
        engine.stop()


if __name__ == "__main__":
    main()
