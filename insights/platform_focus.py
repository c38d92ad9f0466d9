"""The platform-focus insight: where a post earns most, per post and per follower."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from typing import Any

from cloudstro.analytics import Period
from cloudstro.analytics.wording import counted
from cloudstro.insights.base import FOCUS_WINDOW_DAYS, make_insight
from cloudstro.insights.evidence import claim_confidence, welch
from cloudstro.store.platforms import display_name
from cloudstro.store.records import AIInsight, SocialPost

MIN_FOCUS_POSTS = 5  # a platform needs this many posts to be compared at all


def focus_insight(user_id: str, posts: list[SocialPost], followers: dict[str, int],
                  now: datetime) -> AIInsight | None:
    """Where a post earns most; None with fewer than two platforms to compare."""
    by_platform: dict[str, list[SocialPost]] = defaultdict(list)
    for post in posts:
        by_platform[post.platform].append(post)
    rows: list[dict[str, Any]] = []
    for platform, group in by_platform.items():
        if len(group) < MIN_FOCUS_POSTS:
            continue
        total = sum(post.engagement.interactions for post in group)
        per_post = total / len(group)
        known = followers.get(platform)
        rows.append({
            "platform": platform, "posts": len(group), "interactions": total,
            "perPost": round(per_post, 1), "followers": known,
            "perPostPer1kFollowers": round(per_post / known * 1000, 2) if known else None,
            "_logs": [math.log1p(post.engagement.interactions) for post in group],
        })
    if len(rows) < 2:
        return None
    rows.sort(key=lambda row: row["perPost"], reverse=True)
    best, runner = rows[0], rows[1]
    compared = welch(best["_logs"], runner["_logs"])
    evidence = min(best["posts"], runner["posts"])
    confidence = (claim_confidence(compared[0], compared[1], evidence) if compared
                  else 0.0)
    ratio = best["perPost"] / runner["perPost"] if runner["perPost"] else None
    ratio_text = f"{ratio:.1f}x" if ratio else "more than"
    follower_text = (f", {best['perPostPer1kFollowers']:.2f} per 1,000 followers"
                     if best["perPostPer1kFollowers"] is not None else "")
    recommendation = (f"Put your effort into {display_name(best['platform'])}: a post there "
                      f"averages {best['perPost']:,.1f} interactions{follower_text}, "
                      f"{ratio_text} {display_name(runner['platform'])}, your next best.")
    lines = "; ".join(
        f"{display_name(row['platform'])}: {counted(row['posts'], 'post')}, "
        f"{row['perPost']:,.1f} per post"
        + (f", {row['perPostPer1kFollowers']:.2f} per 1,000 followers"
           if row["perPostPer1kFollowers"] is not None else ", followers unknown")
        for row in rows)
    reasoning = (f"Last {FOCUS_WINDOW_DAYS} days, platforms with at least {MIN_FOCUS_POSTS} "
                 f"posts: {lines}. Confidence {confidence:.2f} from comparing "
                 f"{display_name(best['platform'])}'s {best['posts']} posts with "
                 f"{display_name(runner['platform'])}'s "
                 f"{runner['posts']} post by post.")
    per_follower = [row for row in rows if row["perPostPer1kFollowers"] is not None]
    if per_follower:
        leader = max(per_follower, key=lambda row: row["perPostPer1kFollowers"])
        if leader["platform"] != best["platform"]:
            reasoning += (f" Per follower, {display_name(leader['platform'])} leads "
                          f"({leader['perPostPer1kFollowers']:.2f} per 1,000 followers per "
                          f"post): a smaller audience that responds more strongly.")
    data = {
        "platforms": [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows],
        "focus": best["platform"], "nextBest": runner["platform"],
        "ratioToNextBest": round(ratio, 2) if ratio else None,
        "basedOnPosts": sum(row["posts"] for row in rows),
        "period": Period.last(FOCUS_WINDOW_DAYS, now).label, "windowDays": FOCUS_WINDOW_DAYS,
    }
    return make_insight(user_id, "platform_focus", None, now, confidence=confidence,
                        recommendation=recommendation, reasoning=reasoning, data=data,
                        data_points=data["basedOnPosts"])
