"""The pieces under the engine: the platform registry, refresh tiers, and the HTTP layer's
retries, backoff and error messages (on httpx's MockTransport: no network, no server)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from cloudstro.config import Settings
from cloudstro.ingest.errors import PlatformError
from cloudstro.ingest.http import PlatformHttp, RetryPolicy, strip_token
from cloudstro.ingest.meta import MetaRules
from cloudstro.ingest.registry import CONNECTORS, api_base_url, connector_class
from cloudstro.ingest.schedule import is_due, refresh_interval
from cloudstro.store.platforms import (
    API_PLATFORMS,
    PLATFORM_NAMES,
    display_name,
    platform_info,
    platform_of_permalink,
)

NOW = datetime(2026, 9, 1, 12, tzinfo=UTC)


def test_registry_names_display_names_and_metrics() -> None:
    assert PLATFORM_NAMES == ("twitter", "instagram", "facebook", "tiktok", "rednote")
    assert [display_name(name) for name in PLATFORM_NAMES] == [
        "Twitter/X", "Instagram", "Facebook", "TikTok", "RedNote"]
    assert platform_info("X").name == "twitter" and platform_info("Xiaohongshu").name == "rednote"
    assert not platform_info("facebook").reports("views")
    assert not platform_info("instagram").reports("impressions")  # retired in 2025
    assert platform_info("twitter").reports("saves")
    assert platform_of_permalink("www.instagram.com") is platform_info("instagram")
    assert platform_of_permalink("instagram.com.evil.example") is None
    with pytest.raises(ValueError, match="unknown platform 'myspace'; known: twitter"):
        platform_info("myspace")


def test_every_api_platform_has_a_connector_and_a_base_url_setting() -> None:
    settings = Settings(_env_file=None)
    assert set(CONNECTORS) == set(API_PLATFORMS) == {"twitter", "instagram", "facebook",
                                                     "tiktok"}
    assert [api_base_url(settings, name) for name in API_PLATFORMS] == [
        "https://api.x.com", "https://graph.instagram.com", "https://graph.facebook.com",
        "https://open.tiktokapis.com"]
    with pytest.raises(ValueError, match="RedNote has no API to sync from"):
        connector_class("rednote")


@pytest.mark.parametrize(("age", "since_measured", "due"), [
    (timedelta(hours=10), timedelta(hours=2, minutes=59), False),
    (timedelta(hours=10), timedelta(hours=3), True),
    (timedelta(days=3), timedelta(hours=23), False),
    (timedelta(days=3), timedelta(days=1), True),
    (timedelta(days=20), timedelta(days=6), False),
    (timedelta(days=20), timedelta(days=7), True),
    (timedelta(days=45), timedelta(days=300), False),  # old posts only when asked
])
def test_refresh_tiers_by_post_age(age: timedelta, since_measured: timedelta,
                                   due: bool) -> None:
    assert is_due(NOW - age, NOW - since_measured, NOW) is due


def test_old_posts_are_measured_on_request_and_unmeasured_posts_always() -> None:
    assert refresh_interval(NOW - timedelta(days=45), NOW) is None
    assert is_due(NOW - timedelta(days=45), NOW - timedelta(days=60), NOW, include_old=True)
    assert is_due(NOW - timedelta(days=45), None, NOW)


def _http(handler, sleeps: list[float], rules=None, attempts: int = 4) -> PlatformHttp:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return PlatformHttp("facebook", "https://graph.example", rules or MetaRules(),
                        client=client, policy=RetryPolicy(max_attempts=attempts),
                        sleep=sleeps.append, rng=random.Random(7), clock=lambda: NOW)


def test_transport_errors_are_retried_with_jittered_exponential_backoff() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:
            raise httpx.ConnectTimeout("timed out", request=request)
        return httpx.Response(200, json={"data": []})

    sleeps: list[float] = []
    assert _http(handler, sleeps).get("/v24.0/1/posts") == {"data": []}
    assert len(calls) == 3
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0


def test_meta_throttling_codes_back_off_and_retry() -> None:
    answers = iter([httpx.Response(400, json={"error": {"code": 4, "message": "limit"}}),
                    httpx.Response(403, json={"error": {"code": 613, "message": "limit"}}),
                    httpx.Response(200, json={"data": [{"id": "1"}]})])
    sleeps: list[float] = []
    assert _http(lambda _r: next(answers), sleeps).get("/x") == {"data": [{"id": "1"}]}
    assert len(sleeps) == 2


def test_giving_up_names_platform_path_and_code_but_never_the_query() -> None:
    sleeps: list[float] = []
    http = _http(lambda _r: httpx.Response(503, text="busy"), sleeps, attempts=3)
    with pytest.raises(PlatformError) as failure:
        http.get("/v24.0/1/insights", {"access_token": "SECRET-TOKEN", "metric": "reach"})
    message = str(failure.value)
    assert message == "facebook: /v24.0/1/insights failed, HTTP 503, gave up after 3 attempts"
    assert "SECRET" not in message and len(sleeps) == 2


def test_a_non_retryable_error_fails_at_once() -> None:
    sleeps: list[float] = []
    http = _http(lambda _r: httpx.Response(400, json={"error": {"code": 10, "message": "no"}}),
                 sleeps)
    with pytest.raises(PlatformError, match="HTTP 400, code 10"):
        http.get("/v24.0/1/insights")
    assert sleeps == []


def test_paging_links_lose_their_credentials() -> None:
    link = ("https://graph.facebook.com/v24.0/4/posts?access_token=abc&limit=25&until=1624385168"
            "&__paging_token=enc")
    assert strip_token(link) == ("https://graph.facebook.com/v24.0/4/posts?limit=25"
                                 "&until=1624385168&__paging_token=enc")
