"""The mapping, on moto: the seed's own example records survive the trip through a PK/SK table,
key parts are authoritative, a mapping file describes other prefixes, and a re-run never
undoes what the product did to an account since."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from cloudstro.store import Store
from cloudstro.store.codec import from_item
from cloudstro.store.crypto import make_cipher
from cloudstro.store.errors import MigrationError
from cloudstro.store.migration import DEFAULT_MAPPING, MigrationOptions, load_mapping, migrate
from cloudstro.store.migration.mapping import KEY_CONFLICT, UNMAPPED, Mapped, Rejected
from tests.migration.legacy import create_source, load_source
from tests.support.seed import seed_examples

SOURCE = "legacy"
# The seed's five examples in table order, and the key each has in a generic single table.
SEED_KEYS = (
    ("USER#user_12345", "PROFILE"),
    ("USER#user_12345", "SOCIAL#twitter#987654321"),
    ("USER#user_12345", "POST#twitter#1234567890"),
    ("USER#user_12345", "ENGAGEMENT#twitter#1234567890#2025-09-20T10:00:00Z"),
    ("USER#user_12345", "INSIGHT#optimal_timing_1632140400_abc123"),
)


def legacy_of(example: dict[str, Any], pk: str, sk: str) -> dict[str, Any]:
    """A seed record as a single-table design stores it: generic keys, no named key columns."""
    item = {name: value for name, value in example.items()
            if name not in ("userId", "recordType", "platformAccountId", "postId",
                            "engagementId", "insightId")}
    return {"PK": pk, "SK": sk, **item}


def run(store: Store, items: list[dict[str, Any]], tmp_path: Path, **changes: Any):
    create_source(store.dynamo, SOURCE)
    load_source(store.dynamo, SOURCE, items)
    values: dict[str, Any] = {"source": SOURCE, "segments": 2,
                              "quarantine_file": tmp_path / "q.jsonl"}
    values.update(changes)
    return migrate(store, MigrationOptions(**values))


def stored(store: Store, table: str) -> list[dict[str, Any]]:
    return [from_item(item) for item in store.dynamo.client.scan(TableName=table)["Items"]]


def test_the_seeds_examples_come_out_as_the_seeds_records(moto_store: Store,
                                                          tmp_path: Path) -> None:
    examples = seed_examples()
    items = [legacy_of(example, pk, sk) for example, (pk, sk) in zip(examples, SEED_KEYS,
                                                                     strict=True)]
    report = run(moto_store, items, tmp_path)

    assert report.tally.quarantined == {}
    assert report.verification is not None and report.verification.ok
    names = moto_store.names
    users, accounts, posts, snapshots, insights = (
        stored(moto_store, table) for table in (names.users, names.accounts, names.posts,
                                                names.engagement, names.insights))
    assert users == [examples[0]]
    assert posts == [examples[2]]
    assert insights == [examples[4]]  # confidenceScore a number, TTL as the seed had it
    account = accounts[0]
    cipher = make_cipher(moto_store.settings)
    assert cipher.decrypt(account.pop("accessToken")) == examples[1]["accessToken"]
    assert cipher.decrypt(account.pop("refreshToken")) == examples[1]["refreshToken"]
    expected_account = {k: v for k, v in examples[1].items()
                        if k not in ("accessToken", "refreshToken")}
    assert account == expected_account
    # A snapshot's post id is the posts table's key, so one post's history is a key query.
    expected_snapshot = {**examples[3], "postId": "twitter#1234567890",
                         "engagementId": "twitter#1234567890#2025-09-20T10:00:00Z"}
    assert snapshots == [expected_snapshot]


def test_key_parts_are_authoritative_and_spelled_as_the_product_spells_them() -> None:
    alias = DEFAULT_MAPPING.map_item({"PK": "USER#u1", "SK": "SOCIAL#x#123"})
    assert isinstance(alias, Mapped)
    assert (alias.data["platform"], alias.data["accountId"]) == ("twitter", "123")

    key = "ENGAGEMENT#twitter#123#2025-09-20T10:00:00Z"
    for agreeing in ({"postId": "123"}, {"postId": "twitter#123"},
                     {"timestamp": "2025-09-20T10:00:00.000+00:00"}):
        mapped = DEFAULT_MAPPING.map_item({"PK": "USER#u1", "SK": key, **agreeing})
        assert isinstance(mapped, Mapped), agreeing
        assert mapped.data["postId"] == "twitter#123"
        assert mapped.data["timestamp"] == "2025-09-20T10:00:00Z"

    conflict = DEFAULT_MAPPING.map_item({"PK": "USER#u1", "SK": key, "postId": "999"})
    assert isinstance(conflict, Rejected) and conflict.reason == KEY_CONFLICT
    assert "postId" in conflict.detail

    for unknown in ({"PK": "USER#u1", "SK": "SETTINGS"}, {"SK": "PROFILE"},
                    {"PK": "USER#u1", "SK": 7}):
        rejected = DEFAULT_MAPPING.map_item(unknown)
        assert isinstance(rejected, Rejected) and rejected.reason == UNMAPPED


def test_a_mapping_file_describes_other_prefixes(moto_store: Store, tmp_path: Path) -> None:
    mapping_file = tmp_path / "mapping.toml"
    mapping_file.write_text('''
ignore = ["GSI1PK", "kind"]

[[shapes]]
name = "connection"
target = "accounts"
pk = "TENANT#{userId}"
sk = "CONN#{platform}#{accountId}"
rename = { token = "accessToken", followers = "followerCount" }
defaults = { permissions = ["read"] }
''', encoding="utf-8")
    mapping = load_mapping(mapping_file)
    account = {"PK": "TENANT#t1", "SK": "CONN#instagram#55", "kind": "conn", "token": "plain-1",
               "followers": 10, "accountName": "T1", "accountHandle": "@t1",
               "followingCount": 2, "tokenExpiresAt": "2025-12-20T10:00:00Z",
               "connectedAt": "2025-09-20T10:00:00Z", "createdAt": "2025-09-20T10:00:00Z",
               "updatedAt": "2025-09-20T10:00:00Z"}
    broken = {**account, "SK": "CONN#instagram#56", "followers": -3}
    profile = {"PK": "USER#t1", "SK": "PROFILE", "email": "t1@example.com", "username": "t1",
               "fullName": "T1", "createdAt": "2025-09-20T10:00:00Z",
               "updatedAt": "2025-09-20T10:00:00Z"}

    report = run(moto_store, [account, broken, profile], tmp_path, mapping=mapping)

    assert dict(report.tally.written) == {"accounts": 1, "users": 1}  # defaults still apply
    assert dict(report.tally.quarantined) == {"invalid": 1}
    (item,) = stored(moto_store, moto_store.names.accounts)
    assert (item["userId"], item["platformAccountId"], item["followerCount"]) == (
        "t1", "instagram#55", 10)
    assert item["permissions"] == ["read"] and "kind" not in item
    assert make_cipher(moto_store.settings).decrypt(item["accessToken"]) == "plain-1"
    quarantine = (tmp_path / "q.jsonl").read_text(encoding="utf-8")
    assert "plain-1" not in quarantine and '"token": "<redacted>"' in quarantine


@pytest.mark.parametrize(("text", "problem"), [
    ('[[shapes]]\nname="a"\ntarget="posts"\npk="USER#{userId}"\nsk="POST#{colour}"\n',
     "colour is not an attribute of the posts record"),
    ('[[shapes]]\nname="post"\ntarget="posts"\npk="USER#{userId}"\nsk="P#{platform}#{id}"\n',
     "shape names must be unique: post"),
    ('[[shapes]]\nname="a"\ntarget="videos"\npk="U#{userId}"\nsk="V"\n', "shapes.0.target"),
    ("shapes = [", "not valid TOML"),
    ("include_defaults = false\n", "no shapes"),
])
def test_a_wrong_mapping_file_is_refused_with_the_reason(tmp_path: Path, text: str,
                                                         problem: str) -> None:
    mapping_file = tmp_path / "mapping.toml"
    mapping_file.write_text(text, encoding="utf-8")
    with pytest.raises(MigrationError, match=problem):
        load_mapping(mapping_file)


def test_a_re_run_keeps_what_the_product_did_to_an_account_since(moto_store: Store,
                                                                 tmp_path: Path) -> None:
    example = copy.deepcopy(seed_examples()[1])
    cipher = make_cipher(moto_store.settings)
    already = cipher.encrypt("already-encrypted")
    example["refreshToken"] = already  # encrypted with CloudStro's key in the legacy table
    items = [legacy_of(example, *SEED_KEYS[1])]
    run(moto_store, items, tmp_path)
    (first,) = stored(moto_store, moto_store.names.accounts)
    assert first["refreshToken"] == already  # proven to decrypt, kept as it was

    # The product rotates the tokens and syncs; then someone runs the migration again.
    table = moto_store.dynamo.table(moto_store.names.accounts)
    rotated = cipher.encrypt("rotated-access")
    table.update_item(Key={"userId": "user_12345", "platformAccountId": "twitter#987654321"},
                      UpdateExpression="SET accessToken = :a, tokenVersion = :v, "
                                       "syncState = :s, postCount = :n",
                      ExpressionAttributeValues={":a": rotated, ":v": 1,
                                                 ":s": {"cursor": "abc"}, ":n": 12})
    migrate(moto_store, MigrationOptions(source=SOURCE, segments=1,
                                         quarantine_file=tmp_path / "q.jsonl"))

    (after,) = stored(moto_store, moto_store.names.accounts)
    assert after["accessToken"] == rotated
    assert (after["tokenVersion"], after["syncState"], after["postCount"]) == (
        1, {"cursor": "abc"}, 12)
    assert after["accountName"] == example["accountName"]


@pytest.mark.parametrize(("flags", "shown"), [((), True), (("--quiet",), False)])
def test_the_progress_line_shows_items_per_second_on_a_terminal_only(
        moto_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        flags: tuple[str, ...], shown: bool) -> None:
    from click.testing import CliRunner
    from rich.console import Console

    from cloudstro.cli import migrate as migrate_command
    from cloudstro.cli.db import db

    create_source(moto_store.dynamo, SOURCE)
    load_source(moto_store.dynamo, SOURCE, [legacy_of(seed_examples()[0], *SEED_KEYS[0])])
    terminal = Console(stderr=True, force_terminal=True, width=120)
    monkeypatch.setattr(migrate_command, "err", terminal)

    result = CliRunner().invoke(db, ["migrate-from-pksk", "--source", SOURCE, "--quarantine",
                                     str(tmp_path / "q.jsonl"), *flags])

    assert result.exit_code == 0, result.output
    assert ("items/s" in result.stderr) is shown
    assert "1 items read" in result.stdout or '"scanned": 1' in result.stdout
