"""What a migration did, in numbers a person can check: items read, written per target table,
quarantined per reason, and what the verification pass found.

`Tally` is also what each segment's progress record keeps, so a resumed run reports the whole
migration, not only the part after the interruption.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Tally:
    """Counts of one page, one segment or the whole run."""

    scanned: int = 0
    pages: int = 0
    shapes: Counter[str] = field(default_factory=Counter)  # items matched per shape
    written: Counter[str] = field(default_factory=Counter)  # records per target table role
    quarantined: Counter[str] = field(default_factory=Counter)  # items per reason

    def add(self, other: Tally) -> None:
        self.scanned += other.scanned
        self.pages += other.pages
        self.shapes.update(other.shapes)
        self.written.update(other.written)
        self.quarantined.update(other.quarantined)

    def as_dict(self) -> dict[str, Any]:
        return {"scanned": self.scanned, "pages": self.pages, "shapes": dict(self.shapes),
                "written": dict(self.written), "quarantined": dict(self.quarantined)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tally:
        return cls(int(data.get("scanned", 0)), int(data.get("pages", 0)),
                   Counter({k: int(v) for k, v in (data.get("shapes") or {}).items()}),
                   Counter({k: int(v) for k, v in (data.get("written") or {}).items()}),
                   Counter({k: int(v) for k, v in (data.get("quarantined") or {}).items()}))


@dataclass(frozen=True)
class TableCheck:
    """A target table's item count against the records the migration put there.

    More items than migrated is fine (the table may hold the product's own data); fewer means
    two source items landed on one key, or items were deleted since.
    """

    role: str
    table: str
    migrated: int
    found: int

    @property
    def ok(self) -> bool:
        return self.found >= self.migrated


@dataclass(frozen=True)
class Mismatch:
    """A sampled record that reads back differently: its key and the attribute names (never
    the values, which may be message text or ciphertext)."""

    role: str
    key: dict[str, str]
    attributes: tuple[str, ...]


@dataclass
class Verification:
    tables: list[TableCheck] = field(default_factory=list)
    sampled: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.tables) and not self.mismatches


@dataclass
class MigrationReport:
    source: str
    segments: int
    dry_run: bool
    resumed: bool
    tally: Tally
    seconds: float
    scanned_this_run: int
    quarantine_file: Path | None = None
    verification: Verification | None = None

    @property
    def items_per_second(self) -> float:
        return self.scanned_this_run / self.seconds if self.seconds > 0 else 0.0

    @property
    def ok(self) -> bool:
        return self.verification is None or self.verification.ok

    def as_json(self) -> dict[str, Any]:
        verification = None
        if self.verification is not None:
            verification = {
                "ok": self.verification.ok,
                "tables": [{"role": c.role, "table": c.table, "migrated": c.migrated,
                            "found": c.found, "ok": c.ok} for c in self.verification.tables],
                "sampled": self.verification.sampled,
                "mismatches": [{"role": m.role, "key": m.key, "attributes": list(m.attributes)}
                               for m in self.verification.mismatches],
            }
        return {"source": self.source, "segments": self.segments, "dryRun": self.dry_run,
                "resumed": self.resumed, **self.tally.as_dict(),
                "seconds": round(self.seconds, 3),
                "itemsPerSecond": round(self.items_per_second, 1),
                "quarantineFile": str(self.quarantine_file) if self.quarantine_file else None,
                "verification": verification}

    def lines(self) -> list[str]:
        """The report as text, one fact per line."""
        tally = self.tally
        verb = "would write" if self.dry_run else "written"
        out = [f"{'dry run of ' if self.dry_run else ''}migration of {self.source}"
               f"{' (resumed)' if self.resumed else ''}: {tally.scanned:,} items read in "
               f"{tally.pages:,} pages over {self.segments} segment(s); this run "
               f"{self.scanned_this_run:,} items in {self.seconds:.1f}s "
               f"({self.items_per_second:,.0f} items/s)"]
        for role, count in sorted(tally.written.items()):
            out.append(f"  {verb:<12} {role:<11} {count:,}")
        for shape, count in sorted(tally.shapes.items()):
            out.append(f"  matched      {shape:<11} {count:,}")
        for reason, count in sorted(tally.quarantined.items()):
            out.append(f"  quarantined  {reason:<11} {count:,}")
        if tally.quarantined and self.quarantine_file:
            out.append(f"  quarantined items and their reasons: {self.quarantine_file}")
        if self.verification is None:
            out.append("verification: not run" + (" (dry run)" if self.dry_run else ""))
            return out
        check = self.verification
        out.append(f"verification: {'passed' if check.ok else 'FAILED'}")
        for table in check.tables:
            out.append(f"  {table.role:<11} migrated {table.migrated:,}, target holds "
                       f"{table.found:,}{'' if table.ok else '  <- fewer than migrated'}")
        out.append(f"  sample: {check.sampled} records compared attribute by attribute, "
                   f"{len(check.mismatches)} differ")
        for mismatch in check.mismatches[:10]:
            key = ", ".join(f"{name}={value}" for name, value in mismatch.key.items())
            out.append(f"    {mismatch.role} {key}: {', '.join(mismatch.attributes)}")
        return out
