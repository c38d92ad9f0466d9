"""Moving a generic PK/SK single table into CloudStro's named tables.

Teams that arrive with a single-table design (`PK = USER#{userId}`, `SK = SOCIAL#...`) cannot
stop their product for a day, so the migration is built to be run more than once: every write
is a put on the target's own key (a second run writes the same items again, never twice),
progress is kept per scan segment in the runtime table (a killed run resumes at its last
finished page), and nothing is dropped silently (what cannot be mapped or validated goes to a
quarantine file with its reason, and a verification pass compares source and target).

`migrate()` in `run` is the entry point; `mapping` says how a legacy item becomes a record.
"""

from __future__ import annotations

from cloudstro.store.migration.mapping import DEFAULT_MAPPING, Mapping, load_mapping
from cloudstro.store.migration.report import MigrationReport
from cloudstro.store.migration.run import MigrationOptions, migrate

__all__ = ["DEFAULT_MAPPING", "Mapping", "MigrationOptions", "MigrationReport", "load_mapping",
           "migrate"]
