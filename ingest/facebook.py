"""Facebook Pages: published posts with counts, reach from post insights, page tokens.

Page tokens made from a long-lived user token do not expire, so there is nothing to refresh;
Meta's error 190 means the owner must connect the page again. Counts (reactions, comments,
shares) come with the listing and, for known posts, from one `?ids=` read per 50 posts; reach
(`post_total_media_view_unique`, which replaced the retired impressions family in 2026) and
reactions by type (a dict to sum) come from each post's insights. Facebook leaves `shares` out
of a post nobody shared, so there an absent `shares` is a real zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cloudstro.ingest.base import (
    Connector,
    FetchedMedia,
    FetchedPost,
    ListingWindow,
    Metrics,
    optional_count,
    parse_time,
    require,
)
from cloudstro.ingest.errors import MalformedResponse
from cloudstro.ingest.meta import GRAPH_VERSION, count_value, fetch_insights, graph_pages

PLATFORM = "facebook"
COUNT_FIELDS = "shares,comments.summary(true).limit(0),reactions.summary(true).limit(0)"
POST_FIELDS = f"id,message,created_time,permalink_url,attachments{{media_type,url}},{COUNT_FIELDS}"
PAGE_SIZE = 100
IDS_PER_READ = 50
INSIGHT_METRICS = ("post_total_media_view_unique", "post_reactions_by_type_total", "post_clicks")
_MEDIA_TYPES = {"photo": "image", "video": "video", "album": "carousel", "animated_image_video":
                "gif"}


class FacebookConnector(Connector):
    platform = PLATFORM
    metric_batch = IDS_PER_READ
    refresh_ahead = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retired_metrics: set[str] = set()

    def list_posts(self, window: ListingWindow) -> Iterator[list[FetchedPost]]:
        params = {"fields": POST_FIELDS, "limit": PAGE_SIZE,
                  "since": int(window.oldest_wanted.timestamp())}
        for items in graph_pages(self.http, f"/{GRAPH_VERSION}/{self.account_id}/published_posts",
                                 params, "published_posts"):
            posts = [self._post(item, index) for index, item in enumerate(items)]
            yield posts
            if not posts or posts[-1].created_at < window.oldest_wanted:
                return

    def fetch_metrics(self, post_ids: list[str]) -> dict[str, Metrics]:
        body = self.http.get(f"/{GRAPH_VERSION}/", {"ids": ",".join(post_ids),
                                                    "fields": COUNT_FIELDS})
        if not isinstance(body, dict):
            raise MalformedResponse(PLATFORM, "body", "expected an object keyed by post id")
        measured: dict[str, Metrics] = {}
        for post_id in post_ids:
            item = body.get(post_id)
            if not isinstance(item, dict):
                continue  # deleted or no longer visible
            measured[post_id] = _counts(item, post_id).merged(self._insights(post_id))
        return measured

    def complete_metrics(self, posts: list[FetchedPost]) -> dict[str, Metrics]:
        """The listing already holds the counts; only insights are missing."""
        return {post.id: post.metrics.merged(self._insights(post.id)) for post in posts}

    def _insights(self, post_id: str) -> Metrics:
        values = fetch_insights(self.http, post_id, INSIGHT_METRICS, self.retired_metrics)
        return Metrics(
            reach=count_value(PLATFORM, values.get("post_total_media_view_unique"),
                              "insights.post_total_media_view_unique"),
            likes=count_value(PLATFORM, values.get("post_reactions_by_type_total"),
                              "insights.post_reactions_by_type_total"),
        )

    def _post(self, item: dict[str, Any], index: int) -> FetchedPost:
        where = f"published_posts.data[{index}]"
        post_id = require(PLATFORM, item, "id", str, where)
        return FetchedPost(
            id=post_id,
            created_at=parse_time(PLATFORM, item.get("created_time"), f"{where}.created_time"),
            content=item["message"] if isinstance(item.get("message"), str) else "",
            url=item.get("permalink_url") if isinstance(item.get("permalink_url"), str)
            else None,
            media=_media(item),
            metrics=_counts(item, where),
            needs_metrics=True,
        )


def _counts(item: dict[str, Any], where: str) -> Metrics:
    likes = optional_count(PLATFORM, item, "reactions.summary.total_count", where)
    comments = optional_count(PLATFORM, item, "comments.summary.total_count", where)
    shares = optional_count(PLATFORM, item, "shares.count", where)
    # Facebook omits `shares` when nobody shared; the other counts were asked for explicitly.
    return Metrics(likes=likes, comments=comments, shares=shares if shares is not None else 0)


def _media(item: dict[str, Any]) -> tuple[FetchedMedia, ...]:
    attachments = item.get("attachments")
    data = attachments.get("data") if isinstance(attachments, dict) else None
    if not isinstance(data, list):
        return ()
    return tuple(FetchedMedia(_MEDIA_TYPES.get(str(a.get("media_type")), "image"), a["url"])
                 for a in data if isinstance(a, dict) and isinstance(a.get("url"), str))
