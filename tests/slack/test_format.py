"""Markdown → mrkdwn and message splitting (pure functions)."""

from __future__ import annotations

import pytest

from cloudstro.channels.slack.format import split_message, to_mrkdwn


@pytest.mark.parametrize(("markdown", "mrkdwn"), [
    ("**61 posts** this week", "*61 posts* this week"),
    ("__bold__ and *italic* and ~~gone~~", "*bold* and _italic_ and ~gone~"),
    ("see [the post](https://x.com/a/status/1?b=1&c=2)",
     "see <https://x.com/a/status/1?b=1&amp;c=2|the post>"),
    ("see [the docs](https://example.com/a?b=1&c=2)",
     "see the docs (`https://example.com/a?b=1&amp;c=2`)"),
    ("## Best times", "*Best times*"),
    ("# **Summary**", "*Summary*"),
    ("- first\n* second\n  - nested", "• first\n• second\n    ◦ nested"),
    ("1 < 2 & 3 > 2", "1 &lt; 2 &amp; 3 &gt; 2"),
    ("> quoted **text**", ">quoted *text*"),
    ("`**not bold**` stays", "`**not bold**` stays"),
    ("```python\nx = a**2 < 3\n```", "```\nx = a**2 &lt; 3\n```"),
    ("5 * 3 * 2 = 30", "5 * 3 * 2 = 30"),
    ("my__init__file", "my__init__file"),
    ("**a *b* c**", "*a _b_ c*"),
    ("<https://www.instagram.com/p/1/>", "<https://www.instagram.com/p/1/>"),
    ("<https://example.com>", "`https://example.com`"),
    ("---", "──────────"),
])
def test_markdown_becomes_mrkdwn(markdown, mrkdwn):
    assert to_mrkdwn(markdown) == mrkdwn


def test_table_becomes_monospaced_block():
    table = "| day | posts |\n|---|---|\n| Mon | 3 |"
    assert to_mrkdwn(table) == "```\n| day | posts |\n| Mon | 3 |\n```"


def test_unclosed_fence_is_closed():
    assert to_mrkdwn("```\ncode").endswith("```")


def test_short_text_is_one_piece():
    assert split_message("hello", 100) == ["hello"]
    assert split_message("", 100) == []


def test_long_text_splits_within_limit_and_keeps_every_word():
    paragraphs = [f"Paragraph {i}: " + "word " * 60 for i in range(40)]
    text = "\n\n".join(paragraphs)
    pieces = split_message(text, 3000)
    assert len(pieces) > 1
    assert all(len(piece) <= 3000 for piece in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())


def test_one_huge_line_is_cut_at_words():
    text = "x" * 50 + " " + "word " * 2000
    pieces = split_message(text, 500)
    assert all(len(piece) <= 500 for piece in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())


def test_a_cut_code_block_is_closed_and_reopened():
    text = "```\n" + "\n".join(f"line {i}" for i in range(400)) + "\n```"
    pieces = split_message(text, 1000)
    assert len(pieces) > 1
    for piece in pieces:
        assert len(piece) <= 1000
        assert piece.startswith("```") and piece.endswith("```")
        assert piece.count("```") == 2
