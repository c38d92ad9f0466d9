"""`cloudstro digest run-due` (send what is due now) and `cloudstro digest preview`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from cloudstro.cli.common import STORE_ERRORS, err, fail, open_store
from cloudstro.config import get_settings

if TYPE_CHECKING:
    from cloudstro.digests.content import Digest

out = Console()


def parse_now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO-8601 time like "
                                 f"2026-11-23T09:05:00Z", param_hint="--now") from exc
    if moment.tzinfo is None:
        raise click.BadParameter(f"{value!r} has no timezone; add Z or an offset like +01:00",
                                 param_hint="--now")
    return moment.astimezone(UTC)


@click.group()
def digest() -> None:
    """Scheduled performance digests in Slack."""


@digest.command("run-due")
@click.option("--now", "now_text", default=None,
              help="Act as if it were this time (ISO-8601 with offset); default: now.")
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 32),
              help="Digests built and sent at once.")
def run_due_command(now_text: str | None, workers: int) -> None:
    """Send every digest that is due (each user's own timezone); safe to run from cron."""
    from cloudstro.digests.runner import run_due
    from cloudstro.digests.summary import summary_model
    from cloudstro.slackkit.client import SlackNotConfigured, web_client

    now = parse_now(now_text)
    settings = get_settings()
    try:
        client = web_client(settings)
    except SlackNotConfigured as exc:
        fail(exc)
    store = open_store(quiet=True, batch=True)
    try:
        report = run_due(store, client, now, workers=workers, model=summary_model(settings))
    except STORE_ERRORS as exc:
        fail(exc)
    click.echo(report.text())
    for outcome in report.outcomes:
        if outcome.status in ("failed", "skipped") or outcome.detail:
            click.echo(f"  {outcome.status:<12} {outcome.user_id} {outcome.period} "
                       f"{outcome.detail}".rstrip())
    if report.with_status("failed"):
        raise SystemExit(1)


@digest.command("preview")
@click.option("--user", "user_id", required=True, help="The CloudStro user id.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="Folder for the chart PNG.")
@click.option("--now", "now_text", default=None,
              help="Preview the digest due at this time (ISO-8601 with offset).")
@click.option("--json", "as_json", is_flag=True, help="Print the digest as JSON instead.")
def preview_command(user_id: str, out_dir: Path, now_text: str | None, as_json: bool) -> None:
    """Show the user's latest digest and write its chart, without sending anything."""
    from cloudstro.digests.chart import render_heatmap
    from cloudstro.digests.content import build_digest, previous_digest_key
    from cloudstro.digests.schedule import latest_occurrence
    from cloudstro.digests.summary import summarize, summary_model
    from cloudstro.store.records import DigestPreferences

    now = parse_now(now_text)
    store = open_store(quiet=True)
    try:
        profile = store.users.require(user_id)
        prefs = (profile.digest or DigestPreferences()).model_copy(update={"enabled": True})
        occurrence = latest_occurrence(prefs, profile.zone, now)
        assert occurrence is not None  # enabled preferences always have a past occurrence
        previous = store.claims.get_claim(previous_digest_key(user_id, occurrence))
        result = build_digest(store, profile, occurrence, now, previous)
    except STORE_ERRORS as exc:
        fail(exc)
    result.summary = summarize(result, summary_model(get_settings()))
    chart_path = None
    if result.heatmap is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        chart_path = out_dir / f"digest-{user_id}-{occurrence.key.replace('#', '-')}.png"
        chart_path.write_bytes(render_heatmap(result.heatmap))
    if as_json:
        click.echo(result.model_dump_json(indent=2, exclude={"heatmap"}))
    else:
        _print_digest(result)
    if chart_path:
        err.print(f"Chart written to {chart_path}")
    else:
        err.print("No posts in the last 90 days, so no chart.")


def _print_digest(result: Digest) -> None:
    from cloudstro.digests.blocks import title
    from cloudstro.store.platforms import shown_name as platform_name

    body = [f"[bold]{result.headline}[/bold]"]
    if result.summary:
        body.insert(0, result.summary + "\n")
    out.print(Panel("\n".join(body), title=title(result),
                    subtitle=f"{result.period_label} vs {result.previous_label}"))
    if result.platforms:
        table = Table("Platform", "Posts", "Interactions", "Change", "Eng. rate",
                      "Followers", title="By platform")
        for row in result.platforms:
            table.add_row(platform_name(row.platform), str(row.posts), f"{row.interactions:,}",
                          "n/a" if row.interactions_change_pct is None
                          else f"{row.interactions_change_pct:+.0f}%",
                          ("unknown" if row.engagement_rate is None
                           else f"{row.engagement_rate:.2f}%")
                          + f"\n{row.engagement_rate_denominator}",
                          ("" if row.followers is None else f"{row.followers:,}\n")
                          + row.follower_note)
        out.print(table)
    posts = [("top", p) for p in result.top_posts]
    if result.weakest:
        posts.append(("weakest", result.weakest))
    if posts:
        table = Table("", "Post", "Interactions", "vs typical", "1h", "24h", title="Posts")
        for kind, post in posts:
            table.add_row(kind, f"{platform_name(post.platform)} {post.posted}\n{post.content}",
                          f"{post.interactions:,}", f"{post.lift * 100:+.0f}%",
                          "?" if post.interactions_1h is None else f"{post.interactions_1h:,}",
                          "?" if post.interactions_24h is None else f"{post.interactions_24h:,}")
        out.print(table)
    if result.best_times:
        slots = ", ".join(f"{s.label} ({s.expected_lift * 100:+.0f}%)"
                          for s in result.best_times.slots) or result.best_times.message
        out.print(f"[bold]Best times[/bold] (confidence {result.best_times.confidence:.2f}, "
                  f"{result.best_times.source}): {slots}")
    for insight in result.insights:
        out.print(f"• {insight.recommendation} (confidence {insight.confidence:.2f})")
    for caveat in result.caveats:
        out.print(f"[yellow]! {caveat}[/yellow]")


def register(group: click.Group) -> None:
    """Attach `digest`, and `set-digest` and `set-timezone` under `users` (creating the group
    if needed)."""
    from cloudstro.cli.users_digest import set_digest_command
    from cloudstro.cli.users_timezone import set_timezone_command

    group.add_command(digest)
    users = group.commands.get("users")
    if not isinstance(users, click.Group):
        users = click.Group("users", help="Manage CloudStro users.")
        group.add_command(users)
    users.add_command(set_digest_command)
    users.add_command(set_timezone_command)
