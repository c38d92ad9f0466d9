"""Understanding the common questions without a language model.

Deterministic keyword rules map a message to the tool calls that answer it. They are
deliberately narrow: anything they do not recognise gets the list of what they do. The words
that name a platform in a question come from the platform registry, like every platform fact.
"""

from __future__ import annotations

import re
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


def understand(text: str) -> Intent:
    lowered = " ".join(text.lower().split())
    platform = find_platform(lowered)
    scoped = {"platform": platform} if platform else {}

    remember = re.match(r"^(?:please\s+)?(?:remember|note|keep in mind)(?:\s+that)?[:,]?\s+(.+)$",
                        " ".join(text.split()), re.IGNORECASE | re.DOTALL)
    if remember:
        note = remember.group(1).strip().rstrip(".")
        note = note[0].upper() + note[1:]
        return Intent("remember", [("save_insight", {
            "recommendation": note, "reasoning": "The user said so.",
            "insight_type": "user_note", "confidence": 1.0, "source": "user-stated",
            **scoped})])
    if re.search(r"\b(when should i post|best time|best times|what time|when to post|"
                 r"optimal time|best hour|best day)\b", lowered):
        return Intent("best_time", [("get_best_time_to_post", scoped)])
    if re.search(r"\b(hashtag|hashtags|content|video|videos|image|images|media|caption|"
                 r"length|what works|format)\b", lowered):
        return Intent("content", [("get_content_performance", scoped)])
    if re.search(r"\b(compare|comparison|which platform|best platform|platforms)\b", lowered):
        return Intent("compare", [("get_performance_summary",
                                   {"days": summary_days(find_days(lowered, 30))})])
    if re.search(r"\b(top|best|worst|bottom|weakest|strongest)\b.*\bposts?\b", lowered):
        return Intent("top_posts", [("get_top_posts",
                                     {"days": find_days(lowered, 30), **scoped})])
    if re.search(r"\b(how did i do|how am i doing|how did my|performance|perform|performing|"
                 r"stats|statistics|summary|engagement rate|doing)\b", lowered):
        return Intent("summary", [("get_performance_summary",
                                   {"days": summary_days(find_days(lowered, 7)), **scoped})])
    if re.search(r"\b(insight|insights|recommendation|recommendations|advice|notes?)\b",
                 lowered):
        return Intent("insights", [("list_my_insights", scoped)])
    if re.search(r"\b(account|accounts|connected|followers|following|sync)\b", lowered):
        return Intent("accounts", [("list_my_accounts", {})])
    if re.search(r"\b(profile|preferences|settings|timezone|time zone|subscription|plan)\b",
                 lowered):
        return Intent("profile", [("get_my_profile", {})])
    post_id = _POST_ID.search(lowered)
    if post_id and re.search(r"\b(velocity|history|over time|engagement|how did)\b", lowered):
        return Intent("post_history", [("get_post_engagement", {"post_id": post_id.group(1)})])
    if re.search(r"\b(posts?|tweets?|recent|latest)\b", lowered):
        return Intent("posts", [("list_my_posts", {"days": find_days(lowered, 30), "limit": 5,
                                                   **scoped})])
    return Intent("unknown")
