"""What Slack would make of a text: the mentions, pings and links it would form.

Written from Slack's rules, not from CloudStro's code, so a test that uses them checks the
behaviour and not the implementation: in mrkdwn every `<…>` is a token (`<!channel>`,
`<@U…>`, `<#C…>`, `<url|label>`); in Markdown a raw `<` can open one too, and `[label](url)`,
link definitions and bare URLs or emails are links.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

# The strings a post can carry to try to ping, mention or phish through CloudStro.
EVIL_TEXTS = (
    "<!channel>", "<!everyone>", "<!here|here>", "<@U0CAROL>", "<#C0GENERAL>",
    "<https://evil.example/login|click here>", "<mailto:x@evil.example|support>",
    "[Verify account](https://evil.example/phish)",
)
EVIL_URLS = ("!channel", "@U0CAROL", "!here", "!subteam^S123", "javascript:alert(1)",
             "https://evil.example/x")

_PLATFORM_DOMAINS = ("x.com", "twitter.com", "instagram.com", "facebook.com", "fb.com",
                     "tiktok.com", "xiaohongshu.com", "xhslink.com")
_TOKEN = re.compile(r"<([^<>]*)>")
_FENCED = re.compile(r"^\s*(```|~~~).*?^\s*\1[^\n]*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"``.+?``|`[^`\n]+`")
_MD_LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]*)")
_MD_DEFINITION = re.compile(r"\[[^\]\n]+\]:\s*\S+")
_BARE = re.compile(r"(?:\b[a-z][a-z0-9+.\-]*://|\bwww\.|\bmailto:)[^\s)`|\"<>\]]*"
                   r"|\b[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.IGNORECASE)


def vouched(url: str) -> bool:
    """An https URL on a platform's own host, with nothing that changes who answers it."""
    url = url.rstrip(".,;:!?")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return (parts.scheme == "https" and parts.netloc.lower() == host
            and any(host == d or host.endswith("." + d) for d in _PLATFORM_DOMAINS))


def mrkdwn_markup(text: str) -> list[str]:
    """Tokens Slack would parse in mrkdwn other than links to vouched URLs, and bare URLs or
    emails to other hosts outside code (Slack links those unless told `verbatim`)."""
    found = [f"<{token}>" for token in _TOKEN.findall(text)
             if not vouched(token.split("|", 1)[0].replace("&amp;", "&"))]
    prose = _TOKEN.sub(" ", _CODE_SPAN.sub(" ", _FENCED.sub(" ", text)))
    return found + [url for url in _BARE.findall(prose) if not vouched(url)]


def markdown_markup(text: str) -> list[str]:
    """Everything in streamed Markdown that Slack could turn into a ping, mention or link to a
    host that is not vouched for."""
    found = [text[max(0, i - 10):i + 20] for i, char in enumerate(text) if char == "<"]
    prose = _CODE_SPAN.sub(" ", _FENCED.sub(" ", text))
    found += [url for url in _MD_LINK.findall(prose) if not vouched(url)]
    found += _MD_DEFINITION.findall(prose)
    without_links = _MD_LINK.sub("[](", prose)
    return found + [url for url in _BARE.findall(without_links) if not vouched(url)]


def mrkdwn_objects(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every mrkdwn text object in Block Kit blocks (section text and fields, context items)."""
    objects: list[dict[str, Any]] = []
    for block in blocks:
        candidates = [block.get("text"), *block.get("fields", []), *block.get("elements", [])]
        objects += [c for c in candidates if isinstance(c, dict) and c.get("type") == "mrkdwn"]
    return objects


def assert_no_markup_in_message(params: dict[str, Any]) -> str:
    """A chat.postMessage as received: its text and every mrkdwn object form no markup, and
    each object is sent verbatim (no auto-linking of what it leaves bare). Returns all text."""
    objects = mrkdwn_objects(params.get("blocks") or [])
    texts = [params.get("text") or "", *(obj["text"] for obj in objects)]
    for text in texts:
        assert mrkdwn_markup(text) == [], text
    for obj in objects:
        assert obj.get("verbatim") is True, obj
    return "\n".join(texts)
