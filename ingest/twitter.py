"""X (API v2): a user's posts from `since_id`, metrics 100 ids at a time, rotating OAuth 2 tokens.

X bills every post read and caps a timeline at the newest 3,200 posts, so the listing asks for
everything a post record needs in one go (text, time, entities, attachments, public metrics)
and a re-sync starts from `since_id`: no post is read twice to find what is new. A spent
rate-limit window (`x-rate-limit-remaining: 0`) holds the next request until
`x-rate-limit-reset`; a 429 waits for the same reset.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx

from cloudstro.ingest.base import (
    Connector,
    FetchedMedia,
    FetchedPost,
    ListingWindow,
    Metrics,
    TokenGrant,
    grant_from,
    optional_count,
    parse_time,
    require,
)
from cloudstro.ingest.errors import MalformedResponse, NotConfigured, ReauthRequired
from cloudstro.ingest.http import OAuthRules, ResponseRules, Verdict, retry_after
from cloudstro.store.accounts import TokenState
from cloudstro.store.records import iso_z

PLATFORM = "twitter"
POST_FIELDS = "created_at,public_metrics,entities,attachments"
MEDIA_FIELDS = "type,url,preview_image_url,public_metrics"
PAGE_SIZE = 100
_MEDIA_TYPES = {"photo": "image", "video": "video", "animated_gif": "gif"}


class XRules(ResponseRules):
    def classify(self, response: httpx.Response, body: Any, now: float) -> Verdict:
        if response.status_code == 429:
            return Verdict("rate_limited", _until_reset(response, now) or retry_after(response))
        return super().classify(response, body, now)

    def wait_before_next(self, response: httpx.Response, now: float) -> float | None:
        if response.headers.get("x-rate-limit-remaining") == "0":
            return _until_reset(response, now)
        return None


def _until_reset(response: httpx.Response, now: float) -> float | None:
    reset = response.headers.get("x-rate-limit-reset")
    try:
        return max(0.0, float(reset) - now) if reset is not None else None
    except ValueError:
        return None


class TwitterConnector(Connector):
    platform = PLATFORM
    metric_batch = 100
    refresh_ahead = timedelta(minutes=5)

    def list_posts(self, window: ListingWindow) -> Iterator[list[FetchedPost]]:
        params: dict[str, Any] = {"max_results": PAGE_SIZE, "tweet.fields": POST_FIELDS,
                                  "expansions": "attachments.media_keys",
                                  "media.fields": MEDIA_FIELDS}
        if window.newest_id:
            params["since_id"] = window.newest_id
        params["start_time"] = iso_z(window.oldest_wanted)
        while True:
            body = self.http.get(f"/2/users/{self.account_id}/tweets", params)
            posts = self._posts(body)
            yield posts
            meta = body.get("meta") if isinstance(body, dict) else None
            token = meta.get("next_token") if isinstance(meta, dict) else None
            if not token or not posts:
                return
            params["pagination_token"] = token

    def fetch_metrics(self, post_ids: list[str]) -> dict[str, Metrics]:
        body = self.http.get("/2/tweets", {"ids": ",".join(post_ids),
                                           "tweet.fields": "public_metrics,attachments",
                                           "expansions": "attachments.media_keys",
                                           "media.fields": "type,public_metrics"})
        return {post.id: post.metrics for post in self._posts(body)}

    def refresh_tokens(self, state: TokenState) -> TokenGrant:
        client_id = self.settings.twitter_client_id
        if not client_id:
            raise NotConfigured(PLATFORM, "TWITTER_CLIENT_ID")
        if state.refresh_token is None:
            raise ReauthRequired(PLATFORM, "no refresh token is stored for the account")
        form = {"grant_type": "refresh_token", "client_id": client_id,
                "refresh_token": state.refresh_token.get_secret_value()}
        # A confidential client authenticates with Basic auth; a public one sends its id only.
        secret = self.settings.twitter_client_secret
        basic = (client_id, secret.get_secret_value()) if secret is not None else None
        body = self.http.request("POST", "/2/oauth2/token", data=form, authenticated=False,
                                 rules=OAuthRules(), basic_auth=basic)
        return grant_from(PLATFORM, body)

    # ------------------------------------------------------------------ parsing

    def _posts(self, body: Any) -> list[FetchedPost]:
        if not isinstance(body, dict):
            raise MalformedResponse(PLATFORM, "body", "expected an object")
        if "data" not in body:  # X omits `data` when there is nothing (result_count 0)
            return []
        items = require(PLATFORM, body, "data", list)
        media = _media_by_key(body)
        return [self._post(item, index, media) for index, item in enumerate(items)]

    def _post(self, item: Any, index: int, media: dict[str, dict[str, Any]]) -> FetchedPost:
        where = f"data[{index}]"
        if not isinstance(item, dict):
            raise MalformedResponse(PLATFORM, where, "expected an object")
        post_id = require(PLATFORM, item, "id", str, where)
        attached = [media[key] for key in _media_keys(item) if key in media]
        metrics = _metrics(item, attached, where)
        tags = None
        entities = item.get("entities")
        if isinstance(entities, dict) and isinstance(entities.get("hashtags"), list):
            tags = tuple(tag["tag"] for tag in entities["hashtags"]
                         if isinstance(tag, dict) and isinstance(tag.get("tag"), str))
        return FetchedPost(
            id=post_id,
            created_at=parse_time(PLATFORM, item.get("created_at"), f"{where}.created_at"),
            content=item["text"] if isinstance(item.get("text"), str) else "",
            url=f"https://x.com/i/status/{post_id}",
            media=tuple(FetchedMedia(_MEDIA_TYPES.get(m.get("type", ""), "image"),
                                     m.get("url") or m.get("preview_image_url")
                                     or f"https://x.com/i/status/{post_id}")
                        for m in attached),
            hashtags=tags,
            metrics=metrics,
        )


def _media_by_key(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    includes = body.get("includes")
    media = includes.get("media") if isinstance(includes, dict) else None
    if not isinstance(media, list):
        return {}
    return {m["media_key"]: m for m in media if isinstance(m, dict) and "media_key" in m}


def _media_keys(item: dict[str, Any]) -> list[str]:
    attachments = item.get("attachments")
    keys = attachments.get("media_keys") if isinstance(attachments, dict) else None
    return [key for key in keys if isinstance(key, str)] if isinstance(keys, list) else []


def _metrics(item: dict[str, Any], media: list[dict[str, Any]], where: str) -> Metrics:
    public = require(PLATFORM, item, "public_metrics", dict, where)
    path = f"{where}.public_metrics"

    def count(name: str) -> int | None:
        return optional_count(PLATFORM, public, name, path)

    retweets, quotes = count("retweet_count"), count("quote_count")
    views = [optional_count(PLATFORM, m, "public_metrics.view_count", "includes.media")
             for m in media if m.get("type") in ("video", "animated_gif")]
    known_views = [v for v in views if v is not None]
    return Metrics(
        likes=count("like_count"),
        comments=count("reply_count"),
        shares=None if retweets is None and quotes is None else (retweets or 0) + (quotes or 0),
        impressions=count("impression_count"),
        saves=count("bookmark_count"),
        views=max(known_views) if known_views else None,
    )
