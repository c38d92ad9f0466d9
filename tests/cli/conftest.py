"""CLI fixtures: the platform stand-ins of the sync tests (`standins`, started once per module),
so `cloudstro sync` and `cloudstro accounts` run against the same fake platforms as the engine."""

from tests.ingest.conftest import running_standins, standins

__all__ = ["running_standins", "standins"]
