"""Understanding the common questions without a language model.

Deterministic keyword rules map a message to the tool call that answers it. They are
deliberately narrow: anything they do not recognise gets the list of what they do. The words
that name a platform in a question come from the platform registry, like every platform fact.

`RULES` is ordered: the first rule that matches wins, so a narrower question ("best time")
sits above a broader one ("posts"). Each rule names the tool it calls; the names are those of
`cloudstro.tools.TOOLS`, and tests/tools checks that every tool there has a rule and that no
rule names a tool that is not there. (Names, not the tool objects: the offline responder loads
without the store and its AWS SDK, which the tools import.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cloudstro.store.platforms import PLATFORM_NAMES, REGISTRY

PLATFORM_WORDS: dict[str, tuple[str, ...]] = {
    info.name: info.question_words for info in REGISTRY.values()
}
_POST_ID = re.compile(rf"\b((?:{'|'.join(PLATFORM_NAMES)})#[\w-]+)")


@dataclass
class Intent:
    name: str
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def find_platform(text: str) -> str | None:
    padded = f" {text.lower()} "
    padded = re.sub(r"[^\w.#@ ]", " ", padded)
    for platform, words in PLATFORM_WORDS.items():
        if any(word in padded for word in words):
            return platform
    return None


def find_days(text: str, default: int) -> int:
    lowered = text.lower()
    match = re.search(r"(?:last|past)\s+(\d{1,3})\s+days?", lowered)
    if match:
        return max(1, min(int(match.group(1)), 730))
    if re.search(r"\b(today|24 hours)\b", lowered):
        return 1
    if re.search(r"\b(week|weekly|7 days)\b", lowered):
        return 7
    if re.search(r"\b(quarter|90 days|three months|3 months)\b", lowered):
        return 90
    if re.search(r"\b(month|monthly|30 days)\b", lowered):
        return 30
    if re.search(r"\b(year|12 months)\b", lowered):
        return 365
    return default


def summary_days(days: int) -> int:
    """The performance tool takes 7, 30 or 90 days; snap to the nearest."""
    return min((7, 30, 90), key=lambda option: abs(option - days))


Arguments = dict[str, Any]


@dataclass(frozen=True)
class Question:
    """A message as the rules read it: as written and lower-cased (whitespace collapsed both
    ways), and the platform it names, if any."""

    text: str
    lowered: str
    platform: str | None

    @property
    def scoped(self) -> Arguments:
        """The platform argument the platform-aware tools take, when the question names one."""
        return {"platform": self.platform} if self.platform else {}


@dataclass(frozen=True)
class IntentRule:
    """One kind of question: its name, the tool that answers it, and its arguments for a
    question of this kind (None when the question is of another kind)."""

    name: str
    tool: str  # a tool's name in cloudstro.tools.TOOLS
    arguments: Callable[[Question], Arguments | None]


def _when(pattern: str, arguments: Callable[[Question], Arguments]
          ) -> Callable[[Question], Arguments | None]:
    """Arguments for a question whose lower-cased text matches `pattern`."""
    compiled = re.compile(pattern)
    return lambda question: arguments(question) if compiled.search(question.lowered) else None


_REMEMBER = re.compile(r"^(?:please\s+)?(?:remember|note|keep in mind)(?:\s+that)?[:,]?\s+(.+)$",
                       re.IGNORECASE | re.DOTALL)
_POST_HISTORY_WORDS = re.compile(r"\b(velocity|history|over time|engagement|how did)\b")


def _note_to_save(question: Question) -> Arguments | None:
    remember = _REMEMBER.match(question.text)
    if not remember:
        return None
    note = remember.group(1).strip().rstrip(".")
    note = note[0].upper() + note[1:]
    return {"recommendation": note, "reasoning": "The user said so.",
            "insight_type": "user_note", "confidence": 1.0, "source": "user-stated",
            **question.scoped}


_CONNECT_WORDS = re.compile(r"\b(?:re)?connect\b|\b(?:link|add)\s+(?:my|an?|another)\b")


def _platform_to_connect(question: Question) -> Arguments | None:
    """"connect my instagram", "reconnect twitter", "add my tiktok": a platform and the verb."""
    if question.platform and _CONNECT_WORDS.search(question.lowered):
        return {"platform": question.platform}
    return None


def _post_to_trace(question: Question) -> Arguments | None:
    post_id = _POST_ID.search(question.lowered)
    if post_id and _POST_HISTORY_WORDS.search(question.lowered):
        return {"post_id": post_id.group(1)}
    return None


RULES: tuple[IntentRule, ...] = (
    IntentRule("remember", "save_insight", _note_to_save),
    IntentRule("connect", "connect_account", _platform_to_connect),
    IntentRule("best_time", "get_best_time_to_post", _when(
        r"\b(when should i post|best time|best times|what time|when to post|"
        r"optimal time|best hour|best day)\b", lambda q: q.scoped)),
    IntentRule("content", "get_content_performance", _when(
        r"\b(hashtag|hashtags|content|video|videos|image|images|media|caption|"
        r"length|what works|format)\b", lambda q: q.scoped)),
    IntentRule("compare", "get_performance_summary", _when(
        r"\b(compare|comparison|which platform|best platform|platforms)\b",
        lambda q: {"days": summary_days(find_days(q.lowered, 30))})),
    IntentRule("top_posts", "get_top_posts", _when(
        r"\b(top|best|worst|bottom|weakest|strongest)\b.*\bposts?\b",
        lambda q: {"days": find_days(q.lowered, 30), **q.scoped})),
    IntentRule("summary", "get_performance_summary", _when(
        r"\b(how did i do|how am i doing|how did my|performance|perform|performing|"
        r"stats|statistics|summary|engagement rate|doing)\b",
        lambda q: {"days": summary_days(find_days(q.lowered, 7)), **q.scoped})),
    IntentRule("insights", "list_my_insights", _when(
        r"\b(insight|insights|recommendation|recommendations|advice|notes?)\b",
        lambda q: q.scoped)),
    IntentRule("accounts", "list_my_accounts", _when(
        r"\b(account|accounts|connected|followers|following|sync)\b", lambda q: {})),
    IntentRule("profile", "get_my_profile", _when(
        r"\b(profile|preferences|settings|timezone|time zone|subscription|plan)\b",
        lambda q: {})),
    IntentRule("post_history", "get_post_engagement", _post_to_trace),
    IntentRule("posts", "list_my_posts", _when(
        r"\b(posts?|tweets?|recent|latest)\b",
        lambda q: {"days": find_days(q.lowered, 30), "limit": 5, **q.scoped})),
)


def understand(text: str) -> Intent:
    lowered = " ".join(text.lower().split())
    question = Question(" ".join(text.split()), lowered, find_platform(lowered))
    for rule in RULES:
        arguments = rule.arguments(question)
        if arguments is not None:
            return Intent(rule.name, [(rule.tool, arguments)])
    return Intent("unknown")
