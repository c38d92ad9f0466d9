"""Interaction payloads as Slack sends them for the App Home, its buttons and the digest form.

Shapes follow Slack's interaction payload reference and slack-bolt's own tests: a click arrives
as `block_actions` with the view (Home tab or modal) or the message it came from, the
clicked element in `actions` (a link button's `url` included), and a `trigger_id`; a form
arrives as `view_submission` with every input's value in `view.state.values`, keyed by block
id and action id.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from tests.support.mock_slack import BOT_ID, TEAM
from tests.support.slack import envelope, new_channel, new_ts

APP_ID = "A0CLOUDSTRO"


def home_opened(slack_user: str, tab: str = "home") -> dict[str, Any]:
    return envelope({"type": "app_home_opened", "user": slack_user,
                     "channel": new_channel("D"), "tab": tab, "event_ts": new_ts()})


def _user(slack_user: str) -> dict[str, Any]:
    return {"id": slack_user, "username": "person", "name": "person", "team_id": TEAM}


def _trigger() -> str:
    return f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}"


def _view(view: dict[str, Any], view_id: str, values: dict[str, Any]) -> dict[str, Any]:
    return {"id": view_id, "team_id": TEAM, "type": view["type"], "blocks": view["blocks"],
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""), "state": {"values": values},
            "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
            "title": view.get("title") or {"type": "plain_text", "text": "CloudStro"},
            "clear_on_close": False, "notify_on_close": False, "close": view.get("close"),
            "submit": view.get("submit"), "previous_view_id": None, "root_view_id": view_id,
            "app_id": APP_ID, "external_id": "", "app_installed_team_id": TEAM,
            "bot_id": BOT_ID}


def clicked(element: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The `actions` entry Slack sends for a click on a button element."""
    action = {"type": "button", "action_id": element["action_id"], "block_id": block_id,
              "text": element["text"], "action_ts": new_ts()}
    for key in ("value", "url", "style"):
        if key in element:
            action[key] = element[key]
    return action


def click_in_view(slack_user: str, view: dict[str, Any],
                  element: dict[str, Any], block_id: str) -> dict[str, Any]:
    """A button click on a published view (the Home tab)."""
    view_id = "V" + uuid.uuid4().hex[:10].upper()
    return {"type": "block_actions", "user": _user(slack_user), "api_app_id": APP_ID,
            "token": "legacy", "container": {"type": "view", "view_id": view_id},
            "trigger_id": _trigger(), "team": {"id": TEAM, "domain": "cloudstro-test"},
            "enterprise": None, "is_enterprise_install": False,
            "view": _view(view, view_id, {}), "actions": [clicked(element, block_id)]}


def click_in_message(slack_user: str, channel: str, message_ts: str,
                     blocks: list[dict[str, Any]], element: dict[str, Any],
                     block_id: str) -> dict[str, Any]:
    """A button click on a message the app posted (a DM)."""
    return {"type": "block_actions", "user": _user(slack_user), "api_app_id": APP_ID,
            "token": "legacy",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                          "is_ephemeral": False},
            "trigger_id": _trigger(), "team": {"id": TEAM, "domain": "cloudstro-test"},
            "enterprise": None, "is_enterprise_install": False,
            "channel": {"id": channel, "name": "directmessage"},
            "message": {"bot_id": BOT_ID, "type": "message", "text": "", "user": "UBOTCLOUDSTRO",
                        "ts": message_ts, "team": TEAM, "blocks": blocks},
            "response_url": "https://hooks.slack.com/actions/T0TEST/1/abc",
            "actions": [clicked(element, block_id)]}


def submission(slack_user: str, view: dict[str, Any],
               values: dict[str, Any]) -> dict[str, Any]:
    """A `view_submission` of an opened modal with `values` as `view.state.values`."""
    view_id = "V" + uuid.uuid4().hex[:10].upper()
    return {"type": "view_submission", "team": {"id": TEAM, "domain": "cloudstro-test"},
            "user": _user(slack_user), "api_app_id": APP_ID, "token": "legacy",
            "trigger_id": _trigger(), "view": _view(view, view_id, values),
            "response_urls": [], "is_enterprise_install": False, "enterprise": None}


def form_values(view: dict[str, Any], **typed: str | None) -> dict[str, Any]:
    """`view.state.values` for a modal: each input as its initial value, or as `typed`."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        block_id, action_id = block["block_id"], element["action_id"]
        if element["type"] in ("static_select", "radio_buttons"):
            chosen = typed.get(block_id, (element.get("initial_option") or {}).get("value"))
            option = next((o for o in element["options"] if o["value"] == chosen), None)
            entry: dict[str, Any] = {"type": element["type"], "selected_option": option}
        else:
            entry = {"type": element["type"],
                     "value": typed.get(block_id, element.get("initial_value"))}
        values[block_id] = {action_id: entry}
    return values


def buttons(view_or_blocks: dict[str, Any] | list[dict[str, Any]]
            ) -> list[tuple[dict[str, Any], str]]:
    """Every button in a view or message, with the id of the block holding it."""
    blocks = view_or_blocks["blocks"] if isinstance(view_or_blocks, dict) else view_or_blocks
    found: list[tuple[dict[str, Any], str]] = []
    for index, block in enumerate(blocks):
        block_id = block.get("block_id") or f"b{index}"
        for element in [block.get("accessory"), *(block.get("elements") or [])]:
            if isinstance(element, dict) and element.get("type") == "button":
                found.append((element, block_id))
    return found
