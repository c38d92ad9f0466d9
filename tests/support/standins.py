"""Local stand-ins of the X, Instagram, Facebook and TikTok APIs, answering in their real shapes.

Each stand-in is a small FastAPI app on 127.0.0.1 holding one account's posts and tokens in a
`PlatformState` that tests change directly: add posts, script a fault for the next matching
request (429 with a reset, 401, a malformed body, a retired metric), refuse refreshes. Every
request is logged, so tests count what sync asked for. Shapes follow the samples in the
research notes (X v2 `data`/`meta.next_token`, Meta `data`/`paging.next` and `error.code`,
TikTok `data.videos`/`cursor`/`has_more` with `error.code`).
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from tests.support.servers import LiveServer, start_server

# The OAuth client the stand-ins accept (a public X client; TikTok's key and secret).
X_CLIENT_ID = "x-client-id"
TIKTOK_CLIENT = ("tt-client-key", "tt-client-secret")


@dataclass
class StandInPost:
    id: str
    created_at: datetime
    text: str
    likes: int = 10
    comments: int = 2
    shares: int = 1
    views: int = 500
    impressions: int = 900
    saves: int = 3
    reach: int = 400
    media_type: str = "IMAGE"


@dataclass
class Fault:
    path_part: str
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


@dataclass
class PlatformState:
    """One platform account's data and tokens, plus scripted faults and a request log."""

    account_id: str
    posts: list[StandInPost] = field(default_factory=list)  # any order; served newest first
    access_tokens: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    spent_refresh_tokens: set[str] = field(default_factory=set)
    reused_refresh_tokens: list[str] = field(default_factory=list)
    refuse_refresh: bool = False
    faults: list[Fault] = field(default_factory=list)
    log: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    leaked_query_tokens: int = 0
    bearer_tokens_seen: list[str] = field(default_factory=list)
    retired_metrics: set[str] = field(default_factory=set)
    empty_insights: set[str] = field(default_factory=set)
    latency_s: float = 0.0
    rate_headers: dict[str, str] | None = None  # X: headers of successful timeline answers
    issued: itertools.count = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def newest_first(self) -> list[StandInPost]:
        return sorted(self.posts, key=lambda p: (p.created_at, int(p.id)), reverse=True)

    def fail_next(self, path_part: str, status: int, body: Any,
                  headers: dict[str, str] | None = None, times: int = 1) -> None:
        self.faults.append(Fault(path_part, status, body, headers or {}, times))

    def requests_to(self, path_part: str) -> int:
        return sum(1 for _, path, _ in self.log if path_part in path)

    def rotate(self, refresh_token: str) -> tuple[str, str] | None:
        """Spend `refresh_token` once and issue a new pair; None if it is unknown or spent."""
        with self.lock:
            if refresh_token in self.spent_refresh_tokens:
                self.reused_refresh_tokens.append(refresh_token)
                return None
            if self.refuse_refresh or refresh_token not in self.refresh_tokens:
                return None
            self.refresh_tokens.discard(refresh_token)
            self.spent_refresh_tokens.add(refresh_token)
            number = next(self.issued)
            access, refresh = f"access-{number}", f"refresh-{number}"
            self.access_tokens.add(access)
            self.refresh_tokens.add(refresh)
            return access, refresh


def _prepare(state: PlatformState, request: Request) -> Response | None:
    """Log the request, apply latency, and answer a scripted fault if one matches."""
    params = dict(request.query_params)
    if "access_token" in params and request.url.path != "/refresh_access_token":
        state.leaked_query_tokens += 1
    state.log.append((request.method, request.url.path, params))
    if (token := _bearer(request)) is not None:
        state.bearer_tokens_seen.append(token)
    if state.latency_s:
        time.sleep(state.latency_s)
    with state.lock:
        for fault in state.faults:
            if fault.path_part in request.url.path:
                fault.times -= 1
                if fault.times <= 0:
                    state.faults.remove(fault)
                if isinstance(fault.body, str):
                    return PlainTextResponse(fault.body, fault.status, headers=fault.headers)
                return JSONResponse(fault.body, fault.status, headers=fault.headers)
    return None


async def _form(request: Request) -> dict[str, str]:
    """An x-www-form-urlencoded body (token endpoints), parsed without python-multipart."""
    return dict(parse_qsl((await request.body()).decode()))


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:] if header.startswith("Bearer ") else None


def _iso_ms(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _meta_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


# ------------------------------------------------------------------------------------ X


def x_app(state: PlatformState) -> FastAPI:
    app = FastAPI()
    unauthorized = {"title": "Unauthorized", "type": "about:blank", "status": 401,
                    "detail": "Unauthorized"}

    def tweet(post: StandInPost) -> dict[str, Any]:
        tags = [{"start": 0, "end": len(word), "tag": word[1:]}
                for word in post.text.split() if word.startswith("#")]
        item: dict[str, Any] = {
            "id": post.id, "text": post.text, "created_at": _iso_ms(post.created_at),
            "edit_history_tweet_ids": [post.id],
            "public_metrics": {"retweet_count": post.shares, "reply_count": post.comments,
                               "like_count": post.likes, "quote_count": 0,
                               "bookmark_count": post.saves,
                               "impression_count": post.impressions}}
        if tags:
            item["entities"] = {"hashtags": tags}
        return item

    @app.get("/2/users/{user_id}/tweets")
    def timeline(user_id: str, request: Request) -> Response:
        if (fault := _prepare(state, request)) is not None:
            return fault
        if _bearer(request) not in state.access_tokens:
            return JSONResponse(unauthorized, 401)
        q = request.query_params
        posts = state.newest_first()
        if "since_id" in q:
            posts = [p for p in posts if int(p.id) > int(q["since_id"])]
        if "start_time" in q:
            start = datetime.fromisoformat(q["start_time"].replace("Z", "+00:00"))
            posts = [p for p in posts if p.created_at >= start]
        posts = posts[:3200]
        offset = int(q.get("pagination_token", "0"))
        size = int(q.get("max_results", "10"))
        page = posts[offset:offset + size]
        if not page:
            return JSONResponse({"meta": {"result_count": 0}})
        meta: dict[str, Any] = {"result_count": len(page), "newest_id": page[0].id,
                                "oldest_id": page[-1].id}
        if offset + size < len(posts):
            meta["next_token"] = str(offset + size)
        return JSONResponse({"data": [tweet(p) for p in page], "meta": meta},
                            headers=state.rate_headers or {"x-rate-limit-limit": "900",
                                                           "x-rate-limit-remaining": "899",
                                                           "x-rate-limit-reset": "0"})

    @app.get("/2/tweets")
    def lookup(request: Request) -> Response:
        if (fault := _prepare(state, request)) is not None:
            return fault
        if _bearer(request) not in state.access_tokens:
            return JSONResponse(unauthorized, 401)
        wanted = request.query_params["ids"].split(",")
        by_id = {p.id: p for p in state.posts}
        return JSONResponse({"data": [tweet(by_id[i]) for i in wanted if i in by_id]})

    @app.post("/2/oauth2/token")
    async def token(request: Request) -> Response:
        if (fault := _prepare(state, request)) is not None:
            return fault
        form = await _form(request)
        if form.get("client_id") != X_CLIENT_ID:
            return JSONResponse({"error": "unauthorized_client",
                                 "error_description": "Missing valid authorization header"}, 401)
        pair = state.rotate(form.get("refresh_token", ""))
        if pair is None:
            return JSONResponse({"error": "invalid_request",
                                 "error_description": "Value passed for the token was invalid."},
                                400)
        return JSONResponse({"token_type": "bearer", "expires_in": 7200,
                             "access_token": pair[0], "scope": "tweet.read users.read "
                             "offline.access", "refresh_token": pair[1]})

    return app


# ------------------------------------------------------------------------------ Meta


def _meta_error(code: int, message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": "OAuthException", "code": code,
                                   "fbtrace_id": "AbCdEfGhIjK"}}, status)


def _expired() -> JSONResponse:
    return _meta_error(190, "Error validating access token: Session has expired.")


def _insights(state: PlatformState, request: Request, object_id: str,
              values: dict[str, Any]) -> Response:
    metrics = request.query_params.get("metric", "").split(",")
    if any(metric in state.retired_metrics for metric in metrics):
        return _meta_error(100, "(#100) The value must be a valid insights metric")
    if object_id in state.empty_insights:
        return JSONResponse({"data": []})
    data = [{"name": metric, "period": "lifetime", "values": [{"value": values[metric]}],
             "title": metric, "description": metric,
             "id": f"{object_id}/insights/{metric}/lifetime"}
            for metric in metrics if metric in values]
    return JSONResponse({"data": data})


def instagram_app(state: PlatformState, base_url: str) -> FastAPI:
    app = FastAPI()

    @app.get("/refresh_access_token")
    def refresh(request: Request) -> Response:
        if (fault := _prepare(state, request)) is not None:
            return fault
        token = request.query_params.get("access_token", "")
        if state.refuse_refresh or token not in state.access_tokens:
            return _expired()
        number = next(state.issued)
        state.access_tokens.add(f"ig-access-{number}")
        return JSONResponse({"access_token": f"ig-access-{number}", "token_type": "bearer",
                             "expires_in": 5184000})

    @app.get("/v24.0/{object_id}/media")
    def media(object_id: str, request: Request) -> Response:
        if (fault := _prepare(state, request)) is not None:
            return fault
        if _bearer(request) not in state.access_tokens:
            return _expired()
        posts = state.newest_first()
        after = int(request.query_params.get("after", "0"))
        size = int(request.query_params.get("limit", "25"))
        page = posts[after:after + size]
        body: dict[str, Any] = {"data": [{
            "id": p.id, "caption": p.text, "media_type": p.media_type,
            "media_product_type": "REELS" if p.media_type == "VIDEO" else "FEED",
            "media_url": f"https://fakecontent.com/{p.id}", "like_count": p.likes,
            "comments_count": p.comments, "permalink": f"https://www.instagram.com/p/{p.id}/",
            "timestamp": _meta_time(p.created_at), "username": "username"} for p in page]}
        if after + size < len(posts):
            query = urlencode({"access_token": "echoed-token", "fields": "id",
                               "limit": size, "after": after + size})
            body["paging"] = {"cursors": {"before": "b", "after": str(after + size)},
                              "next": f"{base_url}/v24.0/{object_id}/media?{query}"}
        return JSONResponse(body)

    @app.get("/v24.0/{media_id}/insights")
    def insights(media_id: str, request: Request) -> Response:
        if (fault := _prepare(state, request)) is not None:
            return fault
        if _bearer(request) not in state.access_tokens:
            return _expired()
        post = next((p for p in state.posts if p.id == media_id), None)
        if post is None:
            return _meta_error(100, "Unsupported get request.")
        return _insights(state, request, media_id, {
            "views": post.views, "reach": post.reach, "likes": post.likes,
            "comments": post.comments, "shares": post.shares, "saved": post.saves,
            "impressions": post.impressions})

    return app


def facebook_app(state: PlatformState, base_url: str) -> FastAPI:
    app = FastAPI()

    def counts(post: StandInPost) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": post.id,
            "comments": {"data": [], "summary": {"order": "ranked", "total_count": post.comments,
                                                 "can_comment": True}},
            "reactions": {"data": [], "summary": {"total_count": post.likes,
                                                  "viewer_reaction": "NONE"}}}
        if post.shares:  # Facebook leaves `shares` out when nobody shared
            item["shares"] = {"count": post.shares}
        return item

    @app.get("/v24.0/")
    def by_ids(request: Request) -> Response:
        if (fault := _prepare(state, request)) is not None:
            return fault
        if _bearer(request) not in state.access_tokens:
            return _expired()
        by_id = {p.id: p for p in state.posts}
        return JSONResponse({i: counts(by_id[i])
                             for i in request.query_params["ids"].split(",") if i in by_id})

    @app.get("/v24.0/{page_id}/published_posts")
    def published(page_id: str, request: Request) -> Response:
        if (fault := _prepare(state, request)) is not None:
            return fault
        if _bearer(request) not in state.access_tokens:
            return _expired()
        q = request.query_params
        posts = state.newest_first()
        if q.get("since"):
            posts = [p for p in posts if p.created_at.timestamp() >= int(q["since"])]
        if q.get("until"):
            posts = [p for p in posts if p.created_at.timestamp() < int(q["until"])]
        size = int(q.get("limit", "25"))
        page = posts[:size]
        body: dict[str, Any] = {"data": [{
            **counts(p), "message": p.text, "created_time": _meta_time(p.created_at),
            "permalink_url": f"https://www.facebook.com/{p.id}"} for p in page]}
        if len(posts) > size:
            query = urlencode({"access_token": "echoed-token", "limit": size,
                               "since": q.get("since", ""),
                               "until": int(page[-1].created_at.timestamp()),
                               "__paging_token": "enc_token"})
            body["paging"] = {"next": f"{base_url}/v24.0/{page_id}/published_posts?{query}"}
        return JSONResponse(body)

    @app.get("/v24.0/{post_id}/insights")
    def insights(post_id: str, request: Request) -> Response:
        if (fault := _prepare(state, request)) is not None:
            return fault
        if _bearer(request) not in state.access_tokens:
            return _expired()
        post = next((p for p in state.posts if p.id == post_id), None)
        if post is None:
            return _meta_error(100, "Unsupported get request.")
        return _insights(state, request, post_id, {
            "post_total_media_view_unique": post.reach,
            "post_reactions_by_type_total": {"like": post.likes - 1, "love": 1},
            "post_clicks": 5, "post_impressions_unique": post.impressions})

    return app


# ------------------------------------------------------------------------------ TikTok


def _tiktok(data: Any, code: str = "ok", message: str = "", status: int = 200) -> JSONResponse:
    return JSONResponse({"data": data, "error": {"code": code, "message": message,
                                                 "log_id": "20260829194722CBE87ED59D5"}},
                        status)


def tiktok_app(state: PlatformState) -> FastAPI:
    app = FastAPI()

    def video(post: StandInPost) -> dict[str, Any]:
        return {"id": post.id, "create_time": int(post.created_at.timestamp()),
                "title": post.text[:20], "video_description": post.text, "duration": 12,
                "cover_image_url": f"https://p16-sign.tiktokcdn.com/{post.id}.image",
                "share_url": f"https://www.tiktok.com/@user/video/{post.id}?utm_source=x",
                "view_count": post.views, "like_count": post.likes,
                "comment_count": post.comments, "share_count": post.shares}

    def invalid() -> JSONResponse:
        return _tiktok({}, "access_token_invalid",
                       "The access token is invalid or not found in the request.", 401)

    @app.post("/v2/video/list/")
    async def video_list(request: Request) -> Response:
        if (fault := _prepare(state, request)) is not None:
            return fault
        if _bearer(request) not in state.access_tokens:
            return invalid()
        body = await request.json()
        posts = state.newest_first()
        if body.get("cursor") is not None:
            posts = [p for p in posts if p.created_at.timestamp() * 1000 < body["cursor"]]
        size = min(int(body.get("max_count", 10)), 20)
        page = posts[:size]
        cursor = int(page[-1].created_at.timestamp() * 1000) if page else 0
        return _tiktok({"videos": [video(p) for p in page], "cursor": cursor,
                        "has_more": len(posts) > size})

    @app.post("/v2/video/query/")
    async def video_query(request: Request) -> Response:
        if (fault := _prepare(state, request)) is not None:
            return fault
        if _bearer(request) not in state.access_tokens:
            return invalid()
        body = await request.json()
        by_id = {p.id: p for p in state.posts}
        return _tiktok({"videos": [video(by_id[i]) for i in body["filters"]["video_ids"]
                                   if i in by_id]})

    @app.post("/v2/oauth/token/")
    async def token(request: Request) -> Response:
        if (fault := _prepare(state, request)) is not None:
            return fault
        form = await _form(request)
        if (form.get("client_key"), form.get("client_secret")) != TIKTOK_CLIENT:
            return JSONResponse({"error": "invalid_client",
                                 "error_description": "Client key or secret is incorrect.",
                                 "log_id": "202206221854370101130062072500FFA2"}, 401)
        pair = state.rotate(form.get("refresh_token", ""))
        if pair is None:
            return JSONResponse({"error": "invalid_grant",
                                 "error_description": "Refresh token is invalid or expired.",
                                 "log_id": "202206221854370101130062072500FFA2"}, 400)
        return JSONResponse({"access_token": pair[0], "expires_in": 7200, "open_id": "open-1",
                             "refresh_expires_in": 15552000, "refresh_token": pair[1],
                             "scope": "user.info.basic,video.list", "token_type": "Bearer"})

    return app


# ------------------------------------------------------------------------------ running


@dataclass
class StandIns:
    """The four stand-ins running, with their states and the settings that point at them."""

    states: dict[str, PlatformState]
    servers: dict[str, LiveServer]

    @property
    def env(self) -> dict[str, str]:
        """Environment that points CloudStro at the stand-ins with their OAuth clients."""
        names = {"twitter": "TWITTER_API_URL", "instagram": "INSTAGRAM_API_URL",
                 "facebook": "FACEBOOK_API_URL", "tiktok": "TIKTOK_API_URL"}
        return {**{names[platform]: server.url for platform, server in self.servers.items()},
                "TWITTER_CLIENT_ID": X_CLIENT_ID, "TIKTOK_CLIENT_ID": TIKTOK_CLIENT[0],
                "TIKTOK_CLIENT_SECRET": TIKTOK_CLIENT[1]}

    def reset(self, account_ids: dict[str, str]) -> None:
        for platform, state in self.states.items():
            fresh = PlatformState(account_ids[platform])
            for name in state.__dataclass_fields__:
                setattr(state, name, getattr(fresh, name))

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()


def start_standins(account_ids: dict[str, str]) -> StandIns:
    states = {platform: PlatformState(account_ids[platform]) for platform in
              ("twitter", "instagram", "facebook", "tiktok")}
    servers: dict[str, LiveServer] = {"twitter": start_server(x_app(states["twitter"]),
                                                              lifespan="off"),
                                      "tiktok": start_server(tiktok_app(states["tiktok"]),
                                                             lifespan="off")}
    # Meta's paging links are absolute: the app needs its own URL, known once it listens.
    for platform, factory in (("instagram", instagram_app), ("facebook", facebook_app)):
        proxy = _LateBoundApp()
        server = start_server(proxy, lifespan="off")
        proxy.app = factory(states[platform], server.url)
        servers[platform] = server
    return StandIns(states, servers)


class _LateBoundApp:
    """An ASGI app whose target is set after the server has picked its port."""

    app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)
