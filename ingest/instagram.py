"""Instagram (API with Instagram Login): media newest first, insights per media, 60-day tokens.

Insights ask only for current metrics, listed once in `INSIGHT_METRICS`: Meta retired
`impressions`, `plays` and `video_views` in 2025, and one retired name fails the whole call,
so the shared Graph helper retries metric by metric on `(#100)`. A media without insights yet
answers an empty data set; its numbers then stay unknown, not zero. The long-lived token is
renewed a week before it lapses through `GET /refresh_access_token`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from pydantic import SecretStr

from cloudstro.ingest.base import (
    Connector,
    FetchedMedia,
    FetchedPost,
    ListingWindow,
    Metrics,
    TokenGrant,
    optional_count,
    parse_time,
    require,
)
from cloudstro.ingest.errors import MalformedResponse
from cloudstro.ingest.http import OAuthRules
from cloudstro.ingest.meta import GRAPH_VERSION, count_value, fetch_insights, graph_pages
from cloudstro.store.accounts import TokenState

PLATFORM = "instagram"
MEDIA_FIELDS = ("id,caption,media_type,media_product_type,timestamp,permalink,media_url,"
                "thumbnail_url,like_count,comments_count")
PAGE_SIZE = 100
# Instagram's insight name -> CloudStro's metric name. Current metrics only (see docstring).
INSIGHT_METRICS: dict[str, str] = {
    "views": "views", "reach": "reach", "likes": "likes", "comments": "comments",
    "shares": "shares", "saved": "saves",
}
_MEDIA_TYPES = {"IMAGE": "image", "VIDEO": "video", "CAROUSEL_ALBUM": "carousel"}


class InstagramConnector(Connector):
    platform = PLATFORM
    metric_batch = 1
    refresh_ahead = timedelta(days=7)
    renews_with_refresh_token = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retired_metrics: set[str] = set()

    def list_posts(self, window: ListingWindow) -> Iterator[list[FetchedPost]]:
        params = {"fields": MEDIA_FIELDS, "limit": PAGE_SIZE}
        for items in graph_pages(self.http, f"/{GRAPH_VERSION}/{self.account_id}/media", params,
                                 "media"):
            posts = [self._post(item, index) for index, item in enumerate(items)]
            yield posts
            if not posts or posts[-1].created_at < window.oldest_wanted:
                return

    def fetch_metrics(self, post_ids: list[str]) -> dict[str, Metrics]:
        measured: dict[str, Metrics] = {}
        for post_id in post_ids:
            values = fetch_insights(self.http, post_id, INSIGHT_METRICS, self.retired_metrics)
            measured[post_id] = Metrics(**{
                ours: count_value(PLATFORM, values.get(theirs), f"insights.{theirs}")
                for theirs, ours in INSIGHT_METRICS.items()})
        return measured

    def refresh_tokens(self, state: TokenState) -> TokenGrant:
        body = self.http.request(
            "GET", "/refresh_access_token", authenticated=False, rules=OAuthRules(),
            params={"grant_type": "ig_refresh_token",
                    "access_token": state.access_token.get_secret_value()})
        access = require(PLATFORM, body, "access_token", str)
        expires = body.get("expires_in")
        if expires is not None and (isinstance(expires, bool) or not isinstance(expires, int)):
            raise MalformedResponse(PLATFORM, "expires_in", "expected seconds")
        return TokenGrant(SecretStr(access), None, expires)

    def _post(self, item: dict[str, Any], index: int) -> FetchedPost:
        where = f"media.data[{index}]"
        post_id = require(PLATFORM, item, "id", str, where)
        kind = _MEDIA_TYPES.get(str(item.get("media_type")), "image")
        url = item.get("media_url") or item.get("permalink")
        return FetchedPost(
            id=post_id,
            created_at=parse_time(PLATFORM, item.get("timestamp"), f"{where}.timestamp"),
            content=item["caption"] if isinstance(item.get("caption"), str) else "",
            url=item.get("permalink") if isinstance(item.get("permalink"), str) else None,
            media=(FetchedMedia(kind, url, item.get("thumbnail_url")),)
            if isinstance(url, str) else (),
            metrics=Metrics(likes=optional_count(PLATFORM, item, "like_count", where),
                            comments=optional_count(PLATFORM, item, "comments_count", where)),
            needs_metrics=True,
        )
