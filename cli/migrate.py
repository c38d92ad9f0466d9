"""`cloudstro db migrate-from-pksk`: move a generic PK/SK single table into CloudStro's tables.

The work is `cloudstro.store.migration`; this module reads the options, shows a progress line
with items per second on stderr (only on a terminal, and not with --quiet or --json), prints
the report on stdout, and exits 1 when the verification pass finds the target short of what was
migrated, so a script running the migration notices.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

from cloudstro.cli.common import STORE_ERRORS, err, fail, open_store


class _RateColumn(ProgressColumn):
    """Items per second over the last stretch of the run."""

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text(f"{speed:,.0f} items/s" if speed else "- items/s", style="progress.data.speed")


@click.command("migrate-from-pksk")
@click.option("--source", required=True, help="The legacy PK/SK table to read.")
@click.option("--dry-run", is_flag=True,
              help="Read and validate everything; write nothing but the report.")
@click.option("--segments", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Parallel Scan segments (one worker each).")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run from each segment's last finished page.")
@click.option("--mapping", "mapping_file", type=click.Path(exists=True, dir_okay=False,
                                                           path_type=Path),
              help="Mapping file (TOML or JSON) for prefixes other than the defaults.")
@click.option("--quarantine", "quarantine_file", type=click.Path(dir_okay=False, path_type=Path),
              help="JSON-lines file for items that cannot be migrated "
                   "[default: SOURCE.quarantine.jsonl; none on a dry run]")
@click.option("--page-size", type=click.IntRange(1, 100_000), default=None,
              help="Items per Scan page [default: 1 MB pages].")
@click.option("--sample", "sample_size", default=50, show_default=True,
              type=click.IntRange(0, 10_000),
              help="Records per table read back and compared field by field.")
@click.option("--verify/--no-verify", default=True, show_default=True,
              help="Count every target table and compare the sample afterwards.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--quiet", is_flag=True, help="No progress line and no engine notice.")
def migrate_from_pksk(source: str, dry_run: bool, segments: int, resume: bool,
                      mapping_file: Path | None, quarantine_file: Path | None,
                      page_size: int | None, sample_size: int, verify: bool, as_json: bool,
                      quiet: bool) -> None:
    """Migrate a generic PK/SK single table (USER#.../SOCIAL#...) into CloudStro's tables.

    Safe to run twice (puts on the target's own keys) and to stop: --resume continues where it
    stopped. Items that match no shape or fail validation go to the quarantine file.
    """
    from cloudstro.store.migration import DEFAULT_MAPPING, MigrationOptions, load_mapping, migrate
    from cloudstro.store.migration.source import describe_source

    if dry_run and resume:
        raise click.UsageError("--dry-run reads everything again; it cannot --resume")
    if quarantine_file is None and not dry_run:
        quarantine_file = Path(f"{source}.quarantine.jsonl")
    silent = quiet or as_json
    store = open_store(quiet=silent, batch=True)
    try:
        mapping = load_mapping(mapping_file) if mapping_file else DEFAULT_MAPPING
        options = MigrationOptions(source=source, segments=segments, dry_run=dry_run,
                                   resume=resume, mapping=mapping,
                                   quarantine_file=quarantine_file, page_size=page_size,
                                   sample_size=sample_size, verify=verify)
        estimate = describe_source(store.dynamo, source)
        columns = (TextColumn("migrating"), BarColumn(), TextColumn("{task.completed:,} items"),
                   _RateColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=True,
                      disable=silent or not err.is_terminal) as bar:
            task = bar.add_task("migrate", total=estimate or None)
            report = migrate(store, options,
                             on_items=lambda count: bar.advance(task, count))
    except STORE_ERRORS as exc:
        fail(exc)
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        for line in report.lines():
            click.echo(line)
    if not report.ok:
        sys.exit(1)
