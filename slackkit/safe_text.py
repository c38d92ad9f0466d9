"""Data is never markup: post text, names and stored insights reach Slack as text, never as pings.

Slack turns `<!channel>`, `<!here>`, `<@U…>`, `<#C…>`, `<!subteam^…>` and `<url|label>` into
pings, mentions and links wherever they appear, in mrkdwn and in streamed Markdown alike, and
Markdown adds `[label](url)`, autolinks and bare URLs. Anyone can write such a post on their own
account, sync brings it in, and the model quotes posts, so every text CloudStro sends to Slack
passes through one function per format here:

- `permalink`: the one URL check. Only https URLs on a platform's own hosts become links.
- `mrkdwn_text`, `mrkdwn_link`: text for mrkdwn (Block Kit sections, whole messages, digests).
- `MarkdownStream` (and `markdown_text` for a whole text): the model's Markdown, streamed
  through `chat.startStream`/`appendStream`, which cannot tell a quoted post from the model.

Neutralising keeps the text readable to a person: `<` and `>` become `&lt;` and `&gt;`, which
Slack shows as the characters without parsing a token out of them; a URL that is not vouched
for is shown in a code span, where neither mrkdwn nor Markdown makes a link; a Markdown link to
such a URL becomes its label followed by the URL. mrkdwn text objects are also sent with
`verbatim: true` (`mrkdwn_object`) so Slack auto-links nothing the text leaves bare.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from cloudstro.store.platforms import platform_of_permalink

MAX_URL_CHARS = 2000

# RFC 3986 characters without the ones that end or open markup in mrkdwn or Markdown
# (`<>|` and `()[]`, quotes, backtick, `*`), so a vouched URL can sit inside `<url|label>` and
# `[label](url)` without ending either early.
_URL_SAFE = re.compile(r"[A-Za-z0-9\-._~:/?#@!$&+,;=%]+")
# Text that a renderer might make a link of: scheme URLs, `www.` hosts, `mailto:` and emails.
# It stops at whitespace, at the characters that open or close Slack tokens and code spans,
# and at NUL (the placeholders `format.to_mrkdwn` uses).
LINKABLE = re.compile(
    r"(?:\b[a-z][a-z0-9+.\-]*://|\bwww\.|\bmailto:)[^\s<>`|\"\x00]+"
    r"|\b[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+",
    re.IGNORECASE)
_TRAILING = ".,:;!?'\"*_~"
_INERT_BACKTICK = "ˋ"  # a lone backtick from data, which could pair with a code span we add


def permalink(url: object, platform: str | None = None) -> str | None:
    """`url` when CloudStro vouches for it as a link, else None.

    Vouched means https on a permalink host of the platform registry (`store.platforms`), the
    one allow-list; with `platform`, only that platform's hosts count (a Twitter post's link is
    on x.com or twitter.com). No userinfo, no port, nothing a Slack or Markdown token could
    break out with.
    """
    if not isinstance(url, str) or len(url) > MAX_URL_CHARS or not _URL_SAFE.fullmatch(url):
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() != "https" or parts.netloc.lower() != host or not host:
        return None  # userinfo (`x.com@evil`) or a port changes who answers
    owner = platform_of_permalink(host)
    if owner is None or (platform is not None and owner.name != platform):
        return None
    return url


# --------------------------------------------------------------------------- mrkdwn


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters, as its formatting docs ask."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn_text(text: str) -> str:
    """Data as mrkdwn: it shows as written and forms no mention, ping or link.

    A vouched permalink in the text becomes a link to itself; any other URL or email is shown
    in a code span.
    """
    return _each_linkable(text, _mrkdwn_linkable, _mrkdwn_plain)


def mrkdwn_link(url: str | None, label: str, *, platform: str | None = None,
                show_rejected_url: bool = True) -> str:
    """`<url|label>` when `url` is vouched for; else the label, then the URL as text."""
    target = permalink(url, platform)
    if target is not None:
        return f"<{escape_mrkdwn(target)}|{mrkdwn_text(label).replace('|', '¦')}>"
    if url and show_rejected_url:
        return mrkdwn_text(f"{label} ({url})")
    return mrkdwn_text(label)


def mrkdwn_object(text: str) -> dict[str, Any]:
    """A Block Kit mrkdwn text object that Slack sends as given (no auto-links, no mentions)."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _mrkdwn_linkable(found: str) -> str:
    target = permalink(found)
    return f"<{escape_mrkdwn(target)}>" if target else f"`{escape_mrkdwn(found)}`"


def _mrkdwn_plain(text: str) -> str:
    return escape_mrkdwn(text).replace("`", _INERT_BACKTICK)


# --------------------------------------------------------------------------- Markdown

_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_QUOTE_MARKERS = re.compile(r"^\s{0,3}(?:>[ \t]?)+")
_CODE_SPAN = re.compile(r"``[^\n]+?``|`[^`\n]+`")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\(\s*<?([^()\s<>]*)>?(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)")


class MarkdownStream:
    """Markdown that forms no mention, ping or link except to vouched URLs, as it streams.

    Text arrives in arbitrary pieces (a token such as `<!channel>` or a link can be split across
    two), so `feed` returns only text up to a point where no construct is open: the end of a
    line, or a space outside brackets, parentheses and code spans. `finish` returns the rest.
    """

    def __init__(self) -> None:
        self._pending = ""
        self._in_fence = False
        self._line_start = True

    def feed(self, text: str) -> str:
        self._pending += text
        out: list[str] = []
        while (newline := self._pending.find("\n")) >= 0:
            line, self._pending = self._pending[:newline], self._pending[newline + 1:]
            out.append(self._line(line) + "\n")
        cut = self._safe_cut()
        if cut:
            out.append(self._part(self._pending[:cut]))
            self._pending = self._pending[cut:]
        return "".join(out)

    def finish(self) -> str:
        rest, self._pending = self._pending, ""
        return self._line(rest) if rest else ""

    def _line(self, text: str) -> str:
        if self._line_start and _FENCE.match(text):
            self._in_fence = not self._in_fence
            shown = _angles(text)
        elif self._in_fence:
            shown = _angles(text)  # code: shown literally, but never a Slack token
        else:
            shown = self._part(text)
        self._line_start = True
        return shown

    def _part(self, text: str) -> str:
        markers = ""
        if self._line_start:
            quote = _QUOTE_MARKERS.match(text)
            markers = quote.group(0) if quote else ""
            self._line_start = False
        return markers + _markdown_inline(text[len(markers):])

    def _safe_cut(self) -> int:
        """Length of the longest pending prefix that ends at a space with nothing left open."""
        pending = self._pending
        if self._in_fence or (self._line_start and pending.lstrip(" ").startswith(("`", "~"))):
            return 0  # a fence line is only known whole
        squares = parens = ticks = cut = 0
        for index, char in enumerate(pending):
            if char == "`":
                ticks += 1
            elif ticks % 2:
                continue
            elif char == "[":
                squares += 1
            elif char == "]":
                squares = max(0, squares - 1)
            elif char == "(":
                parens += 1
            elif char == ")":
                parens = max(0, parens - 1)
            elif char.isspace() and not squares and not parens:
                cut = index + 1
        return cut


def markdown_text(text: str) -> str:
    """A whole Markdown text made safe, as `MarkdownStream` would stream it."""
    stream = MarkdownStream()
    return stream.feed(text) + stream.finish()


def _markdown_inline(text: str) -> str:
    out: list[str] = []
    last = 0
    for span in _CODE_SPAN.finditer(text):
        out += [_markdown_links(text[last:span.start()]), _angles(span.group(0))]
        last = span.end()
    out.append(_markdown_links(text[last:]))
    return "".join(out)


def _markdown_links(text: str) -> str:
    out: list[str] = []
    last = 0
    for link in _MD_LINK.finditer(text):
        start = link.start() - (1 if link.start() and text[link.start() - 1] == "!" else 0)
        label, url = link.group(1), link.group(2)
        target = permalink(url)
        shown = (f"[{_markdown_plain_text(label)}]({target})" if target
                 else _markdown_plain_text(f"{label} ({url})" if url else label))
        out += [_markdown_plain_text(text[last:start]), shown]
        last = link.end()
    out.append(_markdown_plain_text(text[last:]))
    return "".join(out)


def _markdown_plain_text(text: str) -> str:
    return _each_linkable(text, _markdown_linkable, _markdown_chars)


def _markdown_linkable(found: str) -> str:
    return permalink(found) or f"`{found}`"


def _markdown_chars(text: str) -> str:
    # `<`/`>` end every Slack token and autolink; `](` and `]:` are what make a bracketed label
    # a link or a link definition; a lone backtick could pair with a code span added here.
    return (_angles(text).replace("](", "] (").replace("]:", "] :")
            .replace("`", _INERT_BACKTICK))


def _angles(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


# --------------------------------------------------------------------------- shared


def _each_linkable(text: str, linkable: Callable[[str], str],
                   plain: Callable[[str], str]) -> str:
    """`plain` over ordinary text, `linkable` over each URL or email (without trailing
    punctuation, which goes back to the text)."""
    out: list[str] = []
    last = 0
    for match in LINKABLE.finditer(text):
        found = match.group(0)
        trimmed = _trim(found)
        out += [plain(text[last:match.start()]), linkable(trimmed) if trimmed else "",
                plain(found[len(trimmed):])]
        last = match.end()
    out.append(plain(text[last:]))
    return "".join(out)


def _trim(url: str) -> str:
    """Sentence punctuation after a URL is not part of it; a `)` is when it closes a `(`."""
    while url and (url[-1] in _TRAILING or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url = url[:-1]
    return url
