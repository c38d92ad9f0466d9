"""The runtime table's key namespaces have one owner, and `Store` hands out its repositories.

Keys are data already stored: their spelling is pinned here, so moving code can never orphan a
link, a vote or a digest claim written by an earlier version.
"""

from __future__ import annotations

import re
import time
import tomllib
from pathlib import Path

from cloudstro.store import Store, runtime_keys
from cloudstro.store.claims import ClaimsRepository
from cloudstro.store.runtime import (
    DemoRunsRepository,
    FeedbackRepository,
    RuntimeRecords,
    SlackLinksRepository,
)

ROOT = Path(__file__).resolve().parents[2]
OWNER = ROOT / "store" / "runtime_keys.py"
# Today's namespaces, listed by hand as well, so deleting a constant cannot shrink the check.
KNOWN_PREFIXES = {"SLACKUSER#", "SLACKEVENT#", "FEEDBACK#", "DIGEST#", "SYNC#", "demo#"}


def _prefixes() -> set[str]:
    declared = {value for name, value in vars(runtime_keys).items()
                if name.endswith("_PREFIX") and isinstance(value, str)}
    return declared | KNOWN_PREFIXES


def _package_sources() -> list[Path]:
    """Every Python file of the installed packages (tests and benchmarks are not packages)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    folders = pyproject["tool"]["setuptools"]["package-dir"].values()
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


def test_every_namespace_is_declared_in_the_owner_module() -> None:
    declared = {value for name, value in vars(runtime_keys).items() if name.endswith("_PREFIX")}
    assert declared >= KNOWN_PREFIXES


def test_no_package_module_spells_a_runtime_key_prefix() -> None:
    sources = _package_sources()
    assert OWNER in sources and len(sources) > 50  # the walk really covers the packages
    offenders = []
    for path in sources:
        if path == OWNER:
            continue
        text = path.read_text(encoding="utf-8")
        for prefix in _prefixes():
            # A prefix at the start of a string or f-string literal, or in backquoted prose.
            if re.search(rf"""["'`]{re.escape(prefix)}""", text):
                offenders.append(f"{path.relative_to(ROOT)}: {prefix}")
    assert offenders == [], "build runtime-table keys with store.runtime_keys"


def test_no_prefix_is_the_start_of_another() -> None:
    prefixes = sorted(_prefixes())
    clashes = [(a, b) for a in prefixes for b in prefixes if a != b and b.startswith(a)]
    assert clashes == []


def test_keys_keep_the_format_already_stored() -> None:
    assert runtime_keys.slack_link_key("U0ALICE") == "SLACKUSER#U0ALICE"
    assert runtime_keys.SLACK_LINK_SK == "LINK"
    assert runtime_keys.slack_event_key("Ev01") == "SLACKEVENT#Ev01"
    assert runtime_keys.feedback_key("C1", "1.5", "U1") == ("FEEDBACK#C1#1.5", "SLACKUSER#U1")
    assert runtime_keys.digest_claim_key("u1", "weekly#2026-11-23") == (
        "DIGEST#u1#weekly#2026-11-23")
    assert runtime_keys.sync_claim_key("u1", "twitter#42") == "SYNC#u1#twitter#42"
    assert runtime_keys.demo_run_key("demo_user_003") == "demo#demo_user_003"
    assert runtime_keys.CLAIM_SK == "CLAIM"


def test_store_hands_out_one_repository_per_runtime_feature(moto_store: Store) -> None:
    runtime = moto_store.names.runtime
    repositories: dict[str, type[RuntimeRecords]] = {
        "claims": ClaimsRepository, "slack_links": SlackLinksRepository,
        "feedback": FeedbackRepository, "demo_runs": DemoRunsRepository}
    for attribute, kind in repositories.items():
        repository = getattr(moto_store, attribute)
        assert type(repository) is kind and repository.table_name == runtime
        assert getattr(moto_store, attribute) is repository  # built once per store
    assert moto_store.claims_owned_by("sync-7").owner == "sync-7"
    assert moto_store.claims_owned_by("sync-7").owner != moto_store.claims.owner


def test_each_repository_writes_its_own_namespace(moto_store: Store) -> None:
    moto_store.slack_links.put("u1", "U0ALICE", "T01", "2026-11-25T00:00:00Z")
    moto_store.feedback.put("C1", "1.5", "U0ALICE", {"value": "good"}, ttl_seconds=60)
    moto_store.demo_runs.put("demo_user_000", {"seed": 7})
    assert moto_store.claims.claim(runtime_keys.digest_claim_key("u1", "daily#2026-11-25"), 60)

    table = moto_store.dynamo.table(moto_store.names.runtime)
    keys = sorted((item["PK"], item["SK"]) for item in table.scan()["Items"])
    assert keys == [("DIGEST#u1#daily#2026-11-25", "CLAIM"),
                    ("FEEDBACK#C1#1.5", "SLACKUSER#U0ALICE"),
                    ("SLACKUSER#U0ALICE", "LINK"),
                    ("demo#demo_user_000", "DEMO_RUN")]
    link = moto_store.slack_links.get("U0ALICE")
    vote = moto_store.feedback.get("C1", "1.5", "U0ALICE")
    demo_run = moto_store.demo_runs.get("demo_user_000")
    assert link is not None and link["userId"] == "u1"
    assert vote is not None and vote["value"] == "good"
    assert demo_run is not None and demo_run["seed"] == 7
    assert moto_store.slack_links.get("U0BOB") is None


def test_an_expired_record_reads_as_absent_but_an_expired_claim_is_still_shown(
        moto_store: Store) -> None:
    past = time.time() - 3600
    moto_store.feedback.put_record("FEEDBACK#C1#2.0", "SLACKUSER#U1", {"value": "bad"},
                                   ttl_seconds=60, now=past)
    assert moto_store.feedback.get("C1", "2.0", "U1") is None
    assert moto_store.claims.claim("SYNC#u1#x#1", 60, now=past)
    claim = moto_store.claims.get_claim("SYNC#u1#x#1")
    assert claim is not None and claim["owner"] == moto_store.claims.owner
