"""Every key prefix on the runtime table, spelled in one place.

The runtime table is shared by unrelated features (claims, links, small records); a prefix
spelled in two modules can drift and two features can then collide on one key. Each feature
builds its keys with a function here, and its repository (`Store.claims`, `Store.slack_links`,
`Store.feedback`, `Store.demo_runs`) reads and writes them. A new namespace is one `*_PREFIX`
constant and one function in this module; a test keeps every `*_PREFIX` spelled nowhere else
and no prefix the start of another.
"""

from __future__ import annotations

import hashlib

SYNC_CLAIM_PREFIX = "SYNC#"


def sync_claim_key(user_id: str, platform_account_id: str) -> str:
    """The claim that lets exactly one process sync one connected account at a time."""
    return f"{SYNC_CLAIM_PREFIX}{user_id}#{platform_account_id}"


CLAIM_SK = "CLAIM"  # the sort key of every claim, whatever its namespace

SLACK_USER_PREFIX = "SLACKUSER#"
SLACK_LINK_SK = "LINK"


def slack_link_key(slack_user_id: str) -> str:
    """A Slack user's link to a CloudStro user (sort key `SLACK_LINK_SK`, no expiry).

    Slack user ids are unique across workspaces, so the team is kept on the record, not in
    the key.
    """
    return f"{SLACK_USER_PREFIX}{slack_user_id}"


SLACK_EVENT_PREFIX = "SLACKEVENT#"


def slack_event_key(event_id: str) -> str:
    """The claim that answers one Slack event once, whichever process or retry receives it."""
    return f"{SLACK_EVENT_PREFIX}{event_id}"


FEEDBACK_PREFIX = "FEEDBACK#"


def feedback_key(channel: str, message_ts: str, slack_user_id: str) -> tuple[str, str]:
    """(PK, SK) of one person's vote on one answer: a second click replaces the first."""
    return f"{FEEDBACK_PREFIX}{channel}#{message_ts}", slack_link_key(slack_user_id)


DIGEST_PREFIX = "DIGEST#"


def digest_claim_key(user_id: str, occurrence_key: str) -> str:
    """The claim that sends one user's digest for one period once (`Occurrence.key`)."""
    return f"{DIGEST_PREFIX}{user_id}#{occurrence_key}"


DEMO_RUN_PREFIX = "demo#"
DEMO_RUN_SK = "DEMO_RUN"


def demo_run_key(user_id: str) -> str:
    """The arguments the demo data for one demo user was last generated with."""
    return f"{DEMO_RUN_PREFIX}{user_id}"


OAUTH_STATE_PREFIX = "OAUTH#"
OAUTH_STATE_SK = "PENDING_CONNECTION"
SLACK_SIGNIN_SK = "SLACK_SIGNIN"  # a Slack sign-in under way, found by its own OpenID state


def oauth_state_key(state: str) -> str:
    """A pending connection, found by the OAuth `state` the platform sends back.

    The key holds a digest of the state, not the state itself: whoever reads the runtime table
    learns nothing they could complete a connection with.
    """
    return f"{OAUTH_STATE_PREFIX}{hashlib.sha256(state.encode()).hexdigest()}"


MIGRATION_PROGRESS_PREFIX = "MIGRATION#"


def migration_progress_key(source_table: str) -> str:
    """The progress of migrating one legacy table (one record per scan segment under it)."""
    return f"{MIGRATION_PROGRESS_PREFIX}{source_table}"


REAUTH_NOTICE_PREFIX = "REAUTHNOTICE#"


def reauth_notice_key(user_id: str, platform_account_id: str, token_version: int | None) -> str:
    """The claim that tells an account's owner once that the platform refused its tokens.

    The token version is part of the key: the same refused tokens are noticed once however
    often they are refused, and tokens from a later reconnection get a notice of their own.
    """
    version = "unknown" if token_version is None else str(token_version)
    return f"{REAUTH_NOTICE_PREFIX}{user_id}#{platform_account_id}#v{version}"
