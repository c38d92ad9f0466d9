"""The one HTTP layer every connector uses: timeouts, retries, rate limits and token renewal.

Each platform signals trouble differently (X: 429 and `x-rate-limit-*` headers; Meta: error
codes 4/17/32/613 in a 400 body, 190 for a dead token; TikTok: `error.code` strings), so a
connector supplies `ResponseRules` that turn a response into a `Verdict`, and this layer acts
on verdicts the same way for all: back off with jitter and retry, wait for a rate-limit reset
when the wait is affordable, renew the access token once on rejection, or raise an error that
names the platform and path and never a token. Tokens travel in the Authorization header, so
no URL carries one (Meta's `paging.next` links do; `strip_token` removes it before use).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from cloudstro.config import Clock, utc_now
from cloudstro.ingest.errors import (
    AuthRejected,
    MalformedResponse,
    PlatformError,
    RateLimited,
    ReauthRequired,
)

VerdictKind = Literal["ok", "retry", "rate_limited", "auth", "reauth", "refused", "fail"]
_TOKEN_PARAMS = {"access_token", "client_secret", "refresh_token", "appsecret_proof"}

# httpx logs every request's full URL at INFO, and Instagram's token refresh must carry the
# token in its query string: keep those libraries' request lines out of the logs.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)


@dataclass(frozen=True)
class Verdict:
    kind: VerdictKind
    wait: float | None = None  # seconds the platform asked for, when it said
    code: str | None = None


class ResponseRules:
    """The generic reading of a response; each platform overrides what it signals differently."""

    def classify(self, response: httpx.Response, body: Any, now: float) -> Verdict:
        status = response.status_code
        if 200 <= status < 300:
            return Verdict("ok")
        if status == 429:
            return Verdict("rate_limited", retry_after(response))
        if status == 401:
            return Verdict("auth")
        if status >= 500:
            return Verdict("retry")
        return Verdict("fail")

    def wait_before_next(self, response: httpx.Response, now: float) -> float | None:
        """Seconds to hold off the next request after a success (a spent budget); None: none."""
        return None


class OAuthRules(ResponseRules):
    """Token endpoints: a 4xx means the platform refused the grant, which retrying won't fix."""

    def classify(self, response: httpx.Response, body: Any, now: float) -> Verdict:
        if 400 <= response.status_code < 500 and response.status_code != 429:
            code = body.get("error") if isinstance(body, dict) else None
            if isinstance(code, dict):  # Meta's shape
                code = code.get("code")
            return Verdict("refused", code=str(code) if code is not None else None)
        return super().classify(response, body, now)


class TokenSource(Protocol):
    def access_token(self) -> str: ...

    def renew_after_rejection(self) -> None: ...


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def strip_token(url: str) -> str:
    """`url` without credential query parameters (Meta echoes the token into paging links)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in _TOKEN_PARAMS]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_wait: float = 120.0  # longest rate-limit wait worth sitting through

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Exponential backoff with full jitter: spreads retries of many workers apart."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return ceiling * (0.5 + rng.random() / 2)


class PlatformHttp:
    """One platform's requests for one account's run, counted, on one pooled httpx client."""

    def __init__(self, platform: str, base_url: str, rules: ResponseRules, *,
                 client: httpx.Client, policy: RetryPolicy | None = None,
                 clock: Clock = utc_now, sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None) -> None:
        self.platform = platform
        self.base_url = base_url.rstrip("/")
        self.rules = rules
        self.client = client
        self.policy = policy or RetryPolicy()
        self.clock = clock
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.auth: TokenSource | None = None
        self.requests = 0
        self._hold_until: float | None = None
        self._lock = threading.Lock()

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, *, params: dict[str, Any] | None = None,
             json: Any = None) -> Any:
        return self.request("POST", path, params=params, json=json)

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                json: Any = None, data: dict[str, str] | None = None,
                authenticated: bool = True, rules: ResponseRules | None = None,
                basic_auth: tuple[str, str] | None = None) -> Any:
        """The parsed JSON body of a successful response, after whatever retrying it takes."""
        rules = rules or self.rules
        label = urlsplit(self.url(path)).path  # for messages: never the query string
        attempt = 0
        renewed = False
        while True:
            self._wait_for_budget(label)
            headers = {"Accept": "application/json"}
            if authenticated and self.auth is not None:
                headers["Authorization"] = f"Bearer {self.auth.access_token()}"
            try:
                response = self.client.request(method, self.url(path), params=params, json=json,
                                               data=data, headers=headers,
                                               auth=basic_auth or httpx.USE_CLIENT_DEFAULT)
            except httpx.TransportError as exc:
                with self._lock:
                    self.requests += 1
                attempt += 1
                if attempt >= self.policy.max_attempts:
                    raise PlatformError(self.platform, label, None,
                                        detail=f"{type(exc).__name__} after {attempt} attempts"
                                        ) from None
                self.sleep(self.policy.backoff(attempt, self.rng))
                continue
            with self._lock:
                self.requests += 1
            body = _json_or_none(response)
            now = self.clock().timestamp()
            verdict = rules.classify(response, body, now)
            if verdict.kind == "ok":
                if body is None:
                    raise MalformedResponse(self.platform, "body", f"{label} did not answer JSON")
                hold = rules.wait_before_next(response, now)
                if hold:
                    self._hold_until = now + hold
                return body
            if verdict.kind == "auth" and authenticated and self.auth is not None and not renewed:
                renewed = True
                self.auth.renew_after_rejection()
                continue
            if verdict.kind == "auth":
                raise AuthRejected(self.platform, f"{label} rejected the access token")
            if verdict.kind == "reauth":
                raise ReauthRequired(self.platform, f"{label}: {verdict.code or 'not authorized'}")
            if verdict.kind == "refused":
                raise ReauthRequired(self.platform, "the platform refused the token refresh"
                                     + (f" ({verdict.code})" if verdict.code else ""))
            if verdict.kind in ("retry", "rate_limited"):
                attempt += 1
                wait = verdict.wait if verdict.wait is not None else self.policy.backoff(
                    attempt, self.rng)
                if verdict.kind == "rate_limited" and wait > self.policy.max_wait:
                    raise RateLimited(self.platform, label, wait)
                if attempt >= self.policy.max_attempts:
                    raise PlatformError(self.platform, label, response.status_code, verdict.code,
                                        f"gave up after {attempt} attempts")
                self.sleep(wait)
                continue
            raise PlatformError(self.platform, label, response.status_code, verdict.code)

    def _wait_for_budget(self, label: str) -> None:
        """Sit out a spent rate-limit window the platform announced on the last success."""
        if self._hold_until is None:
            return
        wait = self._hold_until - self.clock().timestamp()
        self._hold_until = None
        if wait <= 0:
            return
        if wait > self.policy.max_wait:
            raise RateLimited(self.platform, label, wait)
        self.sleep(wait)


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
