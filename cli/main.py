"""The `cloudstro` command: one entry point, one sub-command per job."""

from __future__ import annotations

import sys

import click
from rich.console import Console

from cloudstro.cli.db import db

console = Console(stderr=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """CloudStro: answers about your social-media accounts, from your own data."""


cli.add_command(db)


def _register_optional_commands() -> None:
    """Commands whose modules pull in heavier dependencies are attached here."""
    from cloudstro.cli.chat import ask, chat, demo

    cli.add_command(chat)
    cli.add_command(ask)
    cli.add_command(demo)
    from cloudstro.cli.insights import insights
    cli.add_command(insights)
    from cloudstro.cli.slack import register as register_slack
    register_slack(cli)
    from cloudstro.cli.digest import register as register_digest
    register_digest(cli)
    from cloudstro.cli.import_cmd import import_group
    cli.add_command(import_group)
    from cloudstro.cli.accounts import accounts
    from cloudstro.cli.sync import sync
    cli.add_command(sync)
    cli.add_command(accounts)
    from cloudstro.cli.serve import serve, token

    cli.add_command(serve)
    cli.add_command(token)


def main() -> None:
    _register_optional_commands()
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
