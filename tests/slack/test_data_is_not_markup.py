"""Posts that try to ping, mention or phish reach Slack as text, on every path an answer takes.

A user whose posts carry `<!channel>`, `<@U…>`, `<url|label>`, Markdown links and junk URLs asks
the Slack app about their posts. The model here does what a real one does with a tool result: it
quotes each post and links it with the URL the tool returned. The answer goes through the real
stack (signed request to uvicorn, bolt, the agent on DynamoDB Local, the mock Web API), and the
checks read what the mock received: a streamed DM answer and a mention answered as mrkdwn form no
mention, ping or link, while the one valid platform permalink is still a link.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from cloudstro.store.records import SocialPost
from tests.slack.markup_checks import (
    EVIL_TEXTS,
    EVIL_URLS,
    assert_no_markup_in_message,
    markdown_markup,
)
from tests.support.builders import post_data, user
from tests.support.slack import (
    NOW,
    Served,
    SpyAssistant,
    World,
    dm,
    mention,
    new_channel,
    post_event,
    real_assistant,
    serve,
    wait_quiet,
)

pytestmark = pytest.mark.integration

MALLORY = "U0MALLORY"
MALLORY_ID = "mallory_user"
PERMALINK = "https://x.com/mallory/status/1790000000000000007"
URLS = (*EVIL_URLS, PERMALINK, PERMALINK)  # one per post; the last two are valid
ANSWER_WAIT = 30.0
PIECE = 7  # characters per streamed chunk: tokens and links arrive split


class QuotingModel(BaseChatModel):
    """Asks for the top and weakest posts, then quotes each with a link to it."""

    @property
    def _llm_type(self) -> str:
        return "quoting"

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self

    def _reply(self, messages: list[BaseMessage]) -> AIMessage:
        if isinstance(messages[-1], ToolMessage):
            result = json.loads(str(messages[-1].content))
            posts = result["top"] + result["bottom"]
            lines = [f'- "{p["content"]}" [open]({p["url"]})' for p in posts]
            return AIMessage(content="Your posts this month:\n" + "\n".join(lines))
        return AIMessage(content="", tool_calls=[{
            "name": "get_top_posts", "args": {"days": 30, "count": 10}, "id": "quote_1",
            "type": "tool_call"}])

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._reply(messages))])

    def _stream(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        reply = self._reply(messages)
        if reply.tool_calls:
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=[
                {"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": 0,
                 "type": "tool_call_chunk"} for c in reply.tool_calls]))
            return
        text = str(reply.content)
        for start in range(0, len(text), PIECE):
            piece = text[start:start + PIECE]
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk


@pytest.fixture(scope="module")
def mallory(slack_world: World) -> World:
    """A linked-by-email user whose eight posts of the last month carry the strings."""
    store = slack_world.store
    store.users.put(user(MALLORY_ID, email="mallory@example.com"))
    store.posts.put_many([SocialPost.model_validate(post_data(
        MALLORY_ID, "twitter", f"17900000000000000{index:02d}",
        (NOW - timedelta(days=2, hours=index * 5)).isoformat(), content=text, url=url,
        engagement={"likes": 10 + 9 * index, "shares": index, "comments": 1, "views": 900}))
        for index, (text, url) in enumerate(zip(EVIL_TEXTS, URLS, strict=True))])
    slack_world.slack.add_user(MALLORY, "mallory@example.com")
    return slack_world


@pytest.fixture
def quoting(mallory: World) -> Iterator[Served]:
    with serve(mallory, SpyAssistant(real_assistant(mallory, model=QuotingModel()))) as running:
        yield running


def _one_answer(world: World, channel: str) -> dict[str, Any]:
    world.slack.wait_for(lambda: bool(world.slack.answers(channel)), ANSWER_WAIT, "the answer")
    wait_quiet(world.slack)
    answers = world.slack.answers(channel)
    assert len(answers) == 1
    return answers[0]


def test_streamed_dm_answer_quotes_posts_without_pinging_or_linking(quoting, mallory):
    channel = new_channel()
    post_event(quoting.url, dm(channel, "Which of my posts did best?", user=MALLORY))
    answer = _one_answer(mallory, channel)
    assert answer["kind"] == "stream"
    text = answer["text"]
    assert markdown_markup(text) == []
    # Every post was quoted, readably: the words are there, the markup is not.
    for word in ("!channel", "!everyone", "!here", "@U0CAROL", "#C0GENERAL", "click here",
                 "support", "Verify account", "evil.example/phish", "javascript:alert(1)",
                 "!subteam^S123"):
        assert word in text, word
    assert f"[open]({PERMALINK})" in text  # the platform's own permalink is still a link


def test_mention_answer_in_mrkdwn_quotes_posts_without_pinging_or_linking(quoting, mallory):
    channel = new_channel("C")
    post_event(quoting.url, mention(channel, "Which of my posts did best?", user=MALLORY))
    _one_answer(mallory, channel)
    posts = [c.params for c in mallory.slack.calls_to("chat.postMessage", channel=channel)]
    text = "\n".join(assert_no_markup_in_message(params) for params in posts)
    for word in ("!channel", "!everyone", "!here", "@U0CAROL", "#C0GENERAL", "click here",
                 "Verify account", "evil.example/phish", "javascript:alert(1)"):
        assert word in text, word
    assert f"<{PERMALINK}|open>" in text
