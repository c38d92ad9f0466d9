"""What every command shares: the store, chosen with a clear word about which engine it uses."""

from __future__ import annotations

from typing import NoReturn

import click
from rich.console import Console

from cloudstro.config import get_settings
from cloudstro.store import Store
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.errors import StoreError

err = Console(stderr=True)


def open_store(quiet: bool = False, batch: bool = False) -> Store:
    """The store for a command; `batch` gives DynamoDB calls the batch time budget.

    Commands that answer a person now (ask, chat, serve) keep the request budget, so an outage
    is a quick, clear error; commands that do bulk work wait out a slow engine instead.
    """
    settings = get_settings().for_batch() if batch else get_settings()
    dynamo = Dynamo(settings)
    if dynamo.is_local and not settings.dynamodb_endpoint_url and not quiet:
        err.print(f"[dim]No DYNAMODB_ENDPOINT_URL and no AWS credentials: using the local "
                  f"DynamoDB at {dynamo.endpoint_label}[/dim]")
    return Store(dynamo, settings)


def fail(exc: Exception) -> NoReturn:
    """Print a one-line reason and exit non-zero; no stack trace for expected failures."""
    raise click.ClickException(str(exc)) from exc


# What a command reports in one line: the store's one error hierarchy (an unknown user is its
# `UserNotFoundError`) and a value the command refused.
STORE_ERRORS = (StoreError, ValueError)
