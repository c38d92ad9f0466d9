"""`cloudstro import`: data a platform only hands out as a file its user downloads.

RedNote has no API for a creator's own numbers, so its data comes in here rather than through
`cloudstro sync`: the creator downloads the note export from the creator centre and an operator
imports it for the creator's CloudStro user. Output is counts only (never note text), so it can
go into a log.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from cloudstro.cli.common import STORE_ERRORS, fail, open_store
from cloudstro.config import utc_now


@click.group("import")
def import_group() -> None:
    """Import data from files a platform lets its users download."""


@import_group.command("rednote")
@click.option("--user", "user_id", required=True, help="The CloudStro user the export belongs to.")
@click.argument("export_file", metavar="FILE",
                type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--account-id", default=None,
              help="The RedNote ID (小红书号) the export came from; its account record is created "
                   "when missing. Optional when the user has exactly one RedNote account.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def rednote(user_id: str, export_file: Path, account_id: str | None, as_json: bool) -> None:
    """Import a RedNote creator-centre note export (xlsx or csv) as posts and snapshots.

    Re-importing the same file changes nothing; a file that can't be read is refused whole,
    with the reason, before anything is written.
    """
    from cloudstro.ingest.rednote import AccountNotChosen, ExportError, import_export

    try:
        data = export_file.read_bytes()
    except OSError as exc:
        fail(RuntimeError(f"cannot read {export_file}: {exc.strerror or exc}"))
    try:
        report = import_export(open_store(quiet=as_json, batch=True), user_id, data,
                               account_id=account_id, clock=utc_now)
    except ExportError as exc:
        fail(RuntimeError(f"{export_file.name}: {exc}"))
    except (AccountNotChosen, *STORE_ERRORS) as exc:
        fail(exc)
    click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2) if as_json
               else report.text())
