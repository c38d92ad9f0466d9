"""Writing plain answers from tool results, for the offline responder.

Every sentence is built from numbers a tool returned; where a tool returned an error or too
little data, the answer says so instead of filling the gap. Platforms are written with their
display names from the platform registry ("RedNote", "Twitter/X"), as everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cloudstro.analytics.wording import counted
from cloudstro.store.platforms import shown_name

Result = dict[str, Any]


def _pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "unknown"
    return f"{value * 100:+.0f}%" if signed else f"{value * 100:.0f}%"


def _change(value: float | None) -> str:
    return "no comparison (nothing in the previous period)" if value is None else \
        f"{value:+.0f}% vs the previous period"


def _num(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}"


def _platform(value: Any) -> str:
    return shown_name(str(value)) if value else "unknown platform"


def _scope(value: Any) -> str:
    """A tool's platform scope: one platform's display name, or all of them."""
    return _platform(value) if value and value != "all" else "all platforms"


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _post_line(post: Result) -> str:
    views = post.get("views")
    rate = post.get("engagement_rate")
    extra = f", {rate:.2f}% engagement rate" if rate is not None else ""
    lift = post.get("lift")
    lift_text = f", {_pct(lift, signed=True)} vs that account's typical post" \
        if lift is not None else ""
    return (f"- **{_platform(post.get('platform'))}** {str(post.get('createdAt', ''))[:10]}: "
            f"\"{post.get('content', '')[:80]}\" — {_num(post.get('interactions'))} interactions"
            f" ({_num(post.get('likes'))} likes, {_num(post.get('shares'))} shares, "
            f"{_num(post.get('comments'))} comments; views {_num(views)}){extra}{lift_text}"
            f" `{post.get('postId')}`")


def profile(result: Result) -> str:
    prefs = result.get("aiPreferences") or {}
    platforms = ", ".join(_platform(p) for p in result.get("connectedPlatforms") or []) \
        or "none"
    times = ", ".join(prefs.get("preferredTimes") or []) or "none set"
    name = result.get("fullName") or result.get("username") or "Your profile"
    handle = f" (@{result['username']})" if result.get("username") else ""
    return (f"**{name}**{handle}, {result['subscription']} plan, "
            f"timezone {result['timezone']}.\n- Connected: {platforms}\n"
            f"- Style: {prefs.get('contentStyle')}, posting {prefs.get('postingFrequency')}, "
            f"preferred times {times}")


def accounts(result: Result) -> str:
    if not result.get("accounts"):
        return "You have no connected accounts yet."
    lines = [f"You have {counted(result['count'], 'connected account')}:"]
    for account in result["accounts"]:
        status = (account.get("syncStatus") or "unknown") + (
            "" if account["active"] else ", inactive")
        line = (f"- **{_platform(account['platform'])}** {account.get('handle') or ''}: "
                f"{_num(account['followers'])} followers, following "
                f"{_num(account['following'])} (sync: {status})")
        if account.get("needsReconnecting"):
            reason = account.get("statusReason")
            line += (" — **needs reconnecting**" + (f" ({reason})" if reason else "")
                     + "; its posts and counts are not updated until you reconnect it")
        lines.append(line)
    return "\n".join(lines)


def posts(result: Result) -> str:
    if not result.get("posts"):
        return f"I found no posts ({_scope(result.get('platform'))}) in {result.get('period')}."
    head = (f"{counted(result['matching_posts'], 'post')} on {_scope(result['platform'])} in "
            f"{result['period']}; "
            f"here are {len(result['posts'])} by {result['sorted_by']}:")
    return "\n".join([head, *(_post_line(p) for p in result["posts"])])


def top_posts(result: Result) -> str:
    top, bottom = result.get("top") or [], result.get("bottom") or []
    if not top:
        return f"I found no posts in {result.get('period')} to rank."
    lines = [f"Ranked against each account's typical post, {result.get('period')} "
             f"({counted(result.get('posts_analyzed', len(top)), 'post')}):", "**Top**",
             *(_post_line(p) for p in top)]
    if bottom:
        lines += ["**Weakest**", *(_post_line(p) for p in bottom)]
    return "\n".join(lines)


def summary(result: Result) -> str:
    overall = result.get("overall") or {}
    if not overall.get("posts"):
        return f"You published no posts in {result.get('period')}."
    changes = overall.get("change") or {}
    rate = overall.get("engagement_rate")
    rate_text = (f"engagement rate **{rate:.2f}%** ({overall.get('engagement_rate_denominator')})"
                 if rate is not None else "engagement rate unknown (no post reported views)")
    lines = [
        f"{_capitalized(result.get('period', ''))}: **{counted(overall['posts'], 'post')}**, "
        f"**{_num(overall.get('interactions'))} interactions** "
        f"({_change(changes.get('interactions_pct'))}), {rate_text}.",
    ]
    platforms = result.get("platforms") or []
    if platforms:
        lines.append("\nBy platform:")
        ranked = sorted(platforms, key=lambda p: p.get("engagement_per_post") or 0, reverse=True)
        for entry in ranked:
            rate = entry.get("engagement_rate")
            lines.append(
                f"- **{_platform(entry['platform'])}**: {counted(entry['posts'], 'post')}, "
                f"{_num(entry.get('interactions'))} interactions, "
                f"{_num(entry.get('engagement_per_post'))} per post, engagement rate "
                f"{f'{rate:.2f}%' if rate is not None else 'unknown'}"
                f" ({_change((entry.get('change') or {}).get('interactions_pct'))})")
    return "\n".join(lines)


def best_time(result: Result) -> str:
    scope = _scope(result.get("platform"))
    if not result.get("enough_data"):
        return (f"I can't recommend a time for {scope} yet: {result.get('message')} "
                f"(I have {counted(result.get('posts_analyzed', 0), 'post')}).")
    hours = result.get("optimal_hours") or []
    slots = result.get("optimal_slots") or []
    lines = [f"Best times to post on {scope}, in your timezone ({result['timezone']}), from "
             f"{counted(result['posts_analyzed'], 'post')} "
             f"(confidence {result['confidence']:.2f}):"]
    for hour in hours:
        lines.append(f"- **{hour['label']}**: {_pct(hour['expected_lift'], signed=True)} "
                     f"interactions vs your typical post "
                     f"({_evidence(hour)} at that hour)")
    if slots:
        best = ", ".join(f"{s['dayOfWeek']} {s['hour']:02d}:00 ({_evidence(s)})"
                         for s in slots[:3])
        lines.append(f"\nStrongest weekday slots: {best}.")
    return "\n".join(lines)


def _evidence(slot: Result) -> str:
    """The posts behind a slot, and a plain warning when they are too few to lean on."""
    backing = counted(slot["posts"], "post")
    return f"{backing}, thin evidence" if slot.get("thin") else backing


def content(result: Result) -> str:
    if not result.get("posts_analyzed"):
        return f"I found no posts in {result.get('period')} to compare content."
    lines = [f"What works, from {counted(result['posts_analyzed'], 'post')} in "
             f"{result.get('period')} "
             f"(lift vs your typical post):"]
    for key, title in (("top_hashtags", "Strongest hashtags"),
                       ("bottom_hashtags", "Weakest hashtags"), ("media", "Media vs text"),
                       ("content_types", "Content type"), ("length", "Length"),
                       ("hashtag_count", "Number of hashtags")):
        entries = [e for e in result.get(key) or [] if e.get("lift") is not None]
        if entries:
            shown = ", ".join(f"{e['label']} {_pct(e.get('lift'), signed=True)} "
                              f"({counted(e['posts'], 'post')})" for e in entries[:5])
            lines.append(f"- **{title}**: {shown}")
    return "\n".join(lines)


def insights(result: Result) -> str:
    if not result.get("insights"):
        return "You have no active insights right now."
    lines = [f"{counted(result['count'], 'active insight')}:"]
    for item in result["insights"]:
        where = f" ({_platform(item['platform'])})" if item.get("platform") else ""
        lines.append(f"- {item['recommendation']}{where} — confidence "
                     f"{item['confidence']:.2f}, valid until {item['validUntil'][:10]}")
    return "\n".join(lines)


def saved(result: Result) -> str:
    return f"Noted. I'll keep that in mind (saved until {result['validUntil'][:10]})."


def post_history(result: Result) -> str:
    marks = [("30 minutes", "interactions_30min"), ("1 hour", "interactions_1h"),
             ("24 hours", "interactions_24h")]
    parts = [f"{label}: {_num(result.get(key))}" for label, key in marks]
    return (f"Post `{result['postId']}` ({_platform(result['platform'])}, "
            f"{result['createdAt'][:16]}): interactions after {'; '.join(parts)}.")


def connect_link(result: Result) -> str:
    name = result["platformName"]
    verb = "Reconnect" if result.get("needsReconnecting") else "Connect"
    text = (f"{verb} {name} here: [{verb} {name}]({result['authorizeUrl']}). The link works "
            f"once, for {result['expiresInMinutes']} minutes, and only for you; the first "
            "numbers arrive a few minutes after you approve CloudStro.")
    if result.get("signInWithSlackFirst"):
        text += (f" It asks you to sign in with Slack first, then takes you to {name}: that is "
                 "what keeps anyone else from using it.")
    else:
        text += (f" It opens a CloudStro page that names your profile; continue from it to "
                 f"{name}, in the same browser.")
    already = [handle for handle in result.get("alreadyConnected") or [] if handle]
    if already and verb == "Connect":
        text += f"\nAlready connected on {name}: {', '.join(already)}."
    return text


# The answer for each tool in cloudstro.tools.TOOLS, by the tool's name (tests/tools checks
# that every tool has one and that no name here is not a tool).
WRITERS: dict[str, Callable[[Result], str]] = {
    "get_my_profile": profile,
    "list_my_accounts": accounts,
    "list_my_posts": posts,
    "get_top_posts": top_posts,
    "get_performance_summary": summary,
    "get_best_time_to_post": best_time,
    "get_content_performance": content,
    "list_my_insights": insights,
    "save_insight": saved,
    "get_post_engagement": post_history,
    "connect_account": connect_link,
}


def _unreadable(result: Result) -> str:
    """"1 post could not be read." for records the store had to skip, else nothing."""
    counts = result.get("unreadable") or {}
    if not counts:
        return ""
    return " and ".join(counted(count, noun) for noun, count in counts.items()) + \
        " could not be read."


def compose_answer(results: list[tuple[str, Any]]) -> str:
    parts = []
    for name, result in results:
        if not isinstance(result, dict):
            parts.append("I can't tell that from your data.")
            continue
        if "error" in result:
            parts.append(f"I couldn't get that: {result['error']}.")
            continue
        writer = WRITERS.get(name)
        try:
            part = writer(result) if writer else "I can't tell that from your data."
        except (KeyError, TypeError, ValueError):
            part = "I can't tell that from your data."
        parts.append("\n".join(filter(None, (part, _unreadable(result)))))
    return "\n\n".join(parts)
