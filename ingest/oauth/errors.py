"""Why a connection could not be started or finished, in words a person can act on.

Every message is built from platform names, setting names and the platform's error code, never
from a token, a code, a state or a response body, so it can go on the callback page, into an
API error or into a log line as it is. `status` is the HTTP status the callback answers with.
"""

from __future__ import annotations

from cloudstro.store.platforms import shown_name


class ConnectError(Exception):
    """Base of every connect failure; `status` is what the HTTP channel answers."""

    status = 400
    title = "Not connected"


class UnknownPlatform(ConnectError):
    """The name is no platform CloudStro can connect (or one without an API, like RedNote)."""

    status = 404


class NotConfigured(ConnectError):
    """The server lacks the OAuth app settings this platform needs (a client id or secret)."""

    status = 503
    title = "Connecting is not set up"

    def __init__(self, platform: str, setting: str) -> None:
        super().__init__(f"Connecting {shown_name(platform)} is not set up on this server: "
                         f"{setting} is not set.")
        self.platform = platform
        self.setting = setting


class StateInvalid(ConnectError):
    """The callback's state was never issued, was already used, expired, or is for another
    platform: the link is no good, and nothing was stored."""

    title = "This link has expired"


class WrongBrowser(StateInvalid):
    """A connection came back to a browser it was not bound to (one that neither signed in to
    Slack for it nor confirmed its page), or a Slack sign-in to a browser other than the one
    that started it."""

    title = "Open the link in this browser"


class WrongPerson(ConnectError):
    """The browser signed in to Slack as someone other than the person the link was made for:
    the link was passed on, so it is spent and nothing is connected."""

    status = 403
    title = "This link was made for someone else"


class SignInFailed(ConnectError):
    """Slack refused the sign-in code (400) or did not answer usably (502)."""

    title = "Slack did not complete the sign-in"

    def __init__(self, message: str, *, refused: bool) -> None:
        super().__init__(message)
        self.status = 400 if refused else 502


class AuthorizationDenied(ConnectError):
    """The person declined on the platform's page (`error=access_denied`) or it reported an
    authorization error."""

    title = "Not connected"


class MissingCode(ConnectError):
    """The platform came back without an authorization code."""


class ExchangeFailed(ConnectError):
    """The platform refused the code (400) or did not answer usably (502)."""

    title = "The platform did not complete the connection"

    def __init__(self, platform: str, message: str, *, refused: bool) -> None:
        super().__init__(f"{shown_name(platform)} {message}")
        self.platform = platform
        self.status = 400 if refused else 502
