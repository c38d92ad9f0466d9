"""Sync failures, each saying which platform and what, and never carrying a token.

Messages are built from the platform name, the API path (never a URL with its query string,
which may hold an `access_token`) and the platform's error code, so a message can go into a
log line, a CLI summary or a tool result as it is.
"""

from __future__ import annotations


class IngestError(RuntimeError):
    """Base of every sync failure; `platform` names the platform involved."""

    def __init__(self, platform: str, message: str) -> None:
        super().__init__(f"{platform}: {message}")
        self.platform = platform


class MalformedResponse(IngestError):
    """The platform answered, but not in the shape its API documents."""

    def __init__(self, platform: str, field: str, detail: str = "") -> None:
        suffix = f" ({detail})" if detail else ""
        super().__init__(platform, f"malformed response: field {field!r}{suffix}")
        self.field = field


class PlatformError(IngestError):
    """A request failed for a reason retrying will not fix (or retries ran out)."""

    def __init__(self, platform: str, path: str, status: int | None, code: str | None = None,
                 detail: str = "") -> None:
        parts = [f"{path} failed"]
        if status is not None:
            parts.append(f"HTTP {status}")
        if code:
            parts.append(f"code {code}")
        if detail:
            parts.append(detail)
        super().__init__(platform, ", ".join(parts))
        self.status = status
        self.code = code


class RateLimited(IngestError):
    """The platform's rate limit would need a longer wait than this run allows."""

    def __init__(self, platform: str, path: str, wait_seconds: float) -> None:
        super().__init__(platform, f"rate limited on {path}; the limit resets in "
                                   f"{wait_seconds:.0f}s, later than this run waits")
        self.wait_seconds = wait_seconds


class AuthRejected(IngestError):
    """The platform refused the access token (401, Meta 190, TikTok access_token_invalid)."""


class ReauthRequired(IngestError):
    """The tokens cannot be renewed: the account's owner must connect it again."""

    def __init__(self, platform: str, reason: str) -> None:
        super().__init__(platform, f"needs reconnecting: {reason}")
        self.reason = reason


class NotConfigured(IngestError):
    """A setting the platform needs (an OAuth client id or secret) is not set."""

    def __init__(self, platform: str, setting: str) -> None:
        super().__init__(platform, f"{setting} is not set, so the account's tokens cannot be "
                                   "renewed")
        self.setting = setting
