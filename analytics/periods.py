"""Reporting periods: a half-open UTC interval that always travels with a readable label.

Every number CloudStro reports is "over some period"; carrying the label inside the period
means an answer can never quote a figure without also saying when it was measured.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Self

from pydantic import BaseModel, ConfigDict, model_validator

from cloudstro.store.records import UtcDateTime


def _span_text(length: timedelta) -> str:
    """Whole days read as days (the common case); anything else as hours, so it stays exact."""
    if length % timedelta(days=1) == timedelta(0):
        days = length.days
        return f"{days} day" if days == 1 else f"{days} days"
    hours = length.total_seconds() / 3600
    return f"{hours:g} hours"


def _dates_text(start: datetime, end: datetime) -> str:
    """Inclusive calendar dates: an end at exactly midnight belongs to the day before it."""
    last = end - timedelta(microseconds=1) if end.time() == datetime.min.time() else end
    return f"{start.date().isoformat()} to {last.date().isoformat()}"


class Period(BaseModel):
    """A half-open interval [start, end) in UTC with the label answers quote.

    Half-open so consecutive periods tile time without double-counting a post created
    exactly on the boundary.
    """

    model_config = ConfigDict(frozen=True)

    start: UtcDateTime
    end: UtcDateTime
    label: str

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise ValueError("a period must end after it starts")
        return self

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    @classmethod
    def last(cls, days: int, now: datetime) -> Period:
        """The `days` days up to `now`: the window users mean by "this week"."""
        if days < 1:
            raise ValueError("a period needs at least one day")
        end = _utc(now)
        start = end - timedelta(days=days)
        return cls(start=start, end=end,
                   label=f"last {_span_text(end - start)} ({_dates_text(start, end)})")

    @classmethod
    def between(cls, start: datetime, end: datetime, label: str | None = None) -> Period:
        """An explicit interval; the default label names its dates so it is never anonymous."""
        start, end = _utc(start), _utc(end)
        return cls(start=start, end=end, label=label or _dates_text(start, end))

    def previous(self) -> Period:
        """The same length immediately before: the fair comparison for "vs last week"."""
        start = self.start - self.length
        return Period(start=start, end=self.start,
                      label=f"previous {_span_text(self.length)} "
                            f"({_dates_text(start, self.start)})")

    def contains(self, moment: datetime) -> bool:
        return self.start <= _utc(moment) < self.end


def _utc(moment: datetime) -> datetime:
    """Naive times are refused: whose midnight it is decides which period a post falls in."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give a timezone-aware time")
    return moment.astimezone(UTC)
