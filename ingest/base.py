"""What every platform connector gives the sync engine, and the shapes it gives them in.

A connector knows one platform's endpoints and response shapes and nothing about DynamoDB;
the engine knows high-water marks, refresh tiers and writes and nothing about any platform.
`Metrics` holds `None` for a number the platform did not report: unknown is not zero.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from pydantic import SecretStr

from cloudstro.config import Settings
from cloudstro.ingest.errors import MalformedResponse, ReauthRequired
from cloudstro.ingest.http import PlatformHttp
from cloudstro.store.accounts import TokenState


@dataclass(frozen=True)
class Metrics:
    """One measurement of a post, in CloudStro's metric names (see `store.platforms.METRICS`)."""

    views: int | None = None
    impressions: int | None = None
    reach: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None

    def merged(self, newer: Metrics) -> Metrics:
        """These values overlaid with every value `newer` knows."""
        known = {f.name: getattr(newer, f.name) for f in fields(newer)
                 if getattr(newer, f.name) is not None}
        return replace(self, **known)

    def known(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) is not None}


@dataclass(frozen=True)
class FetchedMedia:
    type: str  # one of the posts table's media types: image, video, gif, carousel, audio
    url: str
    thumbnail_url: str | None = None


@dataclass(frozen=True)
class FetchedPost:
    """A post as a platform lists it, before it becomes a record."""

    id: str
    created_at: datetime
    content: str
    url: str | None = None
    media: tuple[FetchedMedia, ...] = ()
    hashtags: tuple[str, ...] | None = None  # None: take them from the text
    metrics: Metrics = field(default_factory=Metrics)
    # True when the listing's numbers are partial and `fetch_metrics` completes them.
    needs_metrics: bool = False


@dataclass(frozen=True)
class ListingWindow:
    """Which posts a listing must return: newer than the high-water mark, inside the horizon."""

    horizon: datetime
    newest_at: datetime | None = None
    newest_id: str | None = None

    @property
    def oldest_wanted(self) -> datetime:
        return max(self.horizon, self.newest_at) if self.newest_at else self.horizon

    def wants(self, post: FetchedPost) -> bool:
        return post.created_at >= self.oldest_wanted and post.id != self.newest_id


@dataclass(frozen=True)
class TokenGrant:
    access_token: SecretStr
    refresh_token: SecretStr | None
    expires_in: int | None

    def expires_at(self, now: datetime) -> datetime | None:
        return now + timedelta(seconds=self.expires_in) if self.expires_in else None


class Connector(ABC):
    """One platform: list an account's posts newest first, measure known posts, renew tokens."""

    platform: ClassVar[str]
    # Posts measured per request by `fetch_metrics` (the platform's batch limit).
    metric_batch: ClassVar[int] = 1
    # Refresh the access token when it expires within this; None: tokens are not refreshable.
    refresh_ahead: ClassVar[timedelta | None] = None
    # False where the access token itself is what gets renewed (Instagram's long-lived token).
    renews_with_refresh_token: ClassVar[bool] = True

    def __init__(self, http: PlatformHttp, account_id: str, settings: Settings) -> None:
        self.http = http
        self.account_id = account_id
        self.settings = settings

    @abstractmethod
    def list_posts(self, window: ListingWindow) -> Iterator[list[FetchedPost]]:
        """Pages of the account's posts, newest first, stopping once past the window."""

    @abstractmethod
    def fetch_metrics(self, post_ids: list[str]) -> dict[str, Metrics]:
        """Current numbers of up to `metric_batch` known posts; a deleted post is left out."""

    def complete_metrics(self, posts: list[FetchedPost]) -> dict[str, Metrics]:
        """Full numbers for listed posts whose listing numbers were partial."""
        fresh = self.fetch_metrics([post.id for post in posts])
        return {post.id: post.metrics.merged(fresh[post.id]) if post.id in fresh
                else post.metrics for post in posts}

    def refresh_tokens(self, state: TokenState) -> TokenGrant:
        """New tokens from the platform; ReauthRequired when it refuses."""
        raise ReauthRequired(self.platform, "the platform's tokens cannot be renewed")


# ------------------------------------------------------------------------------ parsing


def require(platform: str, body: Any, path: str, kind: type | tuple[type, ...],
            where: str = "") -> Any:
    """The value at dotted `path` in `body`, of type `kind`, or MalformedResponse naming it.

    `where` locates `body` in the response (`data[3]`), so the error names the exact field.
    """
    field = f"{where}.{path}" if where else path
    value = body
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise MalformedResponse(platform, field, "missing")
        value = value[part]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise MalformedResponse(platform, field, f"expected {_kind_name(kind)}, "
                                                 f"got {type(value).__name__}")
    return value


def optional_count(platform: str, body: Mapping[str, Any], path: str,
                   where: str = "") -> int | None:
    """A non-negative count at dotted `path`, None when absent; anything else is malformed."""
    field = f"{where}.{path}" if where else path
    value: Any = body
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise MalformedResponse(platform, field, f"expected a count, got {type(value).__name__}")
    try:
        count = int(value)
    except ValueError:
        raise MalformedResponse(platform, field, "expected a count") from None
    if count < 0:
        raise MalformedResponse(platform, field, "negative count")
    return count


def parse_time(platform: str, value: Any, path: str) -> datetime:
    """ISO-8601 (X's `...Z`, Meta's `+0000`) or epoch seconds, as an aware UTC datetime."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
        if isinstance(value, str):
            text = value.replace("Z", "+00:00")
            if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
                text = text[:-2] + ":" + text[-2:]  # Meta writes +0000
            parsed = datetime.fromisoformat(text)
            if parsed.tzinfo is not None:
                return parsed.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise MalformedResponse(platform, path, "not a timestamp with a timezone")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {dict: "an object", list: "a list", str: "a string", int: "a number", bool: "a flag"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def grant_from(platform: str, body: Any) -> TokenGrant:
    """An OAuth token answer (X, TikTok) as a grant; a missing access token is malformed."""
    access = require(platform, body, "access_token", str)
    refresh = body.get("refresh_token")
    expires = body.get("expires_in")
    if refresh is not None and not isinstance(refresh, str):
        raise MalformedResponse(platform, "refresh_token", "expected a string")
    if expires is not None and (isinstance(expires, bool) or not isinstance(expires, int)):
        raise MalformedResponse(platform, "expires_in", "expected seconds")
    return TokenGrant(SecretStr(access), SecretStr(refresh) if refresh else None, expires)
