"""What Instagram and Facebook share: the Graph API's errors, paging and insights calls.

Meta reports throttling and dead tokens as error codes inside a JSON body (4, 17, 32, 613 and
80000-80014 mean "slow down"; 190 means the token is gone), and one retired metric name fails a
whole insights call with `(#100)`. Metric lists therefore live in one place per platform, and
`fetch_insights` falls back to one metric per request on #100, remembering which names the API
refused so later posts do not pay for them again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import httpx

from cloudstro.ingest.errors import MalformedResponse, PlatformError
from cloudstro.ingest.http import PlatformHttp, ResponseRules, Verdict, strip_token

GRAPH_VERSION = "v24.0"
THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
TRANSIENT_CODES = frozenset({1, 2})
TOKEN_INVALID = 190
INVALID_METRIC = 100


class MetaRules(ResponseRules):
    def classify(self, response: httpx.Response, body: Any, now: float) -> Verdict:
        error = body.get("error") if isinstance(body, dict) else None
        if 200 <= response.status_code < 300 and error is None:
            return Verdict("ok")
        code = error.get("code") if isinstance(error, dict) else None
        if code in THROTTLE_CODES:
            return Verdict("rate_limited", code=str(code))
        if code == TOKEN_INVALID:
            return Verdict("auth", code=str(code))
        if code in TRANSIENT_CODES:
            return Verdict("retry", code=str(code))
        if code is not None:
            return Verdict("fail", code=str(code))
        return super().classify(response, body, now)


def graph_list(platform: str, body: Any, what: str) -> tuple[list[dict[str, Any]], str | None]:
    """A Graph page's items and its `paging.next` link (None at the end)."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise MalformedResponse(platform, f"{what}.data", "expected a list")
    items = body["data"]
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise MalformedResponse(platform, f"{what}.data[{index}]", "expected an object")
    paging = body.get("paging")
    following = paging.get("next") if isinstance(paging, dict) else None
    if following is not None and not isinstance(following, str):
        raise MalformedResponse(platform, f"{what}.paging.next", "expected a link")
    return items, following


def graph_pages(http: PlatformHttp, edge: str, params: dict[str, Any], what: str
                ) -> Iterator[list[dict[str, Any]]]:
    """Each page of an edge's items, following `paging.next` to the end.

    The next page is asked for only when the caller wants it, so a caller that has seen enough
    stops the requests by leaving its loop. `paging.next` repeats the query with the token in
    it; the token is taken out (it travels in a header) and the link's own query replaces
    `params`.
    """
    link: str | None = edge
    query: dict[str, Any] | None = params
    while link:
        items, following = graph_list(http.platform, http.get(link, query), what)
        yield items
        link, query = (strip_token(following), None) if following else (None, None)


def insight_values(platform: str, body: Any) -> dict[str, Any]:
    """`{metric name: lifetime value}` from an insights answer; an empty data set is {}."""
    items, _ = graph_list(platform, body, "insights")
    values: dict[str, Any] = {}
    for index, item in enumerate(items):
        name = item.get("name")
        series = item.get("values")
        if not isinstance(name, str):
            raise MalformedResponse(platform, f"insights.data[{index}].name", "missing")
        if not isinstance(series, list) or not series or not isinstance(series[0], dict):
            raise MalformedResponse(platform, f"insights.data[{index}].values", "expected a list")
        values[name] = series[-1].get("value")
    return values


def fetch_insights(http: PlatformHttp, object_id: str, metrics: Iterable[str],
                   retired: set[str]) -> dict[str, Any]:
    """One object's insights; on #100 each metric alone, adding refused names to `retired`."""
    wanted = [metric for metric in metrics if metric not in retired]
    if not wanted:
        return {}
    path = f"/{GRAPH_VERSION}/{object_id}/insights"
    try:
        return insight_values(http.platform, http.get(path, {"metric": ",".join(wanted)}))
    except PlatformError as exc:
        if exc.code != str(INVALID_METRIC) or len(wanted) == 1:
            if exc.code == str(INVALID_METRIC):
                retired.update(wanted)
                return {}
            raise
    values: dict[str, Any] = {}
    for metric in wanted:
        try:
            values.update(insight_values(http.platform, http.get(path, {"metric": metric})))
        except PlatformError as exc:
            if exc.code != str(INVALID_METRIC):
                raise
            retired.add(metric)
    return values


def count_value(platform: str, value: Any, field: str) -> int | None:
    """An insight value as a count: ints as they are, a by-type dict summed, None as unknown."""
    if value is None:
        return None
    if isinstance(value, dict):
        try:
            return sum(int(part) for part in value.values())
        except (TypeError, ValueError):
            raise MalformedResponse(platform, field, "expected counts by type") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedResponse(platform, field, f"expected a count, got {type(value).__name__}")
    return value
