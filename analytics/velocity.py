"""How fast a post gathered its engagement: reach at 30 minutes, 1 hour and 24 hours.

Snapshot timestamps are measurement times, so a mark's value is the latest measurement at or
before it. That value is only trusted when measuring continued past the mark: if the last
measurement was at 20 minutes, the 24-hour figure is unknown, not "whatever it was at 20
minutes". The post itself (its counts at `fetchedAt`) counts as one more measurement.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from cloudstro.store.records import EngagementSnapshot, SocialPost, iso_z

MARKS: tuple[tuple[str, timedelta], ...] = (
    ("first30min", timedelta(minutes=30)),
    ("firstHour", timedelta(hours=1)),
    ("first24hours", timedelta(hours=24)),
)
MAX_POINTS = 20


class VelocityPoint(BaseModel):
    minutes_after_post: int
    interactions: int
    views: int | None


class Velocity(BaseModel):
    postId: str
    createdAt: str
    measurements: int
    interactions_30min: int | None
    interactions_1h: int | None
    interactions_24h: int | None
    first_hour_share: float | None  # of the 24-hour interactions, reached in the first hour
    filled_from_stored_velocity: list[str]  # marks taken from the stored velocity summary
    latest_interactions: int | None
    latest_at: str | None
    history: list[VelocityPoint]


def _thin(points: list[VelocityPoint], limit: int) -> list[VelocityPoint]:
    """Evenly spaced picks that always keep the first and the last measurement."""
    if len(points) <= limit:
        return points
    step = (len(points) - 1) / (limit - 1)
    return [points[round(i * step)] for i in range(limit)]


def engagement_velocity(post: SocialPost, snapshots: list[EngagementSnapshot]) -> Velocity:
    """Interactions by 30 min / 1 h / 24 h after posting; None where measurements don't tell."""
    own = sorted((s for s in snapshots if s.postId == post.postId), key=lambda s: s.timestamp)
    # A snapshot missing one of likes/shares/comments has no interaction total to place.
    measured: list[tuple[datetime, int, int | None]] = [
        (s.timestamp, count, s.views) for s in own if (count := s.interactions) is not None
    ]
    if post.fetchedAt is not None:  # older items do not say when they were fetched
        measured.append((post.fetchedAt, post.engagement.interactions,
                         post.engagement.views))
    measured.sort(key=lambda m: m[0])

    values: dict[str, int | None] = {}
    for name, offset in MARKS:
        mark = post.createdAt + offset
        before = [m for m in measured if m[0] <= mark]
        covered = any(m[0] >= mark for m in measured)
        values[name] = before[-1][1] if before and covered else None

    filled: list[str] = []
    for snapshot in reversed(own):  # the newest stored summary wins
        summary = snapshot.engagementVelocity
        if summary is None:
            continue
        for name, _ in MARKS:
            stored = getattr(summary, name)
            if values[name] is None and stored is not None:
                values[name] = stored
                filled.append(name)

    hour, day = values["firstHour"], values["first24hours"]
    share = round(hour / day, 3) if hour is not None and day else None
    if share is not None:
        share = min(share, 1.0)  # counts can fall (unlikes); a share above 1 means nothing
    history = [
        VelocityPoint(minutes_after_post=int((at - post.createdAt).total_seconds() // 60),
                      interactions=count, views=views)
        for at, count, views in measured
    ]
    latest = measured[-1] if measured else None
    return Velocity(
        postId=post.postId,
        createdAt=iso_z(post.createdAt),
        measurements=len(measured),
        interactions_30min=values["first30min"],
        interactions_1h=hour,
        interactions_24h=day,
        first_hour_share=share,
        filled_from_stored_velocity=filled,
        latest_interactions=latest[1] if latest else None,
        latest_at=iso_z(latest[0]) if latest else None,
        history=_thin(history, MAX_POINTS),
    )
