"""The data layer's one error hierarchy: every failure that leaves `store/` is a `StoreError`.

Callers above the store never see botocore's exceptions: `Dynamo.translate_errors` is the one
place an SDK failure becomes one of these, so a caller picks its reaction by kind, not by an
SDK error code. The kinds, after PynamoDB's `exceptions.py`:

- `NotFoundError`: a record the operation requires is absent (an unknown user);
- `StoreRequestRefusedError`: DynamoDB refused the request itself (a bug, not an outage), and
  its kind `ConditionFailedError`: a conditional write's condition did not hold (repositories
  turn it into a False return where losing the race is an ordinary outcome);
- `StoreUnavailableError`: nothing wrong with the request, DynamoDB did not serve it now;
- `TableMissingError` / `IndexMissingError`: the tables are not set up as the code expects.

The first two are `StoreUsageError`s: retrying the same call will not help, and it does not
mean the store is down. Every message tells the person at the keyboard what to do next.
"""

from __future__ import annotations


class StoreError(RuntimeError):
    """Base for every failure of the data layer."""


class StoreUsageError(StoreError):
    """The request could not succeed as asked; the store itself is fine."""


class NotFoundError(StoreUsageError, LookupError):
    """A record the operation needs does not exist.

    Also a `LookupError`, so code written against the builtin keeps catching it.
    """


class UserNotFoundError(NotFoundError):
    def __init__(self, user_id: str, hint: str | None = None) -> None:
        super().__init__(f"no user {user_id!r}" + (f"; {hint}" if hint else ""))
        self.user_id = user_id


class StoreRequestRefusedError(StoreUsageError):
    """DynamoDB refused a request as invalid (the SDK's error code is kept in `code`)."""

    def __init__(self, table: str, code: str, message: str) -> None:
        super().__init__(f"DynamoDB refused a request to {table!r} ({code}): {message}")
        self.table = table
        self.code = code


class ConditionFailedError(StoreRequestRefusedError):
    """A conditional write found the item not in the state its condition required."""

    def __init__(self, table: str) -> None:
        super().__init__(table, "ConditionalCheckFailedException", "its condition was false")


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
    """A batch write or read still had unprocessed items (or keys) after every retry: nothing
    is silently lost, and a key never read is not mistaken for a missing item."""

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
