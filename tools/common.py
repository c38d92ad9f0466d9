"""What every tool shares: the caller's identity from the runtime, and failure as data.

A tool never raises into the graph for what the model can act on: it gets
`{"error": ..., "hint": ...}` (retry with other arguments, or tell the user), and the user never
sees a stack trace. A store outage is the exception: no argument the model picks can fix it and
every later tool would meet it too, so `StoreUnavailableError` ends the turn and the channel
tells the user to try again shortly.
A stored item that cannot be read is not a failure of the whole answer: the store skips it,
and the tool's result counts it (`"unreadable": {"post": 1}`) so the answer can say so.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ParamSpec, TypeVar

from pydantic import ValidationError

from cloudstro.analytics import Period
from cloudstro.store.errors import StoreError, StoreUnavailableError, TableMissingError
from cloudstro.tools.context import UserContext

log = logging.getLogger("cloudstro.tools")

P = ParamSpec("P")
R = TypeVar("R")

MAX_LIMIT = 25


class ToolInputError(ValueError):
    """The model passed arguments the tool cannot use; the message says which and why."""


def caller(runtime: Any) -> UserContext:
    context = getattr(runtime, "context", None)
    if not isinstance(context, UserContext):
        raise RuntimeError("tool called without an authenticated user context")
    return context


def now_of(context: UserContext) -> datetime:
    return context.now or datetime.now(UTC)


def guarded(func: Callable[P, dict[str, Any]]) -> Callable[P, dict[str, Any]]:
    """Turn expected failures into an error result the model can act on; let an outage end
    the turn."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> dict[str, Any]:
        try:
            return func(*args, **kwargs)
        except ToolInputError as exc:
            return {"error": str(exc), "hint": "call the tool again with corrected arguments"}
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                 for e in exc.errors()[:3])
            return {"error": f"invalid value: {problems}",
                    "hint": "call the tool again with corrected arguments"}
        except TableMissingError:
            log.error("tool %s: table missing", func.__name__)
            return {"error": "this part of the data store is not set up yet",
                    "hint": "tell the user the data is unavailable; do not guess numbers"}
        except StoreUnavailableError:
            log.warning("tool %s: the data store is unavailable", func.__name__)
            raise
        except StoreError as exc:
            log.error("tool %s failed: %s", func.__name__, _failure_name(exc))
            return {"error": "the data store could not be read",
                    "hint": "tell the user the data is unavailable; do not guess numbers"}

    return wrapper


def unreadable(reads: Mapping[str, Sequence[Any]]) -> dict[str, Any]:
    """`{"unreadable": {noun: count}}` for the reads that skipped items, else nothing.

    `reads` maps a singular noun ("post") to what a repository returned; a `ReadList` carries
    the keys of the items it skipped.
    """
    counts = {noun: len(skipped) for noun, read in reads.items()
              if (skipped := getattr(read, "skipped", None))}
    return {"unreadable": counts} if counts else {}


def _failure_name(error: Exception) -> str:
    """DynamoDB's error code when the store kept one, else the error's kind."""
    return str(getattr(error, "code", "") or type(error).__name__)


def clamp_limit(limit: int | None, default: int = 10) -> int:
    if limit is None:
        return default
    if limit < 1:
        raise ToolInputError(f"limit must be at least 1, got {limit}")
    return min(limit, MAX_LIMIT)


def parse_day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise ToolInputError(f"{name} must be a date like 2026-11-24, got {value!r}") from exc


def resolve_period(now: datetime, days: int | None, start_date: str | None,
                   end_date: str | None, default_days: int = 30) -> Period:
    """The period a question is about, labelled as the user would say it ("last 7 days")."""
    start, end = _window(now, days, start_date, end_date, default_days)
    if start_date or end_date:
        return Period.between(start, end)
    return Period.last((end - start).days, end)


def _window(now: datetime, days: int | None, start_date: str | None,
                   end_date: str | None, default_days: int = 30) -> tuple[datetime, datetime]:
    """[start, end) in UTC from either a day count or explicit dates (end date inclusive)."""
    if start_date or end_date:
        if not (start_date and end_date):
            raise ToolInputError("give both start_date and end_date, or neither")
        start = datetime.combine(parse_day(start_date, "start_date"), time(), UTC)
        end = datetime.combine(parse_day(end_date, "end_date"), time(), UTC) + timedelta(days=1)
        if end <= start:
            raise ToolInputError("end_date must not be before start_date")
        if (end - start).days > 730:
            raise ToolInputError("a period can span at most 730 days")
        return start, end
    span = default_days if days is None else days
    if not 1 <= span <= 730:
        raise ToolInputError(f"days must be between 1 and 730, got {span}")
    return now - timedelta(days=span), now
