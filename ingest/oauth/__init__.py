"""Users connect their own accounts: OAuth authorize links out, callbacks back into tokens.

The HTTP channel, Slack and the CLI call these functions; none of them ever sees a token.
"""

from cloudstro.ingest.oauth.apps import connectable_platform, redirect_uri
from cloudstro.ingest.oauth.browser import BROWSER_COOKIE, SlackRequester
from cloudstro.ingest.oauth.errors import (
    AuthorizationDenied,
    ConnectError,
    ExchangeFailed,
    MissingCode,
    NotConfigured,
    SignInFailed,
    StateInvalid,
    UnknownPlatform,
    WrongBrowser,
    WrongPerson,
)
from cloudstro.ingest.oauth.flow import (
    STATE_TTL,
    ConnectedAccount,
    Connection,
    ConnectionLink,
    begin_connection,
    finish_connection,
)
from cloudstro.ingest.oauth.manage import (
    ConnectionInfo,
    Disconnected,
    NoSuchConnection,
    disconnect,
    list_connections,
)

__all__ = [
    "BROWSER_COOKIE",
    "STATE_TTL",
    "AuthorizationDenied",
    "ConnectError",
    "ConnectedAccount",
    "Connection",
    "ConnectionInfo",
    "ConnectionLink",
    "Disconnected",
    "ExchangeFailed",
    "MissingCode",
    "NoSuchConnection",
    "NotConfigured",
    "SignInFailed",
    "SlackRequester",
    "StateInvalid",
    "UnknownPlatform",
    "WrongBrowser",
    "WrongPerson",
    "begin_connection",
    "connectable_platform",
    "disconnect",
    "finish_connection",
    "list_connections",
    "redirect_uri",
]
