"""The one URL check and the two text neutralisers, on their own (pure functions)."""

from __future__ import annotations

import pytest

from cloudstro.slackkit.safe_text import (
    MarkdownStream,
    markdown_text,
    mrkdwn_link,
    mrkdwn_text,
    permalink,
)
from tests.slack.markup_checks import EVIL_TEXTS, EVIL_URLS, markdown_markup, mrkdwn_markup

PERMALINK = "https://x.com/alice/status/1790000000000000001"


@pytest.mark.parametrize("url", [
    PERMALINK, "https://twitter.com/a/status/1", "https://www.instagram.com/p/Cabc/",
    "https://m.facebook.com/a/posts/1", "https://www.tiktok.com/@a/video/1",
    "https://www.xiaohongshu.com/explore/abc", "https://x.com/a/status/1?s=20&t=x",
])
def test_platform_permalinks_are_vouched_for(url):
    assert permalink(url) == url


@pytest.mark.parametrize("url", [
    *EVIL_URLS, None, "", "http://x.com/a/status/1", "https://x.com.evil.example/a",
    "https://evilx.com/a", "https://x.com@evil.example/a", "https://x.com:8443/a",
    "https://x.com/a|label", "https://x.com/a>", "https://x.com/a b", "https://x.com/a)",
    "https://x.com/a\n", "HTTPS://evil.example/x", "//x.com/a", "https://xn--x-com/a",
])
def test_everything_else_is_not(url):
    assert permalink(url) is None


def test_a_permalink_must_be_its_own_platforms():
    assert permalink(PERMALINK, "twitter") == PERMALINK
    assert permalink(PERMALINK, "instagram") is None
    assert permalink("https://www.instagram.com/p/C1/", "instagram") is not None


@pytest.mark.parametrize("text", EVIL_TEXTS)
def test_data_in_mrkdwn_forms_no_markup_and_still_reads(text):
    shown = mrkdwn_text(f"Great launch {text} thanks")
    assert mrkdwn_markup(shown) == []
    assert shown.startswith("Great launch ") and shown.endswith(" thanks")
    readable = shown.replace("&lt;", "<").replace("&gt;", ">").replace("`", "")
    assert readable == f"Great launch {text} thanks"


@pytest.mark.parametrize("text", EVIL_TEXTS)
def test_data_in_markdown_forms_no_markup_and_still_reads(text):
    shown = markdown_text(f"- Great launch {text} thanks")
    assert markdown_markup(shown) == []
    assert shown.startswith("- Great launch ") and shown.endswith(" thanks")
    for word in ("channel", "everyone", "here", "U0CAROL", "C0GENERAL", "evil.example"):
        assert (word in text) == (word in shown)


def test_only_vouched_urls_are_links_in_mrkdwn():
    assert mrkdwn_link(PERMALINK, "the post") == f"<{PERMALINK}|the post>"
    assert mrkdwn_link(PERMALINK + "?a=1&b=2", "a|b") == f"<{PERMALINK}?a=1&amp;b=2|a¦b>"
    for url in EVIL_URLS:
        shown = mrkdwn_link(url, "Twitter/X", show_rejected_url=False)
        assert shown == "Twitter/X"
        assert mrkdwn_markup(mrkdwn_link(url, "open")) == []
    assert mrkdwn_text(f"see {PERMALINK}.") == f"see <{PERMALINK}>."
    assert mrkdwn_text("mail x@evil.example or www.evil.example") == (
        "mail `x@evil.example` or `www.evil.example`")


def test_markdown_keeps_the_models_own_formatting_and_vouched_links():
    answer = ("## Top posts\n> a quote with **bold**\n- [the post](" + PERMALINK + ") did "
              "*well*\n```\nx = 1 < 2\n```\nsee " + PERMALINK)
    shown = markdown_text(answer)
    assert shown == answer.replace("1 < 2", "1 &lt; 2")
    assert markdown_markup(shown) == []


def test_a_lone_backtick_cannot_pair_with_the_code_span_that_hides_a_url():
    shown = markdown_text("it`s https://evil.example/x ok")
    assert markdown_markup(shown) == []
    assert "`https://evil.example/x`" in shown and shown.count("`") == 2


def test_link_definitions_and_bracket_tricks_are_broken():
    for text in ("[x]: https://evil.example/a\n[click][x]", "[a [b] c](https://evil.example/p)",
                 "![img](https://evil.example/i.png)", "<https://evil.example/a>"):
        assert markdown_markup(markdown_text(text)) == [], text


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13])
def test_streamed_pieces_give_the_same_text_as_the_whole(size):
    text = ("Your posts:\n" + "\n".join(f'- "{evil}" [open]({url})' for evil, url in
                                          zip(EVIL_TEXTS, (*EVIL_URLS, PERMALINK, PERMALINK),
                                              strict=True))
            + "\n> quoted <!here> line\n```\n<@U1> in code\n```\ndone")
    stream = MarkdownStream()
    pieces = [stream.feed(text[i:i + size]) for i in range(0, len(text), size)]
    streamed = "".join(pieces) + stream.finish()
    assert streamed == markdown_text(text)
    assert markdown_markup(streamed) == []
    assert f"[open]({PERMALINK})" in streamed
    assert any(pieces[: len(pieces) // 2])  # it streams: text comes out before the end
