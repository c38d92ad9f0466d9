"""The insights engine: confidence-scored recommendations computed from each user's own data
and kept in cloudstro-ai-insights, so questions are answered from them without recomputing.

`build` (pure) turns posts into insight records, `engine` refreshes one user or all of them,
`answers` serves the agent's tools from a fresh stored insight before computing anything.
"""

from cloudstro.insights.build import ENGINE_TYPES, build_all, insight_id
from cloudstro.insights.engine import (
           RefreshSummary,
           SkippedUser,
           UserRefresh,
           refresh_all,
           refresh_user,
)

__all__ = ["ENGINE_TYPES", "RefreshSummary", "SkippedUser", "UserRefresh", "build_all",
           "insight_id", "refresh_all", "refresh_user"]
