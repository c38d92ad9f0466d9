"""Cold start of each Lambda handler: import time, then the first request, in fresh processes.

A Lambda container pays its imports once, on the first request, inside Slack's 3-second
window for the Slack function. Two measures per handler, each in a new Python process:

- import: `python -X importtime -c "import <module>"`, the module's cumulative time as the
  interpreter reports it (its own imports included, interpreter start-up excluded);
- first request: process start to the first answer, in one process: import, build (the
  handler's own cold-start work: settings, store, app), answer one request. DynamoDB is moto
  in process (set up before the clock starts, so boto3's import is not counted there), Slack's
  Web API is the test suite's local mock (bolt calls auth.test on its first request), and the
  lazy re-invocation of the Slack function is recorded instead of sent.

Medians over `--runs` processes (default 5). Figures depend on machine load; the load average
is printed beside them. Usage: .venv/bin/python benchmarks/bench_cold_start.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

HANDLERS = {
    "slack": "cloudstro.channels.slack.lambda_handler",
    "http (web adapter)": "cloudstro.channels.http.web_adapter",
    "http (Mangum)": "cloudstro.channels.http.lambda_handler",
    "batch": "cloudstro.batch.lambda_handler",
}
HEAVY = ("langgraph", "langchain_aws", "langchain_core", "fastapi", "boto3")

COMMON_ENV = {"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "bench",
              "AWS_SECRET_ACCESS_KEY": "bench", "CLOUDSTRO_LLM": "offline",
              "SLACK_SIGNING_SECRET": "bench-signing-secret", "SLACK_BOT_TOKEN": "xoxb-bench",
              "CLOUDSTRO_AUTH_SECRET": "b" * 40, "CLOUDSTRO_DATA_DIR": "/tmp/cloudstro-bench"}

# Each first-request script prints "<seconds from process start to answer> <status>".
SETUP = textwrap.dedent("""
    import time
    start = time.perf_counter()
    from moto import mock_aws
    mock = mock_aws(); mock.start()
    import boto3
    from cloudstro.config import get_settings
    from cloudstro.store.dynamo import Dynamo
    from cloudstro.store.tables import create_tables
    create_tables(Dynamo(get_settings(), endpoint_url=None, use_local=False))
    setup = time.perf_counter() - start  # moto and tables: not part of a Lambda cold start
    start = time.perf_counter()
    cpu_start = time.process_time()
""")
FIRST_REQUEST = {
    "slack": SETUP.replace("import boto3", textwrap.dedent("""
        import os
        from tests.support.mock_slack import MockSlack
        slack = MockSlack().__enter__()  # bolt's auth.test on the first request goes here
        os.environ["SLACK_API_URL"] = slack.base_url
        import boto3""").strip()) + textwrap.dedent("""
        import hashlib, hmac, json
        body = json.dumps({"type": "event_callback", "team_id": "T1", "event_id": "Ev1",
                           "event": {"type": "app_mention", "user": "U1", "channel": "C1",
                                     "text": "<@UBOT> hi", "ts": "1.0"}})
        stamp = str(int(time.time()))
        signature = "v0=" + hmac.new(b"bench-signing-secret", f"v0:{stamp}:{body}".encode(),
                                     hashlib.sha256).hexdigest()
        event = {"version": "2.0", "rawPath": "/slack/events", "body": body,
                 "isBase64Encoded": False,
                 "headers": {"content-type": "application/json",
                             "x-slack-request-timestamp": stamp, "x-slack-signature": signature},
                 "requestContext": {"http": {"method": "POST", "path": "/slack/events"}}}
        class Context:
            aws_request_id = "bench"
            invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
            function_name = "bench"
        from cloudstro.channels.slack import lambda_handler as module
        class Recorder:
            calls = []
            def invoke(self, **kwargs): self.calls.append(kwargs); return {"StatusCode": 202}
        real_build = module.build_handler
        def build(*args, **kwargs):
            handler = real_build(*args, **kwargs)
            handler.app.listener_runner.lazy_listener_runner.lambda_client = Recorder()
            return handler
        module.build_handler = build
        response = module.handler(event, Context())
        print(time.perf_counter() - start, time.process_time() - cpu_start,
              response["statusCode"], len(Recorder.calls))
    """),
    "http (web adapter)": SETUP + textwrap.dedent("""
        from starlette.testclient import TestClient
        from cloudstro.channels.app import create_app
        from cloudstro.channels.http.auth import resolve_secret
        settings = get_settings()
        from cloudstro.store import Store
        store = Store(settings=settings)
        app = create_app(settings, store, auth_secret=resolve_secret(
            settings, store_is_local=False, host="127.0.0.1"))
        response = TestClient(app).get("/healthz")
        print(time.perf_counter() - start, time.process_time() - cpu_start,
              response.status_code, 0)
    """),
    "batch": SETUP + textwrap.dedent("""
        from cloudstro.batch import lambda_handler
        answer = lambda_handler.work({"Records": [{"messageId": "m1", "body":
            '{"job": "insights", "userId": "nobody", "scheduledAt": "2026-11-24T12:00:00Z"}'}]})
        print(time.perf_counter() - start, time.process_time() - cpu_start, 200,
              len(answer["batchItemFailures"]))
    """),
}


def import_seconds(module: str) -> tuple[float, list[str]]:
    done = subprocess.run([PYTHON, "-X", "importtime", "-c", f"import {module}"],
                          capture_output=True, text=True, cwd=ROOT, env=_env(), check=True)
    cumulative = 0
    loaded = set()
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|(\s*)(\S+)", line)
        if not match:
            continue
        loaded.add(match.group(3).split(".")[0])
        if match.group(3) == module:
            cumulative = int(match.group(1))
    return cumulative / 1e6, sorted(set(HEAVY) & loaded)


def import_cpu_seconds(module: str) -> float:
    """CPU time of the import alone: steadier than wall time when the machine is busy."""
    script = (f"import time; start = time.process_time(); import {module}; "
              "print(time.process_time() - start)")
    done = subprocess.run([PYTHON, "-c", script], capture_output=True, text=True, cwd=ROOT,
                          env=_env(), check=True)
    return float(done.stdout.split()[-1])


def first_request(name: str) -> tuple[float, float, str]:
    done = subprocess.run([PYTHON, "-c", FIRST_REQUEST[name]], capture_output=True, text=True,
                          cwd=ROOT, env=_env(), check=True)
    seconds, cpu, status, extra = done.stdout.split()[-4:]
    return float(seconds), float(cpu), f"{status} ({extra})"


def _env() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("AWS_", "DYNAMODB_", "CLOUDSTRO_", "SLACK_", "BEDROCK_"))}
    return {**keep, **COMMON_ENV}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"median of {args.runs} processes\n")
    print("| handler | import (s) | import CPU (s) | heavy modules loaded at import | "
          "first request (s) | first request CPU (s) | answer (lazy invocations) |")
    print("|---|---|---|---|---|---|---|")
    for name, module in HANDLERS.items():
        imports = [import_seconds(module) for _ in range(args.runs)]
        import_cpu = statistics.median(import_cpu_seconds(module) for _ in range(args.runs))
        heavy = imports[-1][1]
        wall = cpu = "n/a"
        answer = ""
        if name in FIRST_REQUEST:
            firsts = [first_request(name) for _ in range(args.runs)]
            wall = f"{statistics.median(f[0] for f in firsts):.2f}"
            cpu = f"{statistics.median(f[1] for f in firsts):.2f}"
            answer = firsts[-1][2]
        print(f"| {name} | {statistics.median(s for s, _ in imports):.2f} | {import_cpu:.2f} | "
              f"{', '.join(heavy) or 'none'} | {wall} | {cpu} | {answer} |")
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
