"""Realistic, deterministic demo data, with a planted truth that analysis can be checked against.

Three parts, one job each: `generator` builds every record in memory (pure; `content` dresses
posts with words, media, ids and URLs), `seeding` writes them to the tables, and `reseed`
removes what an earlier demo run wrote and this one does not, never anything it did not write:
a person's Slack link, digest settings, hand-connected accounts and posts stay.
"""

from __future__ import annotations

from cloudstro.store.demo.generator import (
    DEMO_PLATFORMS,
    DEMO_USER_PREFIX,
    SNAPSHOT_OFFSETS,
    DemoAccount,
    DemoData,
    default_until,
    generate_demo,
)
from cloudstro.store.demo.seeding import SeedReport, seed_demo

__all__ = ["DEMO_PLATFORMS", "DEMO_USER_PREFIX", "SNAPSHOT_OFFSETS", "DemoAccount", "DemoData",
           "SeedReport", "default_until", "generate_demo", "seed_demo"]
