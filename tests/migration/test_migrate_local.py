"""The migration on DynamoDB Local: every shape lands in its table the way the product writes
it, malformed items are quarantined with their reasons, a second run changes nothing, and a
run killed in the middle and resumed ends exactly where an uninterrupted run does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from boto3.dynamodb.conditions import Key
from click.testing import CliRunner

from cloudstro.cli.db import db
from cloudstro.store import Store
from cloudstro.store.codec import from_item
from cloudstro.store.crypto import make_cipher
from cloudstro.store.migration import MigrationOptions, migrate
from cloudstro.store.migration.source import Page
from cloudstro.store.runtime_keys import migration_progress_key
from cloudstro.store.tables import table_specs
from tests.migration.legacy import Legacy, create_source, generate, load_source

pytestmark = pytest.mark.integration

SOURCE = "legacy-single-table"
TARGETS = ("users", "accounts", "posts", "engagement", "insights")


class Interrupted(RuntimeError):
    """The injected failure that kills a run in the middle."""


@pytest.fixture
def legacy(local_store: Store) -> Iterator[Legacy]:
    data = generate(users=4, posts_per_user=3)
    source = f"{local_store.names.users}-{SOURCE}"  # unique per test, like the store's tables
    create_source(local_store.dynamo, source)
    load_source(local_store.dynamo, source, data.items)
    data.source = source
    yield data
    local_store.dynamo.client.delete_table(TableName=source)


def options(legacy: Legacy, tmp_path: Path, **changes: Any) -> MigrationOptions:
    values: dict[str, Any] = {"source": legacy.source, "segments": 3, "page_size": 7,
                              "quarantine_file": tmp_path / "quarantine.jsonl"}
    values.update(changes)
    return MigrationOptions(**values)


def scan_all(store: Store, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"TableName": table}
    while True:
        page = store.dynamo.client.scan(**params)
        items += [from_item(item) for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return items
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def targets(store: Store, *, decrypt: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Every target table's items, sorted by key; tokens decrypted when asked (two runs encrypt
    the same token differently unless the second reuses the first's ciphertext)."""
    cipher = make_cipher(store.settings)
    result = {}
    for spec in table_specs(store.settings):
        if spec.role not in TARGETS:
            continue
        items = scan_all(store, spec.name)
        if decrypt:
            for item in items:
                for name in ("accessToken", "refreshToken"):
                    if name in item:
                        item[name] = cipher.decrypt(item[name])
        result[spec.role] = sorted(items, key=lambda i: (i[spec.partition.name],
                                                         i[spec.sort.name]))
    return result


def clear_targets(store: Store) -> None:
    for spec in table_specs(store.settings):
        if spec.role not in TARGETS:
            continue
        table = store.dynamo.table(spec.name)
        with table.batch_writer() as batch:
            for item in scan_all(store, spec.name):
                batch.delete_item(Key={spec.partition.name: item[spec.partition.name],
                                       spec.sort.name: item[spec.sort.name]})


def test_every_shape_lands_as_the_product_writes_it(local_store: Store, legacy: Legacy,
                                                    tmp_path: Path) -> None:
    report = migrate(local_store, options(legacy, tmp_path))

    assert dict(report.tally.written) == dict(legacy.written)
    assert dict(report.tally.quarantined) == dict(legacy.quarantined)
    assert report.tally.scanned == len(legacy.items)
    assert report.verification is not None and report.verification.ok
    assert {c.role: (c.migrated, c.found) for c in report.verification.tables} == {
        role: (legacy.written[role], legacy.written[role]) for role in TARGETS}
    assert report.verification.sampled == sum(legacy.written.values())  # all, under the cap
    stored = targets(local_store)

    profile = next(p for p in stored["users"] if p["userId"] == "user_0003")
    assert (profile["recordType"], profile["isActive"], profile["status"]) == (
        "USER_PROFILE", False, "inactive")
    assert "GSI1PK" not in profile and "entityType" not in profile

    account = next(a for a in stored["accounts"] if a["platformAccountId"] == "twitter#00")
    assert (account["userId"], account["platform"], account["accountId"]) == (
        "user_0000", "twitter", "00")
    assert account["accountStatus"] == "inactive"  # isActive False, as the seed's repository
    assert account["id"] == "user_0000#twitter#00"
    cipher = make_cipher(local_store.settings)
    for item in stored["accounts"]:
        plaintext = legacy.tokens[f"{item['userId']}/{item['platformAccountId']}"]
        assert item["accessToken"].startswith("fernet:")
        assert plaintext not in item["accessToken"]
        assert cipher.decrypt(item["accessToken"]) == plaintext
    # The seed's platform-accountStatus-index answers after migration.
    inactive = local_store.accounts.by_platform_status("twitter", "inactive")
    assert {a.userId for a in inactive} == {"user_0000", "user_0003"}

    post = stored["posts"][0]
    assert post["postId"] == f"{post['platform']}#{post['id']}"
    assert (post["engagementScore"], post["engagementRate"], post["hasMedia"]) == (187, 3.74,
                                                                                  True)
    assert sorted(post["hashtags"]) == ["AI", "SocialMedia"]
    assert post["createdAtISO"] == post["createdAt"]

    snapshot = stored["engagement"][0]
    assert snapshot["postId"].startswith(f"{snapshot['platform']}#")  # the posts table's key
    assert snapshot["engagementId"] == f"{snapshot['postId']}#{snapshot['timestampISO']}"
    assert (snapshot["hourOfDay"], snapshot["hasHashtags"]) == (10, True)
    history = local_store.engagement.history_for_post(snapshot["userId"], snapshot["postId"])
    assert len(history) == 2

    raw = local_store.dynamo.table(local_store.names.insights).get_item(Key={
        "userId": "user_0001", "insightId": "optimal_timing_1632140400_user_00012"})["Item"]
    assert raw["confidenceScore"] == Decimal("0.85")  # a number, though the source had text
    assert raw["insightType"] == "optimal_timing" and raw["recordType"] == "ai_insight"
    confident = local_store.insights.high_confidence("optimal_timing", 0.8)
    assert len(confident) == legacy.written["insights"]

    lines = [json.loads(line) for line in
             (tmp_path / "quarantine.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(line["reason"] for line in lines) == sorted(legacy.quarantined.elements())
    conflict = next(line for line in lines if line["reason"] == "key_conflict")
    assert conflict["item"]["accessToken"] == "<redacted>"
    text = (tmp_path / "quarantine.jsonl").read_text(encoding="utf-8")
    assert "plain-access-stranger" not in text and "not-a-ciphertext" not in text
    invalid = {line["key"]["SK"]: line["detail"] for line in lines if line["reason"] == "invalid"}
    assert "engagement.likes" in invalid["POST#twitter#neg"]
    assert "legacyFlag" in invalid["POST#instagram#extra"]


def test_a_second_run_writes_the_same_items_once(local_store: Store, legacy: Legacy,
                                                 tmp_path: Path) -> None:
    migrate(local_store, options(legacy, tmp_path))
    first = targets(local_store)
    again = migrate(local_store, options(legacy, tmp_path, segments=2, page_size=None))

    assert targets(local_store) == first  # byte for byte, ciphertext included
    assert again.verification is not None and again.verification.ok
    assert dict(again.tally.written) == dict(legacy.written)


def test_a_killed_run_resumes_to_the_uninterrupted_result(local_store: Store, legacy: Legacy,
                                                          tmp_path: Path) -> None:
    whole = migrate(local_store, options(legacy, tmp_path))
    expected = targets(local_store, decrypt=True)
    clear_targets(local_store)

    finished: list[Page] = []

    def fail_after_four_pages(page: Page) -> None:
        finished.append(page)
        if len(finished) == 4:
            raise Interrupted("killed in the middle")

    with pytest.raises(Interrupted):
        migrate(local_store, options(legacy, tmp_path), after_page=fail_after_four_pages)
    halfway = targets(local_store)
    assert 0 < sum(map(len, halfway.values())) < sum(legacy.written.values())

    resumed = migrate(local_store, options(legacy, tmp_path, resume=True))

    assert resumed.resumed
    assert 0 < resumed.scanned_this_run < len(legacy.items)  # finished pages were not re-read
    assert targets(local_store, decrypt=True) == expected
    assert resumed.tally.as_dict() | {"pages": 0} == whole.tally.as_dict() | {"pages": 0}
    assert resumed.verification is not None and resumed.verification.ok
    lines = (tmp_path / "quarantine.jsonl").read_text(encoding="utf-8").splitlines()
    keys = [json.dumps(json.loads(line)["key"], sort_keys=True) for line in lines]
    assert len(keys) == len(set(keys)) == sum(legacy.quarantined.values())


def test_resume_refuses_another_segment_count(local_store: Store, legacy: Legacy,
                                              tmp_path: Path) -> None:
    with pytest.raises(Interrupted):
        migrate(local_store, options(legacy, tmp_path),
                after_page=lambda _page: (_ for _ in ()).throw(Interrupted()))
    from cloudstro.store.errors import MigrationError

    with pytest.raises(MigrationError, match="--segments 3"):
        migrate(local_store, options(legacy, tmp_path, segments=2, resume=True))


def test_dry_run_writes_nothing_but_the_report(local_store: Store, legacy: Legacy,
                                               tmp_path: Path) -> None:
    report = migrate(local_store, options(legacy, tmp_path, dry_run=True, quarantine_file=None))

    assert dict(report.tally.written) == dict(legacy.written)
    assert dict(report.tally.quarantined) == dict(legacy.quarantined)
    assert report.verification is None
    assert all(not items for items in targets(local_store).values())
    progress = local_store.dynamo.table(local_store.names.runtime).query(
        KeyConditionExpression=Key("PK").eq(migration_progress_key(legacy.source)))
    assert progress["Items"] == []


def test_command_prints_the_report_and_no_progress_line_off_a_terminal(
        local_store: Store, legacy: Legacy, tmp_path: Path) -> None:
    quarantine = tmp_path / "q.jsonl"
    result = CliRunner().invoke(db, ["migrate-from-pksk", "--source", legacy.source,
                                     "--segments", "2", "--quarantine", str(quarantine),
                                     "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["written"] == dict(legacy.written)
    assert report["quarantined"] == dict(legacy.quarantined)
    assert report["verification"]["ok"] is True
    assert "items/s" not in result.stderr
    assert len(quarantine.read_text(encoding="utf-8").splitlines()) == sum(
        legacy.quarantined.values())
