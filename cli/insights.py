"""`cloudstro insights refresh`: compute and store each user's insights."""

from __future__ import annotations

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cloudstro.cli.common import STORE_ERRORS, err, fail, open_store
from cloudstro.config import Clock, utc_now

# "Now" for the analysis window and the insights' expiry: module-level so tests can fix it.
clock: Clock = utc_now


@click.group()
def insights() -> None:
    """Confidence-scored recommendations kept in cloudstro-ai-insights."""


@insights.command()
@click.option("--user", "user_id", default=None, help="Refresh this user only.")
@click.option("--all", "all_users", is_flag=True, help="Refresh every active user.")
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 32),
              help="Users refreshed at the same time (with --all).")
@click.option("--batch-size", default=50, show_default=True, type=click.IntRange(1, 1000),
              help="User ids handed out per batch (with --all).")
def refresh(user_id: str | None, all_users: bool, workers: int, batch_size: int) -> None:
    """Recompute and store insights, replacing the previous ones of the same type/platform."""
    from cloudstro.insights import SkippedUser, UserRefresh, refresh_all, refresh_user
    from cloudstro.insights.engine import describe_failure

    if bool(user_id) == all_users:
        raise click.UsageError("give exactly one of --user ID or --all")
    store = open_store(batch=True)
    if user_id:
        try:
            result = refresh_user(store, user_id, clock())
        except STORE_ERRORS as exc:
            fail(RuntimeError(f"{user_id}: {describe_failure(exc)}"))
        click.echo(f"{user_id}: wrote {len(result.written)} insights "
                   f"({', '.join(result.written)}) from {result.posts} posts"
                   + (f"; removed {len(result.removed)} stale" if result.removed else ""))
        return

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task("refreshing users", total=0)

        def listed(count: int) -> None:
            bar.update(task, total=(bar.tasks[0].total or 0) + count)

        def done(outcome: UserRefresh | SkippedUser) -> None:
            bar.advance(task)
            if isinstance(outcome, SkippedUser):
                bar.console.print(f"[yellow]skipped {outcome.user_id}: {outcome.reason}"
                                  f"[/yellow]")

        try:
            summary = refresh_all(store, workers=workers, batch_size=batch_size, now=clock(),
                                  on_listed=listed, on_done=done)
        except STORE_ERRORS as exc:
            fail(exc)
    click.echo(summary.text())
