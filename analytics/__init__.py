"""Pure analysis of a user's posts: no I/O, only record models in and compact results out."""

from cloudstro.analytics.best_time import BestTimeResult, HourSlot, WeekSlot, best_posting_times
from cloudstro.analytics.content import ContentEntry, ContentReport, content_performance
from cloudstro.analytics.normalize import account_key, account_medians, post_outcomes
from cloudstro.analytics.performance import (
    Change,
    PerformanceSummary,
    PlatformPerformance,
    summarize_performance,
)
from cloudstro.analytics.periods import Period
from cloudstro.analytics.posts import PostBrief, TopBottom, rank_posts, top_and_bottom
from cloudstro.analytics.velocity import Velocity, VelocityPoint, engagement_velocity

ANALYTICS_VERSION = "1.1"

__all__ = [
    "ANALYTICS_VERSION",
    "BestTimeResult",
    "Change",
    "ContentEntry",
    "ContentReport",
    "HourSlot",
    "PerformanceSummary",
    "Period",
    "PlatformPerformance",
    "PostBrief",
    "TopBottom",
    "Velocity",
    "VelocityPoint",
    "WeekSlot",
    "account_key",
    "account_medians",
    "best_posting_times",
    "content_performance",
    "engagement_velocity",
    "post_outcomes",
    "rank_posts",
    "summarize_performance",
    "top_and_bottom",
]
