"""The quarantine file: every item the migration could not write, with the reason, as JSON
lines a person can fix and feed back.

The file holds the team's own data (post text, names), so it is created readable by its owner
only; token attributes are never written to it, encrypted or not. A resumed run appends and
skips items already recorded, because the page a run was killed in is read again on resume.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from pathlib import Path
from typing import Any, TextIO

from cloudstro.store.codec import from_item
from cloudstro.store.migration.mapping import TOKEN_ATTRIBUTES, Mapping, Shape

REDACTED = "<redacted>"


class QuarantineFile:
    """Thread-safe JSON-lines writer; `None` path keeps counts only (nothing written)."""

    def __init__(self, path: Path | None, mapping: Mapping, *, append: bool) -> None:
        self.path = path
        self._mapping = mapping
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self._handle: TextIO | None = None
        if path is None:
            return
        if append and path.exists():
            with path.open(encoding="utf-8") as existing:
                for line in existing:
                    try:
                        self._seen.add(json.dumps(json.loads(line)["key"], sort_keys=True))
                    except (ValueError, KeyError, TypeError):
                        continue
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
        self._handle = os.fdopen(os.open(path, flags, 0o600), "a" if append else "w",
                                 encoding="utf-8")

    def add(self, reason: str, detail: str, shape: Shape | None, item: dict[str, Any]) -> None:
        if self._handle is None:
            return
        key = {name: _plain(item.get(name)) for name in (self._mapping.partition_key,
                                                         self._mapping.sort_key)}
        key_text = json.dumps(key, sort_keys=True, default=str)
        line = json.dumps({"reason": reason, "detail": detail,
                           "shape": shape.name if shape else None, "key": key,
                           "item": _redacted(item, shape)}, default=_json_default,
                          ensure_ascii=False)
        with self._lock:
            if key_text in self._seen:
                return
            self._seen.add(key_text)
            self._handle.write(line + "\n")

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _redacted(item: dict[str, Any], shape: Shape | None) -> dict[str, Any]:
    """The item without its tokens: by our names, by the shape's renames, or by any name that
    says "token"."""
    renamed = shape.rename if shape else {}
    result = {}
    for name, value in from_item(item).items():
        secret = "token" in name.lower() or renamed.get(name) in TOKEN_ATTRIBUTES
        result[name] = REDACTED if secret and value is not None else value
    return result


def _plain(value: Any) -> Any:
    return from_item(value) if value is not None else None


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode()
    raw = getattr(value, "value", None)  # boto3's Binary
    if isinstance(raw, bytes | bytearray):
        return base64.b64encode(bytes(raw)).decode()
    return str(value)
