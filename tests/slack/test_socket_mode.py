"""`cloudstro slack` end to end over Socket Mode, offline.

The app is the one the command runs (`SocketModeApp`, bolt's built-in Socket Mode client): it
asks the mock Web API (at SLACK_API_URL) for a connection with the app-level token, connects
to the websocket URL it gets back, and answers events pushed down that socket through the mock
Web API, with the agent's offline model on DynamoDB Local demo data.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from cloudstro.channels.slack.socket_mode import SocketModeApp
from cloudstro.config import Settings
from tests.support.mock_socket import MockSocketMode
from tests.support.slack import SpyAssistant, World, dm, new_channel, real_assistant, wait_quiet

pytestmark = pytest.mark.integration

APP_TOKEN = "xapp-1-A0CLOUDSTRO-test"
ANSWER_WAIT = 30.0
ACK_LIMIT = 3.0  # Slack's acknowledgement deadline


@dataclass
class Connected:
    running: SocketModeApp
    socket: MockSocketMode
    assistant: SpyAssistant


@pytest.fixture
def socket_mode(slack_world: World) -> Iterator[Connected]:
    # No signing secret: over Socket Mode the connection itself is authenticated.
    settings = slack_world.settings.model_copy(update={
        "slack_app_token": SecretStr(APP_TOKEN), "slack_signing_secret": None})
    spy = SpyAssistant(real_assistant(slack_world, settings))
    with MockSocketMode() as socket:
        slack_world.slack.socket_mode = socket
        running = SocketModeApp(slack_world.store, spy, settings)
        try:
            running.connect()
            socket.wait_connected(5.0)
            yield Connected(running, socket, spy)
        finally:
            running.close()
            slack_world.slack.socket_mode = None


def test_dm_over_socket_mode_is_acked_and_answered_once(socket_mode, slack_world):
    slack, socket, spy = slack_world.slack, socket_mode.socket, socket_mode.assistant

    # The connection came from apps.connections.open on SLACK_API_URL, with the app token.
    opened = slack.calls_to("apps.connections.open")
    assert [c.headers["authorization"] for c in opened] == [f"Bearer {APP_TOKEN}"]
    assert socket.tickets_used == socket.tickets_issued and len(socket.tickets_used) == 1
    assert socket_mode.running.is_connected()

    channel = new_channel()
    payload = dm(channel, "How did I do this week?")
    first = socket.send_event(payload)
    ack = socket.wait_ack(first, ACK_LIMIT)
    assert ack.at - socket.sent[first].at < ACK_LIMIT

    # Slack redelivers the same event (same event_id) in a new envelope while it is answered.
    in_flight = socket.send_event(payload, retry_attempt=1, retry_reason="timeout")
    socket.wait_ack(in_flight, ACK_LIMIT)

    slack.wait_for(lambda: slack.answers(channel), ANSWER_WAIT, "the DM answer")
    wait_quiet(slack, 1.0)
    answers = slack.answers(channel)
    assert len(answers) == 1
    assert answers[0]["kind"] == "stream"
    assert answers[0]["thread_ts"] == payload["event"]["ts"]
    assert "interactions" in answers[0]["text"]  # the performance summary from the demo data
    assert spy.turns_in(channel) == [("stream", "demo_user_000",
                                      f"slack-{channel}-{payload['event']['ts']}",
                                      "How did I do this week?")]

    # ... and once more after the answer went out: acknowledged, not answered again.
    late = socket.send_event(payload, retry_attempt=2, retry_reason="timeout")
    socket.wait_ack(late, ACK_LIMIT)
    wait_quiet(slack, 0.8)
    assert len(slack.answers(channel)) == 1
    assert len(spy.turns_in(channel)) == 1
    assert [len(socket.acks_for(e)) for e in (first, in_flight, late)] == [1, 1, 1]


def test_close_waits_for_the_answer_in_flight_then_stops_every_thread(
        socket_mode, slack_world, monkeypatch):
    running, socket, slack = socket_mode.running, socket_mode.socket, slack_world.slack
    client = running.handler.client
    socket_threads = [client.current_session_runner.thread, client.message_processor.thread,
                      client.current_app_monitor.thread]
    assert all(t.is_alive() for t in socket_threads)

    # Hold the answer at the agent until close() is under way.
    working, release = threading.Event(), threading.Event()
    stream = socket_mode.assistant.stream

    def held_stream(*args, **kwargs):
        working.set()
        release.wait(10.0)
        return stream(*args, **kwargs)

    monkeypatch.setattr(socket_mode.assistant, "stream", held_stream)
    others = _app_pool_threads()  # other tests' apps; this app's pools start on first event
    channel = new_channel()
    socket.wait_ack(socket.send_event(dm(channel, "How did I do this week?")), ACK_LIMIT)
    assert working.wait(5.0)

    closing = threading.Thread(target=running.close, name="test-close")
    closing.start()
    socket.wait_disconnected(5.0)  # the socket goes first: no new events are taken
    closing.join(2.5)
    assert closing.is_alive() and slack.answers(channel) == []  # the answer is still owed
    release.set()
    closing.join(20.0)
    assert not closing.is_alive()

    assert not running.is_connected()
    answers = slack.answers(channel)  # no waiting: close() returned after the answer went out
    assert len(answers) == 1 and "interactions" in answers[0]["text"]
    assert not any(t.is_alive() for t in socket_threads)
    assert _app_pool_threads() <= others


def _app_pool_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith(("slack-ack", "slack-answer"))}


# ---------------------------------------------------------------------- the command



def test_command_refuses_a_bot_token_as_app_token(command_line, monkeypatch):
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxb-not-an-app-token")
    result = CliRunner().invoke(command_line, ["slack"])
    assert result.exit_code == 1
    assert "not an app-level token" in result.output and "xapp-" in result.output
    assert "xoxb-not-an-app-token" not in result.output  # a token is never echoed


def test_command_names_a_refused_connection(command_line, monkeypatch, slack_world):
    """The command's Web API calls go to SLACK_API_URL; Slack's refusal becomes one clear line."""
    settings = slack_world.settings
    for name, spec in Settings.model_fields.items():
        value = getattr(settings, name)
        if spec.alias and spec.alias.startswith("DYNAMODB_") and value is not None:
            monkeypatch.setenv(spec.alias, str(value))
    monkeypatch.setenv("SLACK_BOT_TOKEN", settings.slack_bot_token.get_secret_value())
    monkeypatch.setenv("SLACK_API_URL", settings.slack_api_url)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-revoked")
    slack = slack_world.slack
    slack.fail("apps.connections.open", error="invalid_auth")
    opened_before = len(slack.calls_to("apps.connections.open"))

    result = CliRunner().invoke(command_line, ["slack"])
    assert result.exit_code == 1, result.output
    assert "Slack did not open a Socket Mode connection (invalid_auth" in result.output
    assert "xapp-1-revoked" not in result.output
    assert len(slack.calls_to("apps.connections.open")) == opened_before + 1
