"""What a conversation turn costs beside the tool work it does, and how it grows with posts.

The assistant runs with the deterministic offline model and its real conversation memory
(DynamoDBSaver) on DynamoDB Local. For each common question, a full turn
(`Assistant.respond`, new thread each time) and a direct call of the same tool functions with
the same arguments run interleaved in one process. Printed per question: DynamoDB requests
per turn (the store's and the conversation memory's, counted on their own clients), median
times and the agent/direct ratio. Best-time and content answers are stored as insights, so
they are measured twice: on a first ask (computed and stored) and once stored. Then the
weekly summary and best-time questions for users with 100, 1,000 and 10,000 posts (requests,
read units and bytes, not only time), and what the memory costs as one thread grows.

Run: `.venv/bin/python benchmarks/bench_agent.py` (3-4 minutes on an idle 2-core machine;
`--help` for knobs).
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace
from typing import Any

import boto3
from _harness import (
    GROWTH_SIZES,
    NOW,
    UNTIL,
    bench_store,
    heading,
    interleaved,
    kib,
    local_engine,
    markdown_table,
    median,
    ms,
    note,
    seed_growth_users,
    seed_insights,
    timed,
)
from langchain_core.tools import BaseTool, StructuredTool
from langgraph_checkpoint_aws import DynamoDBSaver

from cloudstro.agent.offline import OfflineChatModel
from cloudstro.agent.service import Assistant
from cloudstro.insights.build import insight_id
from cloudstro.store import Store
from cloudstro.store.demo import seed_demo
from cloudstro.store.dynamo import RequestMeter, report_consumed_capacity
from cloudstro.tools import ALL_TOOLS
from cloudstro.tools.context import UserContext

GOAL_RATIO = 1.5
USER = "demo_user_000"
DEMO_USERS, DEMO_DAYS, DEMO_SEED = 2, 120, 7
TOOLS = {tool.name: tool for tool in ALL_TOOLS}



@dataclass(frozen=True)
class Question:
    label: str
    text: str
    # Best-time and content answers are stored as an insight on first ask; a "first ask"
    # row deletes that insight (untimed) before every call, so each one computes afresh.
    forget: str | None = None


QUESTIONS: list[Question] = [
    Question("profile", "show my profile"),
    Question("accounts", "which accounts are connected?"),
    Question("recent posts", "show my recent posts"),
    Question("top posts", "what were my top posts this month?"),
    Question("weekly summary", "how did I do this week?"),
    Question("best time, first ask", "best time to post?", forget="optimal_timing"),
    Question("best time, stored", "best time to post?"),
    Question("content, first ask", "which hashtags work?", forget="content_strategy"),
    Question("content, stored", "which hashtags work?"),
    Question("insights", "show my insights"),
    Question("remember", "Remember that video beats images for me"),
]
GROWTH_QUESTIONS = [QUESTIONS[4], QUESTIONS[5], QUESTIONS[6]]


# ------------------------------------------------------------------------------ metering


class SentBytes:
    """Request bytes sent by one client: what the conversation memory writes per turn."""

    def __init__(self, client: Any) -> None:
        self.total = 0
        client.meta.events.register("before-send.dynamodb", self._count)

    def _count(self, request: Any, **_: Any) -> None:
        body = getattr(request, "body", b"") or b""
        self.total += len(body)


class RequestClock:
    """Wall time spent inside one client's DynamoDB calls (request, wait, parse), any thread.

    The graph saves checkpoints from worker threads, out of a profiler's sight; timing the
    client's own calls attributes that time wherever it runs.
    """

    def __init__(self, client: Any) -> None:
        self.seconds = 0.0
        self._started = threading.local()
        self._lock = threading.Lock()
        client.meta.events.register("before-call.dynamodb", self._start)
        client.meta.events.register("after-call.dynamodb", self._stop)

    def _start(self, **_: Any) -> None:
        self._started.at = time.perf_counter()

    def _stop(self, **_: Any) -> None:
        started = getattr(self._started, "at", None)
        if started is not None:
            with self._lock:
                self.seconds += time.perf_counter() - started


@dataclass(frozen=True)
class TurnCost:
    store_requests: Counter[str]
    store_units: float
    store_bytes: int
    memory_requests: Counter[str]
    memory_units: float
    memory_bytes_read: int
    memory_bytes_sent: int

    @property
    def store_total(self) -> int:
        return sum(self.store_requests.values())

    @property
    def memory_total(self) -> int:
        return sum(self.memory_requests.values())


class Meters:
    """The store's meter and one on the checkpointer's own boto3 client, read together."""

    def __init__(self, store: Store, checkpointer: DynamoDBSaver) -> None:
        self.store = store.dynamo.meter
        self.memory = RequestMeter()
        # DynamoDBSaver keeps its low-level boto3 client on `.client`; every checkpoint read
        # and write goes through it, so a botocore after-call hook there sees them all.
        checkpointer.client.meta.events.register("after-call.dynamodb", self.memory.record)
        self.sent = SentBytes(checkpointer.client)
        self.memory_clock = RequestClock(checkpointer.client)
        report_consumed_capacity(checkpointer.client)  # the store's client does already

    def cost(self, call: Callable[[], Any]) -> tuple[Any, TurnCost]:
        store_before, memory_before = self.store.snapshot(), self.memory.snapshot()
        sent_before = self.sent.total
        result = call()
        store_after, memory_after = self.store.snapshot(), self.memory.snapshot()
        return result, TurnCost(
            Counter(store_after["requests"]) - Counter(store_before["requests"]),
            round(store_after["capacity_units"] - store_before["capacity_units"], 2),
            store_after["bytes_read"] - store_before["bytes_read"],
            Counter(memory_after["requests"]) - Counter(memory_before["requests"]),
            round(memory_after["capacity_units"] - memory_before["capacity_units"], 2),
            memory_after["bytes_read"] - memory_before["bytes_read"],
            self.sent.total - sent_before,
        )


def operations(requests: Counter[str]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(requests.items())) or "-"


# ------------------------------------------------------------------------------ turns


def wrapped(tool: BaseTool) -> Callable[..., Any]:
    """The function `@tool` made `tool` from (its declared type, BaseTool, has no `.func`)."""
    assert isinstance(tool, StructuredTool) and tool.func is not None
    return tool.func


def direct_call(store: Store, user_id: str, calls: list[tuple[str, dict[str, Any]]]
                ) -> Callable[[], list[dict[str, Any]]]:
    """The turn's tool calls made straight on the tool functions, with the same context.

    `@tool` keeps the `@guarded` function on `.func`; the runtime it reads is any object whose
    `.context` is a UserContext, which is all the graph's ToolRuntime contributes here.
    """
    runtime = SimpleNamespace(context=UserContext(user_id=user_id, store=store, now=NOW))
    functions = {name: wrapped(TOOLS[name]) for name, _ in calls}

    def run() -> list[dict[str, Any]]:
        results = [functions[name](runtime=runtime, **args) for name, args in calls]
        for result in results:
            if "error" in result:
                raise RuntimeError(f"direct tool call failed: {result}")
        return results

    return run


def agent_turn(assistant: Assistant, user_id: str, question: str) -> Callable[[], Any]:
    def run() -> Any:
        reply = assistant.respond(user_id, None, question, now=NOW)
        if reply.failed or not reply.tool_calls:
            raise RuntimeError(f"turn failed for {question!r}: {reply.reply[:200]}")
        return reply

    return run


def tool_calls_of(assistant: Assistant, user_id: str, question: str
                  ) -> list[tuple[str, dict[str, Any]]]:
    reply = agent_turn(assistant, user_id, question)()
    return [(call.name, call.args) for call in reply.tool_calls]


def forgetter(store: Store, user_id: str, question: Question) -> Callable[[], None] | None:
    """Deletes the question's stored insight, so the next ask computes it: a first ask."""
    if question.forget is None:
        return None
    key = insight_id(question.forget, None)
    return lambda: store.insights.delete(user_id, key)


def repetitions(seconds_per_turn: float, budget_s: float, low: int = 5, high: int = 150) -> int:
    return max(low, min(high, int(budget_s / max(2 * seconds_per_turn, 1e-4))))


# ------------------------------------------------------------------------------ sections


def per_question(store: Store, assistant: Assistant, meters: Meters, budget_s: float) -> None:
    heading(f"One turn per question type ({USER}), agent beside direct tool calls")
    rows, ratios = [], []
    for question in QUESTIONS:
        forget = forgetter(store, USER, question)
        if forget:
            forget()
        calls = tool_calls_of(assistant, USER, question.text)
        agent = agent_turn(assistant, USER, question.text)
        direct = direct_call(store, USER, calls)
        if forget:
            forget()
        _, turn = meters.cost(agent)
        if forget:
            forget()
        _, alone = meters.cost(direct)
        if forget:
            forget()
        one_turn, _ = timed(agent)
        reps = repetitions(one_turn, budget_s)
        memory_before = meters.memory_clock.seconds
        samples = interleaved({"agent": agent, "direct": direct}, reps, warmup=0, before=forget)
        memory_s = (meters.memory_clock.seconds - memory_before) / reps
        agent_s, direct_s = median(samples["agent"]), median(samples["direct"])
        ratio = agent_s / direct_s
        ratios.append(ratio)
        tool = " + ".join(name for name, _ in calls)
        rows.append([
            question.label, tool, reps, ms(agent_s), ms(direct_s), f"{ratio:.2f}x",
            ms(agent_s - direct_s), ms(memory_s), turn.store_total, alone.store_total,
            operations(turn.store_requests), f"{turn.store_units:g}", kib(turn.store_bytes),
            turn.memory_total, operations(turn.memory_requests), kib(turn.memory_bytes_sent),
        ])
    print(markdown_table(
        ["question", "tool", "reps", "agent ms", "direct ms", "ratio", "overhead ms",
         "memory ms", "store req", "direct req", "store ops", "store CU", "store KiB read",
         "memory req", "memory ops", "memory KiB sent"], rows))
    within = sum(ratio <= GOAL_RATIO for ratio in ratios)
    note(f"\nRatio agent/direct: median {median(ratios):.2f}x, worst {max(ratios):.2f}x; "
         f"{within}/{len(ratios)} questions within the {GOAL_RATIO}x goal. overhead ms: median "
         "agent turn minus median direct call (graph, offline model, memory, JSON); memory ms: "
         "mean wall time per turn inside the conversation memory's DynamoDB calls.")
    note("store req: the store's DynamoDB requests in one turn; direct req: the same tools "
         "called directly (equal means the agent adds no data reads). store CU: read and "
         "write units. memory: the conversation memory's own requests (checkpoint load and "
         "save) in that turn, on its own client. 'first ask': the stored best-time/content "
         "insight is deleted (untimed) before each call, so the answer is computed and stored.")


def growth(store: Store, assistant: Assistant, meters: Meters, users: dict[int, str],
           reps: int, first_ask_reps: int) -> None:
    heading("A turn's cost as the user's posts grow")
    rows = []
    smallest = users[min(users)]
    for question in GROWTH_QUESTIONS:
        calls = tool_calls_of(assistant, smallest, question.text)  # same args at every size
        for size, user_id in sorted(users.items()):
            forget = forgetter(store, user_id, question)
            if not forget:
                tool_calls_of(assistant, user_id, question.text)  # warm: the answer is stored
            agent = agent_turn(assistant, user_id, question.text)
            direct = direct_call(store, user_id, calls)
            rounds = first_ask_reps if forget and size == max(users) else reps
            if forget:
                forget()
            (agent_first, _), turn = meters.cost(partial(timed, agent))
            samples = (interleaved({"agent": agent, "direct": direct}, rounds - 1, warmup=0,
                                   before=forget) if rounds > 1
                       else {"agent": [], "direct": []})
            if forget:
                forget()
            direct_first, _ = timed(direct)
            agent_s = median([agent_first, *samples["agent"]])
            direct_s = median([direct_first, *samples["direct"]])
            rows.append([
                question.label, f"{size:,}", rounds, ms(agent_s), ms(direct_s),
                f"{agent_s / direct_s:.2f}x", turn.store_total,
                operations(turn.store_requests), f"{turn.store_units:g}",
                kib(turn.store_bytes), turn.memory_total, kib(turn.memory_bytes_sent),
                f"{agent_s / size * 1e6:,.0f}",
            ])
    print(markdown_table(
        ["question", "posts", "reps", "agent ms", "direct ms", "ratio", "store req",
         "store ops", "store CU", "store KiB read", "memory req", "memory KiB sent",
         "µs per post"], rows))
    note("\nThe weekly summary (14 days: this week and the one before) reads the user's "
         "by-date index, so its requests, read units and bytes follow the posts in those two "
         "weeks, not the user's whole history. A first best-time ask analyses a year of posts "
         "(and stores the result); once stored, a best-time answer is one BatchGetItem (the "
         "profile, for the user's timezone, and the insight) at any size.")


def uncompressed_assistant(store: Store) -> Assistant:
    """The same assistant with checkpoint compression off, to show what compression saves.

    Built like `agent.memory.make_checkpointer` (same table, endpoint and TTL) with the
    saver's `enable_checkpoint_compression` switched off.
    """
    settings = store.settings
    session = boto3.Session(aws_access_key_id="local", aws_secret_access_key="local",
                            region_name=settings.aws_region)
    saver = DynamoDBSaver(table_name=settings.checkpoints_table, session=session,
                          region_name=settings.aws_region, endpoint_url=store.dynamo.endpoint_url,
                          ttl_seconds=settings.checkpoint_ttl_days * 86400,
                          enable_checkpoint_compression=False)
    return Assistant(store, model=OfflineChatModel(), checkpointer=saver)


def thread_growth(store: Store, assistant: Assistant, meters: Meters, turns: int) -> None:
    heading(f"Conversation memory as one thread grows ({turns} turns)")
    uncompressed = uncompressed_assistant(store)
    uncompressed_meters = Meters(store, uncompressed.checkpointer)
    asked = [QUESTIONS[index % 2] for index in range(turns)]  # profile, accounts, ...
    rows = []
    for number, asking in enumerate(asked, 1):
        row: list[Any] = [number, asking.label]
        for name, (who, metering) in {"product": (assistant, meters),
                                      "uncompressed": (uncompressed,
                                                       uncompressed_meters)}.items():
            respond = partial(who.respond, USER, f"bench-thread-{name}", asking.text, now=NOW)
            (seconds, reply), turn = metering.cost(partial(timed, respond))
            if reply.failed:
                raise RuntimeError(f"turn {number} failed: {reply.reply[:200]}")
            if name == "product":
                row += [ms(seconds), turn.memory_total, operations(turn.memory_requests)]
            else:
                row.append(ms(seconds))
            row += [f"{turn.memory_units:g}", kib(turn.memory_bytes_read),
                    kib(turn.memory_bytes_sent)]
        if number in (1, 2, 5, 10, 20) or number == turns:
            rows.append(row)
    print(markdown_table(["turn", "question", "turn ms", "memory req", "memory ops",
                          "memory CU", "KiB read", "KiB sent", "uncompressed: turn ms",
                          "uncompressed: memory CU", "uncompressed: KiB read",
                          "uncompressed: KiB sent"], rows))
    note("\nEach checkpoint holds the whole conversation, so a turn's memory reads and "
         "writes grow with the thread's length; the product compresses checkpoints (gzip). "
         "'uncompressed': the same turns with compression off, measured side by side.")


# ------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=float, default=5.0,
                        help="seconds of timed turns per question (both sides), default 5")
    parser.add_argument("--growth-reps", type=int, default=3,
                        help="interleaved repetitions per size in the growth run, default 3")
    parser.add_argument("--first-ask-reps", type=int, default=1,
                        help="repetitions of a first best-time ask at the largest size "
                             "(seconds each), default 1")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(GROWTH_SIZES),
                        help="post counts for the growth run, default 100 1000 10000")
    parser.add_argument("--thread-turns", type=int, default=20,
                        help="turns in the one-thread memory run, default 20")
    args = parser.parse_args()
    started = time.perf_counter()
    with local_engine() as engine:
        note(f"# Agent benchmark\n\nDynamoDB Local at {engine.endpoint} (in memory); offline "
             "model; conversation memory in DynamoDBSaver on the same engine.")
        store = bench_store(engine)
        seeded, _ = timed(lambda: seed_demo(store, users=DEMO_USERS, days=DEMO_DAYS,
                                            seed=DEMO_SEED, until=UNTIL))
        seed_insights(store, USER)
        posts = len(store.posts.list_for_user(USER))
        note(f"Seeded {DEMO_USERS} demo users x {DEMO_DAYS} days in {seeded:.1f}s; questions "
             f"asked as {USER} ({posts:,} posts, 20 insights) at {NOW:%Y-%m-%d %H:%M} UTC.")
        growth_s, users = timed(lambda: seed_growth_users(store, args.sizes, note))
        note(f"Growth users seeded in {growth_s:.1f}s.")

        assistant = Assistant(store, model=OfflineChatModel())
        if not isinstance(assistant.checkpointer, DynamoDBSaver):
            raise RuntimeError("the assistant's memory is not DynamoDBSaver")
        meters = Meters(store, assistant.checkpointer)

        per_question(store, assistant, meters, args.budget)
        growth(store, assistant, meters, users, args.growth_reps, args.first_ask_reps)
        thread_growth(store, assistant, meters, args.thread_turns)
    note(f"\nTotal run time {time.perf_counter() - started:.0f}s.")


if __name__ == "__main__":
    main()
