"""Listeners for managing accounts and the digest from Slack: the Home tab, its buttons, the form.

Registered from `bolt_app` next to the conversation listeners, with the same rule: acknowledge
first. What may wait runs after the acknowledgement (lazily: publishing the Home tab, storing
a submitted form); what Slack needs inside its three seconds happens in the acknowledgement
itself: the form's field errors (they are the acknowledgement's body) and opening a window,
whose `trigger_id` expires three seconds after the click.

A Connect or Reconnect button with a link opens the browser on the user's side; Slack still
sends the click as a `block_actions` payload, which only needs its acknowledgement (without
one, Slack shows the person a warning next to the button). Who acts is always the payload's
`user`, resolved to a CloudStro profile like every message.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from cloudstro.channels.slack.connect_reply import LinkIssuer
from cloudstro.channels.slack.digest_modal import DIGEST_CALLBACK, DigestSettings
from cloudstro.channels.slack.home import EDIT_DIGEST_ACTION, HomeTab, link_modal
from cloudstro.channels.slack.identity import SlackIdentity
from cloudstro.config import Clock
from cloudstro.ingest.oauth import ConnectError, SlackRequester
from cloudstro.slackkit.connect_blocks import LINK_ACTION, RECONNECT_REQUEST_ACTION
from cloudstro.store import Store

log = logging.getLogger("cloudstro.slack")


def register_account_listeners(app: App, store: Store, identity: SlackIdentity,
                               issue_link: LinkIssuer, clock: Clock) -> HomeTab:
    """Add the Home tab, its buttons and the digest form to `app`; the Home tab is returned."""
    home = HomeTab(store, identity, issue_link)
    digest = DigestSettings(store, identity, home, clock)

    def acknowledge(ack: Ack) -> None:
        ack()

    # --- the Home tab, rebuilt whenever it is opened
    def publish_home(body: dict[str, Any], client: WebClient) -> None:
        event = body["event"]
        if event.get("tab", "home") != "home":
            return  # the Messages tab is the DM; nothing to publish
        try:
            home.publish(event["user"], _team(body), client)
        except Exception as exc:
            log.error("could not publish the Home tab of %s: %s", event.get("user"),
                      type(exc).__name__)

    app.event("app_home_opened")(ack=acknowledge, lazy=[publish_home])

    # --- Connect / Reconnect buttons that carry their link: the browser opens it
    app.action(LINK_ACTION)(acknowledge)

    # --- Reconnect from a message read later: a fresh link, in a window
    def reconnect_with_fresh_link(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        slack_user = _user(body)
        platform = str(((body.get("actions") or [{}])[0]).get("value") or "")
        user_id = identity.linked_user(slack_user, _team(body))
        url, problem = None, None
        if user_id is None:
            problem = "Your Slack account isn't linked to CloudStro any more."
        else:
            try:
                url = issue_link(user_id, platform, SlackRequester(slack_user, _team(body)))
            except ConnectError as exc:
                problem = str(exc)
        client.views_open(trigger_id=body["trigger_id"], view=link_modal(platform, url, problem))

    app.action(RECONNECT_REQUEST_ACTION)(reconnect_with_fresh_link)

    # --- the digest form
    def open_digest_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        digest.open(body["trigger_id"], _user(body), _team(body), client)

    app.action(EDIT_DIGEST_ACTION)(open_digest_form)

    def check_digest_form(ack: Ack, body: dict[str, Any]) -> None:
        errors = digest.check(_user(body), _team(body), _values(body))
        if errors:
            ack(response_action="errors", errors=errors)
        else:
            ack()

    def save_digest_form(body: dict[str, Any], client: WebClient) -> None:
        try:
            digest.save(_user(body), _team(body), _values(body), client)
        except Exception as exc:
            log.error("could not store the digest form of %s: %s", _user(body),
                      type(exc).__name__)

    app.view_submission(DIGEST_CALLBACK)(ack=check_digest_form, lazy=[save_digest_form])
    return home


def _user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def _team(body: dict[str, Any]) -> str | None:
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    return body.get("team_id") or (body.get("user") or {}).get("team_id")


def _values(body: dict[str, Any]) -> dict[str, Any]:
    return ((body.get("view") or {}).get("state") or {}).get("values") or {}
