"""What both benchmarks share: a private DynamoDB Local, fresh tables, timers and tables.

Every figure a benchmark prints is measured against a baseline taken in the same run on the
same engine, because absolute times on DynamoDB Local say little about AWS; ratios, request
counts and bytes do. The engine runs in memory on a free loopback port from a temporary
folder, reusing the npm package already installed under the checkout's `.cloudstro/engine`
(or `CLOUDSTRO_BENCH_ENGINE_DIR`), so nothing is downloaded when it is there.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:  # run as `python benchmarks/x.py` from anywhere
    sys.path.insert(0, str(PROJECT_ROOT))

from cloudstro.config import Settings  # noqa: E402
from cloudstro.store import Store  # noqa: E402
from cloudstro.store.demo import generate_demo  # noqa: E402
from cloudstro.store.dynamo import Dynamo, RequestMeter  # noqa: E402
from cloudstro.store.local import LocalEngine  # noqa: E402
from cloudstro.store.records import PLATFORMS, AIInsight, new_insight_id  # noqa: E402
from tests.support.settings import make_settings  # noqa: E402
from tests.support.tables import create_unswept_tables  # noqa: E402

T = TypeVar("T")
PAGE_BYTES = 1024 * 1024  # a Query page stops after reading 1 MB of items
READ_UNIT_BYTES = 4096  # one read unit covers 4 KB (strongly consistent); eventual is half


# ------------------------------------------------------------------------------ engine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _engine_cache() -> Path:
    return Path(os.environ.get("CLOUDSTRO_BENCH_ENGINE_DIR", PROJECT_ROOT / ".cloudstro"))


@contextmanager
def local_engine() -> Iterator[LocalEngine]:
    """DynamoDB Local in memory for one benchmark run, stopped and removed afterwards.

    The temporary data folder links `engine/` to the installed package, so the pid and log
    files stay private to this run while the jar is shared.
    """
    folder = Path(tempfile.mkdtemp(prefix="cloudstro-bench-"))
    cached = _engine_cache() / "engine"
    if cached.is_dir():
        (folder / "engine").symlink_to(cached.resolve(), target_is_directory=True)
    engine = LocalEngine(folder, free_port())
    # A terminated run still stops its engine: SIGTERM unwinds like Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        engine.start(in_memory=True)
        yield engine
    finally:
        engine.stop()
        shutil.rmtree(folder, ignore_errors=True)


def bench_settings(engine: LocalEngine, prefix: str | None = None) -> Settings:
    """Settings naming freshly prefixed tables on `engine`; no `.env` or environment leaks in."""
    prefix = prefix or f"b{uuid.uuid4().hex[:8]}-"
    return make_settings(
        prefix, _env_file=None, DYNAMODB_ENDPOINT_URL=engine.endpoint,
        CLOUDSTRO_DATA_DIR=str(engine.data_dir), CLOUDSTRO_LLM="offline",
        # Benchmarks read whole 1 MB pages on a shared machine: give each call the batch
        # budget, so a slow page is measured rather than timed out.
        DYNAMODB_READ_TIMEOUT_S="30", DYNAMODB_MAX_ATTEMPTS="5")


def bench_store(engine: LocalEngine) -> Store:
    """A store on `engine` with every table created under a fresh prefix."""
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    settings = bench_settings(engine)
    dynamo = Dynamo(settings, endpoint_url=engine.endpoint, use_local=True)
    create_unswept_tables(dynamo)  # the runs' clock is a fixed day, not the engine's
    return Store(dynamo, settings)


NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)  # a fixed "now": every run asks the same questions
UNTIL = NOW  # demo data ends at NOW, so nothing lies in the future
GROWTH_SIZES: tuple[int, ...] = (100, 1_000, 10_000)
INSIGHT_TYPES: tuple[str, ...] = ("optimal_timing", "content_strategy", "platform_focus",
                                  "engagement_trend", "user_note")


def growth_user(size: int) -> str:
    return f"bench_growth_{size:05d}"


def seed_growth_users(store: Store, sizes: Sequence[int] = GROWTH_SIZES,
                      progress: Callable[[str], None] = lambda _line: None) -> dict[int, str]:
    """One user per size holding exactly that many posts over the year before UNTIL.

    The posts come from one shuffled pool of demo posts (several demo users' year, re-keyed),
    and every size takes a prefix of the same pool, so the sizes differ only in volume: the
    share of posts in any week, platform or hour stays the same. Each user also gets a
    profile and accounts, as a real user has. Only posts are written (no snapshots): the
    growth runs read the posts partition alone.
    """
    largest = max(sizes)
    data = generate_demo(users=8, days=365, seed=5, until=UNTIL)
    pool = list(data.posts)
    if len(pool) < largest:
        raise RuntimeError(f"demo pool has {len(pool)} posts, fewer than {largest}")
    random.Random(2026).shuffle(pool)
    model = data.users[0]
    accounts = [account for account in data.accounts if account.fields["userId"] == model.userId]
    users: dict[int, str] = {}
    for size in sizes:
        user_id = growth_user(size)
        started = time.perf_counter()
        store.users.put(model.model_copy(update={"userId": user_id,
                                                 "email": f"{user_id}@example.com"}))
        store.accounts.put_many_prepared([
            store.accounts.prepare({**account.fields, "userId": user_id},
                                   account.access_token, account.refresh_token)
            for account in accounts])
        store.posts.put_many([post.model_copy(update={"userId": user_id})
                              for post in pool[:size]])
        progress(f"seeded {user_id}: {size:,} posts in {time.perf_counter() - started:.1f}s")
        users[size] = user_id
    return users


def seed_insights(store: Store, user_id: str, per_type: int = 4, now: datetime = NOW) -> int:
    """A realistic mix of a user's insights: every type, most live, some expired or inactive."""
    insights = []
    for type_index, insight_type in enumerate(INSIGHT_TYPES):
        for number in range(per_type):
            generated = now - timedelta(days=3 + 9 * number + type_index)
            valid_days = 30 if number % 3 else 7  # every third one has run out by `now`
            insights.append(AIInsight.model_validate({
                "userId": user_id,
                "insightId": new_insight_id(insight_type, generated, f"b{number}"),
                "type": insight_type,
                "platform": PLATFORMS[(type_index + number) % len(PLATFORMS)],
                "confidence": round(0.55 + 0.1 * ((number + type_index) % 5), 2),
                "recommendation": f"{insight_type.replace('_', ' ')} advice #{number}: post "
                                  "short videos in the evening, two or three hashtags",
                "reasoning": "Measured over the last 90 days of posts; the lift holds on every "
                             "platform with at least 20 posts in the period.",
                "data": {"liftPercent": 20 + number, "sample": 40 + 5 * number},
                "generatedAt": generated,
                "validUntil": generated + timedelta(days=valid_days),
                "isActive": number != per_type - 1,
                "metadata": {"aiModel": "cloudstro-analytics", "dataPoints": 40 + number,
                             "version": "1.0"},
            }))
    return store.insights.put_many(insights)


# ------------------------------------------------------------------------------ measuring


@dataclass(frozen=True)
class Cost:
    """What one call cost on the wire: requests, capacity units and response bytes."""

    requests: int
    capacity_units: float
    bytes_read: int


def metered(meter: RequestMeter, call: Callable[[], T]) -> tuple[T, Cost]:
    before = meter.snapshot()
    result = call()
    after = meter.snapshot()
    return result, Cost(after["total_requests"] - before["total_requests"],
                        round(after["capacity_units"] - before["capacity_units"], 2),
                        after["bytes_read"] - before["bytes_read"])


def timed(call: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def interleaved(calls: dict[str, Callable[[], Any]], repetitions: int, warmup: int = 2,
                before: Callable[[], Any] | None = None) -> dict[str, list[float]]:
    """Time each call `repetitions` times, alternating their order every round.

    Alternating (a b, b a, a b, ...) spreads drift in the engine, the garbage collector and
    the other work on the machine evenly over every side of the comparison. `before` runs
    untimed ahead of every call, to put the data back in the state being measured.
    """
    names = list(calls)
    for _ in range(warmup):
        for name in names:
            if before:
                before()
            calls[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(repetitions):
        order = names if round_number % 2 == 0 else names[::-1]
        for name in order:
            if before:
                before()
            seconds, _ = timed(calls[name])
            samples[name].append(seconds)
    return samples


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (`share` in 0-100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


# ------------------------------------------------------------------------------ item sizes


def attribute_size(value: Any) -> int:
    """A value's size by DynamoDB's billing rules (strings in UTF-8, numbers ~1 byte/2 digits)."""
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, bytes | bytearray):
        return len(value)
    if isinstance(value, int | float | Decimal):
        digits = len(str(abs(Decimal(str(value)))).replace(".", "").lstrip("0")) or 1
        return 1 + math.ceil(digits / 2)
    if isinstance(value, dict):
        return 3 + sum(len(str(key).encode()) + attribute_size(item) + 1
                       for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return 3 + sum(attribute_size(item) + 1 for item in value)
    return len(str(value).encode())


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + attribute_size(value) for name, value in item.items())


def eventual_read_units(total_bytes: int) -> float:
    """Read units a Query over `total_bytes` of items bills (eventually consistent)."""
    return max(1, math.ceil(total_bytes / READ_UNIT_BYTES)) * 0.5


def minimum_pages(total_bytes: int) -> int:
    """Fewest Query requests that can read `total_bytes` of items (1 MB per page)."""
    return max(1, math.ceil(total_bytes / PAGE_BYTES))


# ------------------------------------------------------------------------------ printing


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(header), *(len(row[i]) for row in cells)) if cells else len(header)
              for i, header in enumerate(headers)]
    numeric = [all(_looks_numeric(row[i]) for row in cells) and bool(cells)
               for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(value.rjust(widths[i]) if numeric[i] else value.ljust(widths[i])
                                 for i, value in enumerate(values)) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if numeric[i] else ("-" * (w + 2))
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(list(headers)), rule, *(line(row) for row in cells)])


def _looks_numeric(text: str) -> bool:
    stripped = text.replace(",", "").replace("x", "").replace("%", "").replace("ms", "")
    stripped = stripped.replace("µs", "").replace("s", "").strip()
    try:
        float(stripped)
    except ValueError:
        return False
    return True


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def kib(size: int) -> str:
    return f"{size / 1024:,.1f}"


def heading(text: str) -> None:
    print(f"\n## {text}\n", flush=True)


def note(text: str) -> None:
    print(text, flush=True)
