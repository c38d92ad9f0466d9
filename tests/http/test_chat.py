"""Chat, streaming, thread continuation and history through the live server."""

from __future__ import annotations

import json
import logging

import pytest

from tests.support.http_api import USERS, ApiStack, access_records, auth, parse_sse, token_for

pytestmark = pytest.mark.integration

ALICE, BOB = USERS[0], USERS[1]


def test_chat_starts_a_thread_and_answers_from_the_users_data(api: ApiStack) -> None:
    with api.client() as client:
        response = client.post("/v1/chat", json={"message": "How did I do this week?"},
                               headers=auth(ALICE))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"threadId", "reply", "toolCalls", "failed"}
    assert body["threadId"] and body["reply"].strip()
    assert body["failed"] is False
    assert body["toolCalls"], "a performance question reads the user's data through a tool"
    assert all(set(call) == {"name", "args"} for call in body["toolCalls"])
    assert response.headers["x-request-id"]


def test_second_message_continues_the_thread(api: ApiStack) -> None:
    with api.client() as client:
        first = client.post("/v1/chat", json={"message": "How did I do this week?"},
                            headers=auth(ALICE)).json()
        second = client.post("/v1/chat", json={"message": "When should I post on Instagram?",
                                               "threadId": first["threadId"]},
                             headers=auth(ALICE)).json()
        history = client.get(f"/v1/threads/{first['threadId']}", headers=auth(ALICE))
    assert second["threadId"] == first["threadId"]
    assert history.status_code == 200
    turns = history.json()["messages"]
    asked = [turn["text"] for turn in turns if turn["role"] == "user"]
    assert asked == ["How did I do this week?", "When should I post on Instagram?"]
    answers = [turn["text"] for turn in turns if turn["role"] == "assistant" and turn["text"]]
    assert answers[-1] == second["reply"]


def test_a_client_chosen_thread_id_is_used(api: ApiStack) -> None:
    with api.client() as client:
        body = client.post("/v1/chat", json={"message": "Show my insights",
                                             "threadId": "client:thread-1.a_b"},
                           headers=auth(ALICE)).json()
        history = client.get("/v1/threads/client:thread-1.a_b", headers=auth(ALICE))
    assert body["threadId"] == "client:thread-1.a_b"
    assert history.json()["messages"][0] == {"role": "user", "text": "Show my insights",
                                             "toolCalls": None}


def test_stream_sends_deltas_tool_events_and_done(api: ApiStack) -> None:
    with api.client() as client, client.stream(
            "POST", "/v1/chat/stream", json={"message": "Which hashtags work for me?"},
            headers=auth(BOB)) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(response.read().decode())
    names = [name for name, _ in events]
    assert names[-1] == "done" and names.count("done") == 1
    assert "delta" in names and "tool" in names
    tools = [data for name, data in events if name == "tool"]
    assert {tool["phase"] for tool in tools} == {"start", "end"}
    done = events[-1][1]
    text = "".join(data["text"] for name, data in events if name == "delta")
    assert text.strip() == done["reply"].strip()
    assert done["threadId"] == response.headers["x-thread-id"]
    assert [call["name"] for call in done["toolCalls"]] == [
        tool["name"] for tool in tools if tool["phase"] == "start"]
    with api.client() as client:
        history = client.get(f"/v1/threads/{done['threadId']}", headers=auth(BOB)).json()
    assert history["messages"][0]["text"] == "Which hashtags work for me?"


def test_stream_continues_an_existing_thread(api: ApiStack) -> None:
    with api.client() as client:
        first = client.post("/v1/chat", json={"message": "How did I do this week?"},
                            headers=auth(BOB)).json()
        response = client.post("/v1/chat/stream", headers=auth(BOB), json={
            "message": "Show my insights", "threadId": first["threadId"]})
        history = client.get(f"/v1/threads/{first['threadId']}", headers=auth(BOB)).json()
    done = parse_sse(response.text)[-1]
    assert done[0] == "done" and done[1]["threadId"] == first["threadId"]
    assert [t["text"] for t in history["messages"] if t["role"] == "user"] == [
        "How did I do this week?", "Show my insights"]


def test_unknown_thread_is_404_with_the_error_shape(api: ApiStack) -> None:
    with api.client() as client:
        response = client.get("/v1/threads/never-started", headers=auth(ALICE))
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "thread_not_found"
    assert error["requestId"] == response.headers["x-request-id"]


def test_another_users_thread_is_not_found_and_not_touched(api: ApiStack) -> None:
    with api.client() as client:
        mine = client.post("/v1/chat", json={"message": "Remember that video beats images"},
                           headers=auth(ALICE)).json()
        thread = mine["threadId"]
        peek = client.get(f"/v1/threads/{thread}", headers=auth(BOB))
        # Bob writing to "Alice's" thread id lands in a thread of his own...
        bob = client.post("/v1/chat", json={"message": "Show my insights", "threadId": thread},
                          headers=auth(BOB))
        alice_after = client.get(f"/v1/threads/{thread}", headers=auth(ALICE)).json()
        bob_after = client.get(f"/v1/threads/{thread}", headers=auth(BOB)).json()
    assert peek.status_code == 404
    assert peek.json()["error"]["code"] == "thread_not_found"
    assert bob.status_code == 200
    # ...and neither conversation sees the other's words.
    assert [t["text"] for t in alice_after["messages"] if t["role"] == "user"] == [
        "Remember that video beats images"]
    assert [t["text"] for t in bob_after["messages"] if t["role"] == "user"] == [
        "Show my insights"]


def test_request_id_is_echoed_and_logs_carry_no_message_or_token(
        api: ApiStack, caplog: pytest.LogCaptureFixture) -> None:
    from cloudstro.channels.http.logs import JsonFormatter

    secret_words = "my secret launch plan for next week"
    token = token_for(ALICE)
    with caplog.at_level(logging.INFO), api.client() as client:
        response = client.post("/v1/chat", json={"message": secret_words},
                               headers={"Authorization": f"Bearer {token}",
                                        "X-Request-ID": "req-12345"})
        access = access_records(lambda: caplog.records, "/v1/chat")
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-12345"
    assert len(access) == 1, "every request writes one access line"
    formatter = JsonFormatter()
    line = json.loads(formatter.format(access[-1]))
    assert {"method", "path", "status", "durationMs"} <= set(line)
    assert line["status"] == 200 and line["method"] == "POST"
    everything = "\n".join(formatter.format(r) for r in caplog.records)
    assert secret_words not in everything
    assert token not in everything and token.split(".")[2] not in everything


def test_access_log_names_the_user_and_request(api: ApiStack,
                                               caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO), api.client() as client:
        client.get("/v1/threads/nope", headers={**auth(BOB), "X-Request-ID": "req-777"})
        client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
        [thread_record] = access_records(lambda: caplog.records, "/v1/threads/nope")
        [health_record] = access_records(lambda: caplog.records, "/healthz")
    # The access log passes its line as `extra={"fields": ...}`, an attribute LogRecord's type
    # does not declare.
    thread_line = vars(thread_record)["fields"]
    assert thread_line["requestId"] == "req-777" and thread_line["userId"] == BOB
    assert thread_line["status"] == 404
    health_line = vars(health_record)["fields"]
    assert health_line["userId"] is None
    assert len(health_line["requestId"]) == 32, "an unusable X-Request-ID is replaced"


def test_health_and_docs(api: ApiStack) -> None:
    with api.client() as client:
        health = client.get("/healthz")
        schema = client.get("/openapi.json")
        docs = client.get("/docs")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    paths = schema.json()["paths"]
    assert {"/v1/chat", "/v1/chat/stream", "/v1/threads/{thread_id}", "/healthz"} <= set(paths)
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_unknown_path_and_method_use_the_error_shape(api: ApiStack) -> None:
    with api.client() as client:
        missing = client.get("/v2/nothing")
        wrong_method = client.get("/v1/chat", headers=auth(ALICE))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"
