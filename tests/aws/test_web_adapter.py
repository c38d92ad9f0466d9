"""The API as the Lambda Web Adapter runs it: credentials from the secret, a real server.

On Lambda the adapter forwards each Function URL request to this server and streams what it
writes; here the same server (built by `web_adapter.build_server`, on a free loopback port)
answers over HTTP with DynamoDB and Secrets Manager on moto.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import httpx
import pytest
from moto import mock_aws

from cloudstro.channels.http.auth import AuthNotConfigured, SigningSecret, issue_token
from cloudstro.channels.http.web_adapter import build_server
from cloudstro.config import get_settings
from cloudstro.store import Store
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.tables import create_tables
from tests.support.builders import add_posts, add_user
from tests.support.constants import NOW
from tests.support.http_api import parse_sse
from tests.support.servers import free_port

AUTH_SECRET = "s" * 48


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, restore_logging: None) -> Iterator[Store]:
    """DynamoDB and Secrets Manager on moto; the server's process-wide logging undone after."""
    with mock_aws():
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        monkeypatch.setenv("CLOUDSTRO_LLM", "offline")
        get_settings.cache_clear()
        store = Store(Dynamo(get_settings(), endpoint_url=None, use_local=False), get_settings())
        create_tables(store.dynamo)
        yield store
    for name in ("CLOUDSTRO_AUTH_SECRET", "SLACK_BOT_TOKEN"):  # set by the secret's loading
        os.environ.pop(name, None)
    get_settings.cache_clear()


def put_secret(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    client = boto3.client("secretsmanager", region_name="us-east-1")
    arn = client.create_secret(Name="cloudstro/test/app", SecretString=json.dumps(values))["ARN"]
    monkeypatch.setenv("CLOUDSTRO_SECRET_ARN", arn)
    monkeypatch.delenv("CLOUDSTRO_AUTH_SECRET", raising=False)
    get_settings.cache_clear()


def serve(port: int) -> Any:
    server = build_server(port=port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    return server, thread


def test_the_adapter_server_streams_answers_signed_with_the_secret_s_auth_key(
        aws: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    add_user(aws, "owner")
    add_posts(aws, "owner", "twitter", NOW - timedelta(days=6), 10)
    put_secret(monkeypatch, {"CLOUDSTRO_AUTH_SECRET": AUTH_SECRET})
    port = free_port()
    server, thread = serve(port)
    try:
        base = f"http://127.0.0.1:{port}"
        token = issue_token(SigningSecret(AUTH_SECRET.encode(), "test"), "owner",
                            timedelta(hours=1))
        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
        refused = httpx.post(f"{base}/v1/chat/stream", json={"message": "hi"}, timeout=10)
        assert refused.status_code == 401
        chunks = []
        with httpx.stream("POST", f"{base}/v1/chat/stream", timeout=60,
                          headers={"Authorization": f"Bearer {token}"},
                          json={"message": "How did my posts do this week?"}) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            chunks = list(response.iter_text())
        events = parse_sse("".join(chunks))
        assert events and events[-1][0] == "done"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def test_without_an_auth_secret_the_adapter_server_refuses_to_start(
        aws: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    put_secret(monkeypatch, {"SLACK_BOT_TOKEN": "xoxb-only"})
    with pytest.raises(AuthNotConfigured, match="CLOUDSTRO_AUTH_SECRET"):
        build_server(port=free_port())
