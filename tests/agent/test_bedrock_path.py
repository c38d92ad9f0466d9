"""The real ChatBedrockConverse code path, offline: botocore's Stubber answers Converse."""

from __future__ import annotations

import json
import re

import boto3
import pytest
from botocore.stub import Stubber

from cloudstro.agent.model import make_chat_model
from cloudstro.agent.service import CUT_SHORT, GUARDRAIL, Assistant
from cloudstro.tools import ALL_TOOLS
from tests.support.constants import DEMO_USER as USER
from tests.support.constants import NOW
from tests.support.settings import make_settings

USAGE = {"inputTokens": 900, "outputTokens": 40, "totalTokens": 940}


def _text(text: str, stop: str = "end_turn") -> dict:
    return {"output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": stop, "usage": USAGE, "metrics": {"latencyMs": 12}}


def _tool_use(name: str, args: dict, tool_use_id: str = "tu_1") -> dict:
    return {"output": {"message": {"role": "assistant", "content": [
        {"text": "Let me look at your data."},
        {"toolUse": {"toolUseId": tool_use_id, "name": name, "input": args}}]}},
        "stopReason": "tool_use", "usage": USAGE, "metrics": {"latencyMs": 12}}


@pytest.fixture
def bedrock(demo_store):
    client = boto3.client("bedrock-runtime", region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    requests: list[dict] = []
    client.meta.events.register(
        "before-parameter-build.bedrock-runtime.Converse",
        lambda params, **_: requests.append(json.loads(json.dumps(params, default=str))))
    stubber = Stubber(client)
    settings = make_settings(CLOUDSTRO_LLM="bedrock",
                             BEDROCK_MODEL_ID="us.anthropic.claude-sonnet-4-6")
    model = make_chat_model(settings, bedrock_client=client)
    model.disable_streaming = True
    assistant = Assistant(demo_store, settings=demo_store.settings, model=model)
    with stubber:
        yield assistant, stubber, requests
    stubber.assert_no_pending_responses()


def test_tool_use_then_tool_result_then_final_answer(bedrock):
    assistant, stubber, requests = bedrock
    stubber.add_response("converse", _tool_use("get_performance_summary", {"days": 7}))
    stubber.add_response("converse", _text("You published 9 posts this week."))
    reply = assistant.respond(USER, None, "How did I do this week?", now=NOW)

    assert reply.reply == "You published 9 posts this week."
    assert [(c.name, c.args) for c in reply.tool_calls] == [("get_performance_summary",
                                                             {"days": 7})]
    assert len(requests) == 2
    second = requests[1]["messages"]
    results = [block["toolResult"] for message in second for block in message["content"]
               if "toolResult" in block]
    assert results and results[0]["toolUseId"] == "tu_1"
    payload = json.loads(results[0]["content"][0]["text"])
    assert payload["period"] == "last 7 days (2026-11-17 to 2026-11-24)"
    assert "engagement_rate_denominator" in json.dumps(payload)


def test_request_caches_system_prompt_and_tools_and_exposes_no_user_id(bedrock):
    assistant, stubber, requests = bedrock
    stubber.add_response("converse", _text("Hello."))
    assistant.respond(USER, None, "hi", now=NOW)

    request = requests[0]
    assert request["modelId"] == "us.anthropic.claude-sonnet-4-6"
    assert {"cachePoint": {"type": "default"}} in request["system"]
    assert "CloudStro" in request["system"][0]["text"]
    tools = request["toolConfig"]["tools"]
    assert tools[-1] == {"cachePoint": {"type": "default"}}
    specs = [tool["toolSpec"] for tool in tools if "toolSpec" in tool]
    assert {spec["name"] for spec in specs} == {tool.name for tool in ALL_TOOLS}
    for spec in specs:
        properties = spec["inputSchema"]["json"].get("properties", {})
        assert not [name for name in properties if re.search(r"user|owner|account_?id", name,
                                                              re.IGNORECASE)], spec["name"]
        assert "runtime" not in properties


def test_throttling_is_retried_with_backoff(bedrock, monkeypatch):
    assistant, stubber, requests = bedrock
    monkeypatch.setattr("time.sleep", lambda _seconds: None)
    stubber.add_client_error("converse", service_error_code="ThrottlingException",
                             service_message="Too many requests", http_status_code=429)
    stubber.add_response("converse", _text("Here is your answer."))
    reply = assistant.respond(USER, None, "show my profile", now=NOW)
    assert reply.reply == "Here is your answer."
    assert not reply.failed
    assert len(requests) == 2


def test_persistent_throttling_ends_in_an_apology_not_an_exception(bedrock, monkeypatch):
    assistant, stubber, _ = bedrock
    monkeypatch.setattr("time.sleep", lambda _seconds: None)
    for _ in range(5):  # the first try and four retries
        stubber.add_client_error("converse", service_error_code="ThrottlingException",
                                 http_status_code=429)
    reply = assistant.respond(USER, None, "show my profile", now=NOW)
    assert reply.failed
    assert "try again" in reply.reply
    assert "Throttling" not in reply.reply


def test_max_tokens_stop_reason_is_explained(bedrock):
    assistant, stubber, _ = bedrock
    stubber.add_response("converse", _text("Your best posts were", stop="max_tokens"))
    reply = assistant.respond(USER, None, "top posts?", now=NOW)
    assert reply.reply == "Your best posts were" + CUT_SHORT


def test_guardrail_stop_reason_gives_a_clear_refusal(bedrock):
    assistant, stubber, _ = bedrock
    stubber.add_response("converse", _text("", stop="guardrail_intervened"))
    reply = assistant.respond(USER, None, "something disallowed", now=NOW)
    assert reply.reply == GUARDRAIL


def test_a_validation_error_is_not_retried(bedrock):
    assistant, stubber, requests = bedrock
    stubber.add_client_error("converse", service_error_code="ValidationException",
                             service_message="bad request", http_status_code=400)
    reply = assistant.respond(USER, None, "show my profile", now=NOW)
    assert reply.failed and len(requests) == 1
