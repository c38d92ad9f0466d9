"""TikTok (API v2): public videos by cursor, metrics 20 ids at a time, rotating tokens.

Every answer carries `error.code` ("ok" on success); `rate_limit_exceeded` and
`access_token_invalid` are the signals to wait or renew, `scope_not_authorized` means the user
must grant access again. Token lifetimes changed in 2026 (2 h / 180 d), so the connector trusts
the `expires_in` of each answer and never assumes a lifetime.
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
from cloudstro.ingest.http import OAuthRules, ResponseRules, Verdict
from cloudstro.store.accounts import TokenState

PLATFORM = "tiktok"
VIDEO_FIELDS = ("id,create_time,title,video_description,duration,cover_image_url,share_url,"
                "view_count,like_count,comment_count,share_count")
PAGE_SIZE = 20


class TikTokRules(ResponseRules):
    def classify(self, response: httpx.Response, body: Any, now: float) -> Verdict:
        error = body.get("error") if isinstance(body, dict) else None
        code = error.get("code") if isinstance(error, dict) else None
        if code == "ok" and 200 <= response.status_code < 300:
            return Verdict("ok")
        if code == "rate_limit_exceeded":
            return Verdict("rate_limited", code=code)
        if code == "access_token_invalid":
            return Verdict("auth", code=code)
        if code == "scope_not_authorized":
            return Verdict("reauth", code=code)
        if code == "internal_error":
            return Verdict("retry", code=code)
        if code is None and 200 <= response.status_code < 300:
            return Verdict("fail", code="missing error.code")
        verdict = super().classify(response, body, now)
        return Verdict(verdict.kind, verdict.wait, code if isinstance(code, str) else None)


class TikTokConnector(Connector):
    platform = PLATFORM
    metric_batch = 20
    refresh_ahead = timedelta(minutes=5)

    def list_posts(self, window: ListingWindow) -> Iterator[list[FetchedPost]]:
        body: dict[str, Any] = {"max_count": PAGE_SIZE}
        while True:
            answer = self.http.post("/v2/video/list/", params={"fields": VIDEO_FIELDS},
                                    json=body)
            posts = self._videos(answer)
            yield posts
            more = require(PLATFORM, answer, "data.has_more", bool)
            if not more or not posts or posts[-1].created_at < window.oldest_wanted:
                return
            body["cursor"] = require(PLATFORM, answer, "data.cursor", int)

    def fetch_metrics(self, post_ids: list[str]) -> dict[str, Metrics]:
        answer = self.http.post("/v2/video/query/", params={"fields": VIDEO_FIELDS},
                                json={"filters": {"video_ids": post_ids}})
        return {post.id: post.metrics for post in self._videos(answer)}

    def refresh_tokens(self, state: TokenState) -> TokenGrant:
        client_key, secret = self.settings.tiktok_client_id, self.settings.tiktok_client_secret
        if not client_key:
            raise NotConfigured(PLATFORM, "TIKTOK_CLIENT_ID")
        if secret is None:
            raise NotConfigured(PLATFORM, "TIKTOK_CLIENT_SECRET")
        if state.refresh_token is None:
            raise ReauthRequired(PLATFORM, "no refresh token is stored for the account")
        form = {"client_key": client_key, "client_secret": secret.get_secret_value(),
                "grant_type": "refresh_token",
                "refresh_token": state.refresh_token.get_secret_value()}
        body = self.http.request("POST", "/v2/oauth/token/", data=form, authenticated=False,
                                 rules=OAuthRules())
        if isinstance(body, dict) and "error" in body and "access_token" not in body:
            raise ReauthRequired(PLATFORM, f"the platform refused the token refresh "
                                           f"({body.get('error')})")
        return grant_from(PLATFORM, body)

    def _videos(self, answer: Any) -> list[FetchedPost]:
        videos = require(PLATFORM, answer, "data.videos", list)
        return [self._video(video, index) for index, video in enumerate(videos)]

    def _video(self, video: Any, index: int) -> FetchedPost:
        where = f"data.videos[{index}]"
        if not isinstance(video, dict):
            raise MalformedResponse(PLATFORM, where, "expected an object")
        video_id = require(PLATFORM, video, "id", str, where)
        text = video.get("video_description") or video.get("title") or ""
        share_url = video.get("share_url") if isinstance(video.get("share_url"), str) else None
        metrics = Metrics(views=optional_count(PLATFORM, video, "view_count", where),
                          likes=optional_count(PLATFORM, video, "like_count", where),
                          comments=optional_count(PLATFORM, video, "comment_count", where),
                          shares=optional_count(PLATFORM, video, "share_count", where))
        return FetchedPost(
            id=video_id,
            created_at=parse_time(PLATFORM, video.get("create_time"), f"{where}.create_time"),
            content=text if isinstance(text, str) else "",
            url=share_url.split("?")[0] if share_url else None,
            media=(FetchedMedia("video", share_url.split("?")[0]),) if share_url else (),
            metrics=metrics,
        )
