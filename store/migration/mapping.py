"""How a legacy PK/SK item becomes the attributes of one CloudStro record.

A shape names a target table and two key templates, such as `USER#{userId}` and
`SOCIAL#{platform}#{accountId}`. The placeholders are attribute names of the target record, so
the key tells the record its own identity; the item's other attributes are copied (after the
shape's renames, minus the ignored bookkeeping attributes), and the record model then fills the
derived and index attributes exactly as the product does when it writes.

The key is authoritative: an attribute that repeats a key part (a `userId` beside
`PK = USER#u1`) must agree with it, or the item is quarantined as a key conflict rather than
written under one identity with data claiming another.

A team whose prefixes differ describes its shapes in a mapping file (TOML or JSON, see
docs/migration.md); by default the file's shapes are tried first and the default shapes after.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cloudstro.store.codec import from_item
from cloudstro.store.errors import MigrationError
from cloudstro.store.platforms import platform_info
from cloudstro.store.records import (
    AIInsight,
    EngagementSnapshot,
    Record,
    SocialAccount,
    SocialPost,
    UserProfile,
)

TargetRole = Literal["users", "accounts", "posts", "engagement", "insights"]
TARGET_MODELS: dict[str, type[Record]] = {
    "users": UserProfile, "accounts": SocialAccount, "posts": SocialPost,
    "engagement": EngagementSnapshot, "insights": AIInsight,
}
TARGET_ROLES: tuple[str, ...] = tuple(TARGET_MODELS)
TOKEN_ATTRIBUTES: tuple[str, ...] = ("accessToken", "refreshToken")

# Why an item was quarantined; the report counts items per reason.
UNMAPPED = "unmapped"
KEY_CONFLICT = "key_conflict"
INVALID = "invalid"
TOKEN_UNREADABLE = "token_unreadable"

# Single-table bookkeeping that has no meaning in a named-key table.
DEFAULT_IGNORE: tuple[str, ...] = ("GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK",
                                   "entityType")

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class KeyTemplate:
    """`USER#{userId}` as a pattern. Placeholders match up to the next `#`; the last one takes
    the rest of the key, so an id that itself holds `#` still maps."""

    text: str

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(_PLACEHOLDER.findall(self.text))

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        parts: list[str] = []
        position = 0
        matches = list(_PLACEHOLDER.finditer(self.text))
        for number, match in enumerate(matches):
            parts.append(re.escape(self.text[position:match.start()]))
            rest = ".+" if number == len(matches) - 1 else "[^#]+"
            parts.append(f"(?P<{match.group(1)}>{rest})")
            position = match.end()
        parts.append(re.escape(self.text[position:]))
        return re.compile("".join(parts))

    def match(self, value: Any) -> dict[str, str] | None:
        if not isinstance(value, str):
            return None
        found = self.pattern.fullmatch(value)
        return found.groupdict() if found else None


class Shape(BaseModel):
    """One kind of legacy item and the table it goes to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    target: TargetRole
    pk: str = Field(min_length=1, description="template of the partition key")
    sk: str = Field(min_length=1, description="template of the sort key")
    rename: dict[str, str] = Field(default_factory=dict, description="legacy name -> ours")
    ignore: tuple[str, ...] = ()
    # Attributes every item of this shape gets when it lacks them (a constant the legacy
    # table never stored, such as a subscription tier).
    defaults: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _placeholders_are_attributes(self) -> Shape:
        fields = TARGET_MODELS[self.target].model_fields
        pk_names, sk_names = KeyTemplate(self.pk).names, KeyTemplate(self.sk).names
        if len(set(pk_names)) != len(pk_names) or len(set(sk_names)) != len(sk_names):
            raise ValueError(f"shape {self.name!r}: a placeholder appears twice in one key")
        unknown = [name for name in (*pk_names, *sk_names) if name not in fields]
        if unknown:
            raise ValueError(f"shape {self.name!r}: {', '.join(unknown)} is not an attribute of "
                             f"the {self.target} record")
        if "userId" not in (*pk_names, *sk_names):
            raise ValueError(f"shape {self.name!r}: the keys must name {{userId}}")
        return self

    @cached_property
    def templates(self) -> tuple[KeyTemplate, KeyTemplate]:
        return KeyTemplate(self.pk), KeyTemplate(self.sk)

    def key_values(self, pk: Any, sk: Any) -> dict[str, str] | None:
        pk_template, sk_template = self.templates
        from_pk, from_sk = pk_template.match(pk), sk_template.match(sk)
        if from_pk is None or from_sk is None:
            return None
        return {**from_pk, **from_sk}


DEFAULT_SHAPES: tuple[Shape, ...] = (
    Shape(name="profile", target="users", pk="USER#{userId}", sk="PROFILE"),
    Shape(name="account", target="accounts", pk="USER#{userId}",
          sk="SOCIAL#{platform}#{accountId}"),
    Shape(name="post", target="posts", pk="USER#{userId}", sk="POST#{platform}#{id}"),
    Shape(name="engagement", target="engagement", pk="USER#{userId}",
          sk="ENGAGEMENT#{platform}#{postId}#{timestamp}"),
    Shape(name="insight", target="insights", pk="USER#{userId}", sk="INSIGHT#{insightId}"),
)


class Mapping(BaseModel):
    """Every shape of a legacy table, tried in order: the first whose keys match wins."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    partition_key: str = "PK"
    sort_key: str = "SK"
    ignore: tuple[str, ...] = DEFAULT_IGNORE
    shapes: tuple[Shape, ...] = ()
    include_defaults: bool = Field(
        default=True, description="try the default shapes after these")

    @model_validator(mode="after")
    def _unique_names(self) -> Mapping:
        if not self.all_shapes:
            raise ValueError("no shapes: list [[shapes]] or keep include_defaults = true")
        names = [shape.name for shape in self.all_shapes]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"shape names must be unique: {', '.join(duplicates)} repeated "
                             "(a file's shape that replaces a default needs its own name, or "
                             "include_defaults = false)")
        return self

    @property
    def all_shapes(self) -> tuple[Shape, ...]:
        return (*self.shapes, *DEFAULT_SHAPES) if self.include_defaults else self.shapes

    def shape_for(self, item: dict[str, Any]) -> tuple[Shape, dict[str, str]] | None:
        pk, sk = item.get(self.partition_key), item.get(self.sort_key)
        for shape in self.all_shapes:
            values = shape.key_values(pk, sk)
            if values is not None:
                return shape, values
        return None

    def map_item(self, item: dict[str, Any]) -> Mapped | Rejected:
        """The record attributes a raw source item stands for, or why it has none."""
        found = self.shape_for(item)
        if found is None:
            return Rejected(UNMAPPED, "no shape matches its keys", None)
        shape, key_values = found
        skipped = {self.partition_key, self.sort_key, *self.ignore, *shape.ignore}
        data: dict[str, Any] = {}
        for name, value in from_item(item).items():
            if name not in skipped:
                data[shape.rename.get(name, name)] = value
        for name, value in shape.defaults.items():
            data.setdefault(name, value)
        for name, raw in key_values.items():
            value = _normalised(shape.target, name, raw, key_values)
            if name in data and not _same(_normalised(shape.target, name, data[name],
                                                      key_values), value):
                return Rejected(KEY_CONFLICT, f"attribute {name!r} differs from the key", shape)
            data[name] = value
        return Mapped(shape, data)


@dataclass
class Mapped:
    shape: Shape
    data: dict[str, Any]


@dataclass
class Rejected:
    reason: str
    detail: str
    shape: Shape | None


DEFAULT_MAPPING = Mapping()


def _normalised(target: str, name: str, value: Any, key_values: dict[str, str]) -> Any:
    """A key part as the product spells it: platform aliases resolved ("x" is twitter), and a
    snapshot's post id qualified by its platform (`twitter#123`, the posts table's key)."""
    if not isinstance(value, str):
        return value
    if name == "platform":
        try:
            return platform_info(value).name
        except ValueError:
            return value  # the record model names the problem
    if target == "engagement" and name == "postId" and "#" not in value:
        platform = key_values.get("platform")
        if platform:
            return f"{_normalised(target, 'platform', platform, key_values)}#{value}"
    return value


def _same(left: Any, right: Any) -> bool:
    """Equal, or the same instant spelled two ways ("...00Z" and "...00.000+00:00")."""
    if left == right:
        return True
    if isinstance(left, str) and isinstance(right, str):
        try:
            return _instant(left) == _instant(right)
        except ValueError:
            return False
    return str(left) == str(right)


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("naive")
    return moment


def load_mapping(path: str | Path) -> Mapping:
    """A mapping file (`.toml` or `.json`), validated; a MigrationError says what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MigrationError(f"cannot read the mapping file {path}: {exc.strerror}") from exc
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise MigrationError(f"mapping file {path} is not valid "
                             f"{'JSON' if path.suffix.lower() == '.json' else 'TOML'}: {exc}"
                             ) from exc
    try:
        return Mapping.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}"
                             for e in exc.errors()[:5])
        raise MigrationError(f"mapping file {path}: {problems}") from exc
