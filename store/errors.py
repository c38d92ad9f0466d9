"""Errors that tell the person at the keyboard what to do next."""

from __future__ import annotations


class StoreError(RuntimeError):
    """Base for every failure of the data layer."""


class TableMissingError(StoreError):
    def __init__(self, table: str, endpoint: str) -> None:
        super().__init__(
            f"DynamoDB table {table!r} does not exist at {endpoint}; "
            "run `cloudstro db create-tables` to create it"
        )
        self.table = table


class IndexMissingError(StoreError):
    def __init__(self, table: str, detail: str) -> None:
        super().__init__(
            f"DynamoDB table {table!r} lacks an index CloudStro reads ({detail}); it was created "
            "before that index existed: run `cloudstro db create-tables` to see which, then "
            "recreate the table (locally: `cloudstro db reset`)"
        )
        self.table = table


class StoreUnavailableError(StoreError):
    """DynamoDB did not serve a request now but may in a moment: unreachable, too slow,
    throttling, or failing on its side. Callers answer "try again shortly", never a crash."""


class StoreUnreachableError(StoreUnavailableError):
    """No answer: connection refused or closed, or a connect or read timeout ran out."""

    def __init__(self, endpoint: str, detail: str) -> None:
        hint = " (start it with `cloudstro db start`)" if "127.0.0.1" in endpoint else ""
        super().__init__(f"cannot reach DynamoDB at {endpoint}{hint}: {detail}")
        self.endpoint = endpoint


class StoreThrottledError(StoreUnavailableError):
    """DynamoDB kept throttling after the SDK's own retries."""


class UnprocessedItemsError(StoreError):
    """A batch write still had unprocessed items after every retry; nothing is silently lost."""

    def __init__(self, table: str, count: int, attempts: int) -> None:
        super().__init__(
            f"{count} item(s) for {table!r} were still unprocessed after {attempts} attempts"
        )
        self.count = count


class TokenDecryptionError(StoreError):
    """A stored token could not be decrypted with the configured key."""


class MigrationError(StoreError):
    """A migration cannot start or go on as asked: a bad mapping file, a resume that does not
    match the interrupted run, or a source table that is not there."""
