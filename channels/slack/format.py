"""The model writes standard Markdown; Slack messages speak mrkdwn. This turns one into the other.

mrkdwn has `*bold*`, `_italic_`, `~strike~`, `<url|label>` links and no headings, tables or
nested lists, and it needs `&`, `<`, `>` escaped. Code (inline and fenced) is carried over
untouched except for that escaping, so numbers and identifiers inside it stay as written.
The model quotes posts, so its text is data too: links, URLs and everything else go through
`cloudstro.slackkit.safe_text`, and only a vouched permalink becomes a link.
`split_message` keeps each piece within Slack's per-block limit without cutting a code block
open.
"""

from __future__ import annotations

import re

from cloudstro.slackkit.safe_text import LINKABLE, escape_mrkdwn, mrkdwn_link, mrkdwn_text

SECTION_LIMIT = 3000  # characters of mrkdwn in one section block

_FENCE = re.compile(r"^\s*```")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_QUOTE = re.compile(r"^\s{0,3}>\s?(.*)$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")

_INLINE_CODE = re.compile(r"`[^`\n]+`")
_LINK = re.compile(r"\[([^\]\n]+)\]\((\S+?)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^\s<>|`]+)>", re.IGNORECASE)
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)")
_ITALIC_STAR = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_PLACEHOLDER = "\x00{}\x00"


escape = escape_mrkdwn


def to_mrkdwn(markdown: str) -> str:
    """Standard Markdown → Slack mrkdwn (headings become bold lines, bullets become •)."""
    out: list[str] = []
    lines = markdown.replace("\r\n", "\n").split("\n")
    in_code = False
    index = 0
    while index < len(lines):
        line = lines[index]
        if _FENCE.match(line):
            out.append("```")  # mrkdwn has no language tag on fences
            in_code = not in_code
            index += 1
            continue
        if in_code:
            out.append(escape(line))
            index += 1
            continue
        if _TABLE_ROW.match(line):
            # No tables in mrkdwn: keep the grid readable in a monospaced block.
            table = []
            while index < len(lines) and _TABLE_ROW.match(lines[index]):
                if not _TABLE_RULE.match(lines[index]):
                    table.append(escape(lines[index].strip()))
                index += 1
            out += ["```", *table, "```"]
            continue
        out.append(_convert_line(line))
        index += 1
    if in_code:
        out.append("```")
    return "\n".join(out)


def _convert_line(line: str) -> str:
    if _RULE.match(line):
        return "──────────"
    heading = _HEADING.match(line)
    if heading:
        title = _unbold(heading.group(1))
        return f"*{_inline(title)}*" if title else ""
    quote = _QUOTE.match(line)
    if quote:
        return f">{_inline(quote.group(1))}"
    bullet = _BULLET.match(line)
    if bullet:
        depth = len(bullet.group(1).replace("\t", "    ")) // 2
        mark = "•" if depth == 0 else "◦"
        return f"{'    ' * min(depth, 3)}{mark} {_inline(bullet.group(2))}"
    return _inline(line)


def _inline(text: str) -> str:
    """Inline spans of one line; code spans are set aside first so nothing inside them changes."""
    kept: list[str] = []

    def keep(value: str) -> str:
        kept.append(value)
        return _PLACEHOLDER.format(len(kept) - 1)

    text = _INLINE_CODE.sub(lambda m: keep(escape(m.group(0))), text)
    text = _LINK.sub(lambda m: keep(mrkdwn_link(m.group(2), _unbold(m.group(1)))), text)
    text = _AUTOLINK.sub(lambda m: keep(mrkdwn_text(m.group(1))), text)
    text = LINKABLE.sub(lambda m: keep(mrkdwn_text(m.group(0))), text)
    text = mrkdwn_text(text)
    text = _ITALIC_STAR.sub(lambda m: keep(f"_{m.group(1)}_"), text)
    text = _BOLD.sub(lambda m: keep(f"*{_inline_plain(_bold_text(m))}*"), text)
    text = _STRIKE.sub(r"~\1~", text)
    for position in range(len(kept) - 1, -1, -1):
        text = text.replace(_PLACEHOLDER.format(position), kept[position])
    # placeholders may nest (a bold span holding an earlier italic span): resolve repeatedly
    while "\x00" in text:
        before = text
        for position in range(len(kept) - 1, -1, -1):
            text = text.replace(_PLACEHOLDER.format(position), kept[position])
        if text == before:
            break
    return text


def _inline_plain(text: str) -> str:
    """Bold inside bold is just bold in mrkdwn; nested `*` would end the span early."""
    return text.replace("*", "")


def _bold_text(match: re.Match[str]) -> str:
    return match.group(1) if match.group(1) is not None else match.group(2)


def _unbold(text: str) -> str:
    return _BOLD.sub(_bold_text, text)


def split_message(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph, line, then word boundaries.

    A code block that has to be cut is closed at the end of one piece and reopened at the start
    of the next, so each piece renders on its own.
    """
    if limit < 20:
        raise ValueError(f"limit must be at least 20 characters, got {limit}")
    if len(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    in_code = False
    reserve = len("\n```")  # room to close an open fence

    def flush() -> None:
        nonlocal current, size
        body = "\n".join(current).strip("\n")
        if in_code:
            body += "\n```"
        if body.strip() and body.strip() != "```":
            pieces.append(body)
        current = ["```"] if in_code else []
        size = len("```") + 1 if in_code else 0

    for line in _fit_lines(text.split("\n"), limit - reserve - 4):
        needed = len(line) + 1
        if size + needed + reserve > limit and current:
            flush()
        current.append(line)
        size += needed
        if line.strip().startswith("```"):
            in_code = not in_code
        elif not line.strip() and size > limit * 0.6 and not in_code:
            flush()  # a paragraph break late in a piece is a good place to cut
    if current:
        body = "\n".join(current).strip("\n")
        if body.strip() and body.strip() != "```":
            pieces.append(body)
    return pieces


def _fit_lines(lines: list[str], width: int) -> list[str]:
    """Lines no longer than `width`: long ones wrap at the last space, or hard if none."""
    fitted: list[str] = []
    for line in lines:
        while len(line) > width:
            cut = line.rfind(" ", 0, width)
            cut = cut if cut > width // 2 else width
            fitted.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        fitted.append(line)
    return fitted
