"""`cloudstro sync`: pull connected accounts' posts and numbers from their platforms now.

The same engine the serve schedule runs; here with a progress bar on stderr and a summary per
account (new posts, updated posts, snapshots, requests, errors) on stdout, or the same as JSON.
The exit status is 1 when any account failed or needs reconnecting, so cron and CI notice.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cloudstro.cli.common import STORE_ERRORS, err, fail, open_store
from cloudstro.config import Clock, get_settings, utc_now
from cloudstro.store.platforms import display_name

# "Now" for the engine: module-level so tests can stop it at the moment their data assumes.
clock: Clock = utc_now


@click.command()
@click.option("--user", "user_id", default=None, help="Sync this user's accounts.")
@click.option("--all", "all_accounts", is_flag=True, help="Sync every active account.")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Accounts synced at the same time [default: CLOUDSTRO_SYNC_WORKERS].")
@click.option("--full", is_flag=True,
              help="Also measure posts older than 30 days again (within the backfill horizon).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def sync(user_id: str | None, all_accounts: bool, workers: int | None, full: bool,
         as_json: bool) -> None:
    """Pull new posts and due measurements from X, Instagram, Facebook and TikTok."""
    from cloudstro.ingest import SyncEngine

    if bool(user_id) == all_accounts:
        raise click.UsageError("give exactly one of --user ID or --all")
    settings = get_settings()
    store = open_store(quiet=as_json, batch=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    try:
        with SyncEngine(store, settings, clock=clock) as engine:
            views = engine.accounts_of(user_id) if user_id else engine.active_accounts()
            if not views:
                err.print("no connected accounts to sync" + (f" for {user_id}" if user_id
                                                               else ""))
            with Progress(*columns, console=err, transient=True,
                          disable=not views) as bar:
                task = bar.add_task("syncing accounts", total=len(views))
                results = engine.sync_many(views, workers=workers or settings.sync_workers,
                                           full=full, on_done=lambda _r: bar.advance(task))
    except STORE_ERRORS as exc:
        fail(exc)
    summary = [result.as_json() for result in results]
    if as_json:
        click.echo(json.dumps({"accounts": summary, "totals": _totals(summary)},
                              ensure_ascii=False))
    else:
        for item in summary:
            click.echo(_line(item))
        if len(summary) > 1:
            totals = _totals(summary)
            click.echo(f"{len(summary)} accounts: {totals['newPosts']} new posts, "
                       f"{totals['updatedPosts']} updated, {totals['snapshots']} snapshots, "
                       f"{totals['requests']} requests, {totals['errors']} errors")
    if any(item["status"] in ("error", "reauth_required") for item in summary):
        sys.exit(1)


def _line(item: dict[str, Any]) -> str:
    text = (f"{display_name(item['platform'])} {item['accountId']} ({item['userId']}): "
            f"{item['status']}; {item['newPosts']} new posts, {item['updatedPosts']} updated, "
            f"{item['snapshots']} snapshots, {item['requests']} requests, "
            f"{len(item['errors'])} errors")
    return "\n".join([text, *(f"  - {error}" for error in item["errors"])])


def _totals(summary: list[dict[str, Any]]) -> dict[str, int]:
    return {"newPosts": sum(i["newPosts"] for i in summary),
            "updatedPosts": sum(i["updatedPosts"] for i in summary),
            "snapshots": sum(i["snapshots"] for i in summary),
            "requests": sum(i["requests"] for i in summary),
            "errors": sum(len(i["errors"]) for i in summary)}
