"""Platform names for people come from the registry alone, and reading it loads no AWS SDK.

Two guards: what analytics, insights, digests and the offline responder write follows a change
of a display name in `store.platforms` (so none of them keeps its own spelling), and no module
of the product spells a platform's name for people in its own strings, rightly or wrongly
("Rednote", "Tiktok").
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cloudstro.agent.offline_answers import compose_answer
from cloudstro.agent.offline_intents import find_platform
from cloudstro.analytics import Period, summarize_performance
from cloudstro.digests.content import build_digest
from cloudstro.digests.schedule import latest_occurrence
from cloudstro.insights.build import focus_insight
from cloudstro.store import Store, platforms
from cloudstro.store.platforms import REGISTRY
from tests.support.builders import add_account, add_user, post

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("agent", "tools", "analytics", "digests", "insights", "store", "ingest", "cli",
            "channels", "config", "slackkit")
# Strings that name one fixed platform in the user's own words or about that platform alone:
# example questions, and the RedNote export importer's messages about RedNote exports.
ALLOWED: dict[str, set[str]] = {
    "cli/chat.py": {"Instagram"},
    "channels/slack/conversation.py": {"Instagram"},
    "cli/import_cmd.py": {"RedNote"},
    "ingest/rednote/importer.py": {"RedNote"},
    "ingest/rednote/table.py": {"RedNote"},
}
MARK = "Little-Red-Book-from-the-registry"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def renamed(monkeypatch: pytest.MonkeyPatch) -> str:
    """RedNote's display name changed in the registry, and only there."""
    for key, info in list(platforms._BY_ALIAS.items()):
        if info.name == "rednote":
            monkeypatch.setitem(platforms._BY_ALIAS, key, replace(info, display_name=MARK))
    return MARK


def _rednote_posts(count: int, interactions: int, start: datetime) -> list:
    return [post(user_id="u1", platform="rednote", post_id=f"r{i}",
                 created_at=(start - timedelta(days=i)).isoformat(), authorId="rn",
                 engagement={"likes": interactions + i, "shares": 2, "comments": 3})
            for i in range(count)]


def _twitter_posts(count: int, interactions: int, start: datetime) -> list:
    return [post(user_id="u1", platform="twitter", post_id=f"t{i}",
                 created_at=(start - timedelta(days=i, hours=1)).isoformat(), authorId="tw",
                 engagement={"likes": interactions - i, "shares": 1, "comments": 1})
            for i in range(count)]


def test_offline_answers_write_the_registry_name(renamed: str) -> None:
    accounts = {"accounts": [{"platform": "rednote", "handle": "@lin", "followers": 10,
                              "following": 1, "active": True, "syncStatus": "error",
                              "needsReconnecting": True, "statusReason": "refused"}],
                "count": 1}
    summary = {"period": "last 7 days", "overall": {"posts": 2, "interactions": 9},
               "platforms": [{"platform": "rednote", "posts": 2, "interactions": 9,
                              "engagement_per_post": 4.5}]}
    answer = compose_answer([("list_my_accounts", accounts), ("get_performance_summary",
                                                               summary)])
    assert answer.count(f"**{renamed}**") == 2
    assert find_platform("how is my rednote doing?") == "rednote"  # keys are unchanged


def test_analytics_and_insights_write_the_registry_name(renamed: str) -> None:
    posts = _rednote_posts(6, 300, NOW - timedelta(days=1))
    summary = summarize_performance(posts, Period.last(7, NOW), [], followers={"rednote": 900})
    assert summary.platforms[0].followers_denominator == f"900 {renamed} followers"

    focus = focus_insight("u1", posts + _twitter_posts(6, 30, NOW - timedelta(days=1)),
                          {}, NOW)
    assert focus is not None
    assert focus.recommendation.startswith(f"Put your effort into {renamed}:")
    assert f"{renamed}: 6 posts" in (focus.reasoning or "")


def test_the_digest_writes_the_registry_name(renamed: str, moto_store: Store) -> None:
    add_user(moto_store, "u1")
    add_account(moto_store, "u1", "rednote", "555", accountHandle="@lin_rn")
    moto_store.accounts.mark_reauth_required("u1", "rednote", "555", "refused", NOW)
    moto_store.posts.put_many(_rednote_posts(3, 50, NOW - timedelta(days=2)))
    profile = moto_store.users.get("u1")
    assert profile is not None and profile.digest is not None
    occurrence = latest_occurrence(profile.digest, profile.zone, NOW)
    assert occurrence is not None
    digest = build_digest(moto_store, profile, occurrence, NOW, None)
    assert digest.caveats[0].startswith(f"{renamed} @lin_rn needs reconnecting")
    assert f"report no views ({renamed})" in " ".join(digest.caveats)


def _strings(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module, docstrings left out (they describe, they don't show)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings]


def test_no_module_spells_a_platform_name_for_people_outside_the_registry() -> None:
    spellings: set[str] = set()
    for info in REGISTRY.values():
        spellings |= {info.display_name, info.display_name.split("/")[0],
                      info.name.capitalize(), info.name.upper()}
    pattern = re.compile(r"(?<![\w/])(" + "|".join(map(re.escape, sorted(
        spellings, key=len, reverse=True))) + r")(?![\w])")
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            relative = path.relative_to(REPO).as_posix()
            if relative == "store/platforms.py":
                continue
            for line, text in _strings(path):
                for spelled in pattern.findall(text):
                    if spelled not in ALLOWED.get(relative, set()):
                        found.append(f"{relative}:{line}: {spelled!r}")
    assert found == [], "read store.platforms instead"


def test_registry_and_analytics_import_without_boto3_or_cryptography() -> None:
    """Record models are plain data: analytics loads neither the AWS SDK nor the token cipher."""
    code = ("import sys, cloudstro.analytics, cloudstro.store.platforms, "
            "cloudstro.store.records, "
            "cloudstro.agent.offline_answers, cloudstro.agent.offline_intents; "
            "print(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('boto3', 'botocore', 'cryptography')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout.strip() == "[]"
