"""The App Home through the real server: published views, button clicks and the digest form.

Every request is signed like Slack's and carries the payload shapes Slack sends
(tests/slack/home_payloads.py); every Web API call lands on the mock Slack API. Each test
makes its own CloudStro user and Slack user on the shared DynamoDB Local tables, so changing a
digest or a timezone here touches no other test's data.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from cloudstro.channels.slack.digest_modal import DIGEST_CALLBACK
from cloudstro.channels.slack.home import EDIT_DIGEST_ACTION, home_view
from cloudstro.channels.slack.identity import SlackIdentity
from cloudstro.config import Settings
from cloudstro.ingest.oauth.flow import pending_connections
from cloudstro.insights import refresh_user
from cloudstro.slackkit.connect_blocks import RECONNECT_REQUEST_ACTION, reauth_notice
from cloudstro.store import Store
from cloudstro.store.accounts import new_account_fields
from cloudstro.store.oauth_states import PendingConnection
from cloudstro.store.records import DigestPreferences
from tests.insights.data import timing_posts
from tests.slack.home_payloads import (
    buttons,
    click_in_message,
    click_in_view,
    form_values,
    home_opened,
    submission,
)
from tests.support.builders import profile
from tests.support.mock_slack import TEAM
from tests.support.slack import (
    NOW,
    Served,
    World,
    dm,
    mention,
    new_channel,
    post_action,
    post_event,
    serve,
    wait_quiet,
)

CLIENTS = {"TWITTER_CLIENT_ID": "x-app", "INSTAGRAM_CLIENT_ID": "ig-app",
           "INSTAGRAM_CLIENT_SECRET": "ig-secret", "FACEBOOK_APP_ID": "fb-app",
           "FACEBOOK_APP_SECRET": "fb-secret", "TIKTOK_CLIENT_ID": "tt-key",
           "TIKTOK_CLIENT_SECRET": "tt-secret",
           "SLACK_CLIENT_ID": "slack-app", "SLACK_CLIENT_SECRET": "slack-app-secret",
           "CLOUDSTRO_PUBLIC_URL": "https://cloudstro.example.com/"}
SIGNIN_LINK = re.compile(r"https://cloudstro\.example\.com/connect/([A-Za-z0-9_-]{43})")


@pytest.fixture(scope="module")
def connectable(slack_world: World) -> Iterator[tuple[World, Served]]:
    """The Slack app on the shared tables, with OAuth clients for every platform and Sign in
    with Slack (so every link it hands out is one only its Slack user can finish)."""
    settings = Settings.model_validate({**slack_world.settings.model_dump(by_alias=True),
                                        **CLIENTS})
    world = World(settings, Store(slack_world.store.dynamo, settings), slack_world.slack,
                  slack_world.claims)
    with serve(world) as served:
        yield world, served


@pytest.fixture
def world(connectable: tuple[World, Served]) -> World:
    return connectable[0]


@pytest.fixture
def url(connectable: tuple[World, Served]) -> str:
    return connectable[1].url


def new_person(world: World, *, timezone: str = "America/New_York") -> tuple[str, str]:
    """A CloudStro user linked to a new Slack user: (user id, Slack user id)."""
    user_id = f"home_{uuid.uuid4().hex[:10]}"
    slack_user = "U" + uuid.uuid4().hex[:10].upper()
    world.store.users.put(profile(user_id, timezone=timezone))
    SlackIdentity(world.store).link(user_id, slack_user, TEAM)
    return user_id, slack_user


def add_account(world: World, user_id: str, platform: str, account_id: str,
                handle: str) -> None:
    fields = new_account_fields(user_id, platform, account_id, username=handle,
                                token_expires_at=NOW + timedelta(days=30),
                                now=NOW - timedelta(days=3))
    world.store.accounts.add_with_tokens(fields, SecretStr("token-not-shown"), None)


def published_home(world: World, url: str, slack_user: str) -> dict[str, Any]:
    assert post_event(url, home_opened(slack_user)).status_code == 200
    world.slack.wait_for(lambda: bool(world.slack.calls_to("views.publish", user_id=slack_user)),
                         what=f"the Home tab of {slack_user}")
    calls = world.slack.calls_to("views.publish", user_id=slack_user)
    assert len(calls) == 1
    view = calls[0].params["view"]
    assert isinstance(view, dict) and view["type"] == "home"
    return view


def texts(view: dict[str, Any]) -> str:
    parts = []
    for block in view["blocks"]:
        for holder in (block, *(block.get("elements") or [])):
            text = holder.get("text")
            parts.append(text["text"] if isinstance(text, dict) else str(text or ""))
    return "\n".join(parts)


def link_buttons(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Buttons carrying a link, by their label."""
    return {element["text"]["text"]: element for element, _ in buttons(view)
            if element.get("url")}


def pending_for(world: World, link: str, slack_user: str) -> PendingConnection:
    """The pending connection behind a link made in Slack (taking it, as a callback would),
    after checking it is one that only `slack_user`, signed in to Slack, can finish."""
    match = SIGNIN_LINK.fullmatch(link)
    assert match, f"{link} is not a sign-in link"
    pending = pending_connections(world.store).take(match.group(1), NOW)
    assert isinstance(pending, PendingConnection)
    assert (pending.slackUserId, pending.slackTeamId) == (slack_user, TEAM)
    return pending


# ------------------------------------------------------------------------------ the Home tab


def test_home_of_a_linked_user_shows_accounts_buttons_and_digest(world: World, url: str) -> None:
    user_id, slack_user = new_person(world)
    add_account(world, user_id, "twitter", "111", "maker")
    world.store.accounts.record_sync(user_id, "twitter", "111", state={}, new_posts=4,
                                     failed=False, now=NOW)
    add_account(world, user_id, "instagram", "222", "maker.ig")
    world.store.accounts.mark_reauth_required(user_id, "instagram", "222",
                                              "the platform refused the token refresh", NOW)

    view = published_home(world, url, slack_user)

    shown = texts(view)
    assert "*Twitter/X* @maker\nActive; last sync 2026-11-24 19:00." in shown  # New York time
    assert "*Instagram* @maker.ig\n:warning: Needs reconnecting (the platform refused" in shown
    links = link_buttons(view)
    assert set(links) == {"Reconnect Instagram", "Connect Facebook", "Connect TikTok"}
    for label, button in links.items():
        platform = {"Instagram": "instagram", "Facebook": "facebook",
                    "TikTok": "tiktok"}[label.split(" ", 1)[1]]
        pending = pending_for(world, button["url"], slack_user)
        assert (pending.userId, pending.platform) == (user_id, platform)
    assert "*Off*: every Monday at 09:00 (America/New_York), as a DM to you." in shown
    assert [e["action_id"] for e, _ in buttons(view) if not e.get("url")] == [
        EDIT_DIGEST_ACTION]
    assert "token-not-shown" not in str(view)


def test_home_of_an_unlinked_slack_user_explains_linking_and_shows_no_data(
        world: World, url: str) -> None:
    stranger = "U" + uuid.uuid4().hex[:10].upper()  # users.info knows no email for them

    view = published_home(world, url, stranger)

    shown = texts(view)
    assert "isn't linked to a CloudStro account" in shown
    assert f"--slack-user {stranger}" in shown
    assert buttons(view) == []
    assert "Your accounts" not in shown and "digest" not in shown.lower()


def test_opening_the_messages_tab_publishes_nothing(world: World, url: str) -> None:
    _, slack_user = new_person(world)
    assert post_event(url, home_opened(slack_user, tab="messages")).status_code == 200
    published_home(world, url, slack_user)  # the Home tab right after: exactly one publish


def test_a_profile_with_every_platform_connected_gets_no_connect_button(
        world: World, url: str) -> None:
    user_id, slack_user = new_person(world)
    for number, platform in enumerate(("twitter", "instagram", "facebook", "tiktok")):
        add_account(world, user_id, platform, str(900 + number), f"maker{number}")

    view = published_home(world, url, slack_user)

    assert link_buttons(view) == {}
    assert "not synced yet" in texts(view)


# ------------------------------------------------------------------------------ clicks


def test_connect_and_reconnect_link_clicks_are_acknowledged_and_do_nothing_else(
        world: World, url: str) -> None:
    user_id, slack_user = new_person(world)
    add_account(world, user_id, "instagram", "333", "maker.ig")
    world.store.accounts.mark_reauth_required(user_id, "instagram", "333", "refused", NOW)
    view = published_home(world, url, slack_user)
    clicks = [(element, block_id) for element, block_id in buttons(view) if element.get("url")]
    assert {e["text"]["text"].split(" ")[0] for e, _ in clicks} == {"Connect", "Reconnect"}
    before = len(world.slack.calls)

    for element, block_id in clicks:
        response = post_action(url, click_in_view(slack_user, view, element, block_id))
        assert response.status_code == 200 and response.text == ""

    assert world.slack.calls[before:] == []


def test_reconnect_from_a_message_opens_a_fresh_link_for_the_person_who_clicked(
        world: World, url: str) -> None:
    user_id, slack_user = new_person(world)
    _, blocks = reauth_notice("tiktok", "@maker", "refused")
    (element, block_id), = buttons(blocks)
    assert element["action_id"] == RECONNECT_REQUEST_ACTION and "url" not in element
    payload = click_in_message(slack_user, "D0HOMEDM01", "1800000000.000001", blocks,
                               element, block_id)

    assert post_action(url, payload).status_code == 200

    world.slack.wait_for(lambda: bool(world.slack.calls_to(
        "views.open", trigger_id=payload["trigger_id"])), what="the reconnect window")
    view = world.slack.calls_to("views.open", trigger_id=payload["trigger_id"])[0].params["view"]
    (link, _), = buttons(view)
    assert link["text"]["text"] == "Reconnect TikTok"
    pending = pending_for(world, link["url"], slack_user)
    assert (pending.userId, pending.platform) == (user_id, "tiktok")


# ------------------------------------------------------------------------------ the form


def open_form(world: World, url: str, slack_user: str) -> dict[str, Any]:
    home = published_home(world, url, slack_user)
    (edit, block_id), = [(e, b) for e, b in buttons(home) if e["action_id"] == EDIT_DIGEST_ACTION]
    payload = click_in_view(slack_user, home, edit, block_id)
    assert post_action(url, payload).status_code == 200
    world.slack.wait_for(lambda: bool(world.slack.calls_to(
        "views.open", trigger_id=payload["trigger_id"])), what="the digest form")
    view = world.slack.calls_to("views.open", trigger_id=payload["trigger_id"])[0].params["view"]
    assert view["callback_id"] == DIGEST_CALLBACK
    return view


def test_edit_opens_the_form_filled_with_the_current_settings(world: World, url: str) -> None:
    user_id, slack_user = new_person(world, timezone="Europe/Berlin")
    world.store.users.set_digest(user_id, DigestPreferences(
        enabled=True, cadence="weekly", dayOfWeek="Friday", time="17:30",
        slackChannel="C0123ABCDE"))

    form = open_form(world, url, slack_user)

    values = form_values(form)
    assert {block: next(iter(entry.values())).get("value") or
            next(iter(entry.values()))["selected_option"]["value"]
            for block, entry in values.items()} == {
        "enabled": "on", "cadence": "weekly", "day": "Friday", "time": "17:30",
        "channel": "C0123ABCDE", "timezone": "Europe/Berlin"}


def test_a_form_with_bad_values_names_each_bad_field_and_stores_nothing(
        world: World, url: str) -> None:
    user_id, slack_user = new_person(world)
    form = open_form(world, url, slack_user)
    before = world.store.users.get(user_id)
    calls = len(world.slack.calls)

    response = post_action(url, submission(slack_user, form, form_values(
        form, enabled="on", time="25:00", channel="#general", timezone="Mars/Olympus")))

    assert response.status_code == 200
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "time": "'25:00' is not a 24-hour time like 09:00 or 17:30",
        "channel": "'#general' is not a Slack channel id; they look like C0123ABCDE "
                   "(channel details → bottom of the About tab), not a #name",
        "timezone": "unknown IANA timezone 'Mars/Olympus'"}
    assert world.store.users.get(user_id) == before
    assert world.slack.calls[calls:] == []  # no Home republished: nothing changed


def test_a_good_form_stores_the_digest_and_recomputes_best_times_in_the_new_zone(
        world: World, url: str) -> None:
    user_id, slack_user = new_person(world)
    world.store.posts.put_many(timing_posts(120, user=user_id, platform="twitter"))
    refresh_user(world.store, user_id, NOW)
    best = world.store.insights.get(user_id, "optimal_timing_all")
    assert best is not None and best.data["optimalTimes"][0] == "18:00"
    form = open_form(world, url, slack_user)

    response = post_action(url, submission(slack_user, form, form_values(
        form, enabled="on", cadence="daily", time="7:05", channel="", timezone="Asia/Tokyo")))

    assert response.status_code == 200 and response.text == ""
    world.slack.wait_for(lambda: len(world.slack.calls_to("views.publish",
                                                          user_id=slack_user)) == 2,
                         what="the Home tab published again")
    stored = world.store.users.get(user_id)
    assert stored is not None
    assert stored.digest == DigestPreferences(enabled=True, cadence="daily", dayOfWeek="Monday",
                                              time="07:05", slackChannel=None)
    assert stored.zone == "Asia/Tokyo"
    best = world.store.insights.get(user_id, "optimal_timing_all")
    assert best is not None
    assert best.data["timezone"] == "Asia/Tokyo"
    assert best.data["optimalTimes"][0] in {"07:00", "08:00"}  # 18:00 New York
    republished = world.slack.calls_to("views.publish", user_id=slack_user)[-1].params["view"]
    assert "*On*: daily at 07:05 (Asia/Tokyo), as a DM to you." in texts(republished)


def test_a_form_submitted_by_an_unlinked_slack_user_changes_nothing(
        world: World, url: str) -> None:
    user_id, slack_user = new_person(world)
    form = open_form(world, url, slack_user)
    stranger = "U" + uuid.uuid4().hex[:10].upper()

    response = post_action(url, submission(stranger, form, form_values(form, enabled="on")))

    assert response.json()["response_action"] == "errors"
    stored = world.store.users.get(user_id)
    assert stored is not None and stored.digest is None


# ------------------------------------------------------------------------------ conversations

ANSWER_WAIT = 30.0


def streamed_answer(world: World, url: str, slack_user: str, text: str) -> dict[str, Any]:
    channel = new_channel("D")
    assert post_event(url, dm(channel, text, user=slack_user)).status_code == 200
    world.slack.wait_for(lambda: bool(world.slack.answers(channel)), ANSWER_WAIT,
                         f"the answer to {text!r}")
    (answer,) = world.slack.answers(channel)
    return answer


def test_connect_my_instagram_answers_with_the_link_and_a_connect_button(
        world: World, url: str) -> None:
    user_id, slack_user = new_person(world)

    answer = streamed_answer(world, url, slack_user, "connect my instagram")

    assert "Connect Instagram" in answer["text"]
    assert "sign in with Slack first, then takes you to Instagram" in answer["text"]
    links = link_buttons({"blocks": answer["blocks"]})
    assert list(links) == ["Connect Instagram"]
    pending = pending_for(world, links["Connect Instagram"]["url"], slack_user)
    assert (pending.userId, pending.platform) == (user_id, "instagram")
    (in_text,) = SIGNIN_LINK.findall(answer["text"])  # the tool's link, for Slacks without buttons
    pending = pending_for(world, f"https://cloudstro.example.com/connect/{in_text}", slack_user)
    assert (pending.userId, pending.platform) == (user_id, "instagram")


def test_reconnect_my_instagram_answers_with_a_reconnect_button(world: World, url: str) -> None:
    user_id, slack_user = new_person(world)
    add_account(world, user_id, "instagram", "666", "maker.ig")
    world.store.accounts.mark_reauth_required(user_id, "instagram", "666", "refused", NOW)

    answer = streamed_answer(world, url, slack_user, "reconnect my instagram")

    assert "Reconnect Instagram here" in answer["text"]
    assert list(link_buttons({"blocks": answer["blocks"]})) == ["Reconnect Instagram"]


def test_a_question_about_a_platform_not_connected_suggests_connecting_it(
        world: World, url: str) -> None:
    user_id, slack_user = new_person(world)
    add_account(world, user_id, "twitter", "444", "maker")

    answer = streamed_answer(world, url, slack_user, "how is my tiktok doing this week?")

    shown = texts({"blocks": answer["blocks"]})
    assert "You haven't connected TikTok yet." in shown
    (button,) = link_buttons({"blocks": answer["blocks"]}).values()
    assert button["text"]["text"] == "Connect TikTok"
    assert pending_for(world, button["url"], slack_user).userId == user_id

    connected = streamed_answer(world, url, slack_user, "how is my twitter doing this week?")
    assert link_buttons({"blocks": connected["blocks"]}) == {}


def test_a_link_asked_for_in_a_channel_is_shown_to_the_asker_alone(
        world: World, url: str) -> None:
    user_id, slack_user = new_person(world)
    channel = new_channel("C")

    assert post_event(url, mention(channel, "connect my facebook", user=slack_user)
                      ).status_code == 200

    world.slack.wait_for(lambda: bool(world.slack.calls_to("chat.postEphemeral",
                                                           channel=channel)),
                         ANSWER_WAIT, "the answer to the asker")
    (private,) = world.slack.calls_to("chat.postEphemeral", channel=channel)
    assert private.params["user"] == slack_user
    assert "Connect Facebook" in private.params["text"]
    (button,) = link_buttons({"blocks": private.params["blocks"]}).values()
    assert button["text"]["text"] == "Connect Facebook"
    assert pending_for(world, button["url"], slack_user).userId == user_id
    wait_quiet(world.slack)
    assert world.slack.answers(channel) == []  # nothing in the channel for others to follow


def test_names_and_reasons_from_platforms_are_shown_as_text_never_markup(
        world: World, url: str) -> None:
    user_id, slack_user = new_person(world)
    add_account(world, user_id, "facebook", "555", "<!channel>")
    world.store.accounts.mark_reauth_required(
        user_id, "facebook", "555", "<@U0ALICE> see https://evil.example/x", NOW)

    shown = texts(published_home(world, url, slack_user))
    _, blocks = reauth_notice("facebook", "@<!channel>", "<@U0ALICE> see https://evil.example/x")
    dm_text = blocks[0]["text"]["text"]

    for text in (shown, dm_text):
        assert "@&lt;!channel&gt;" in text and "<!channel>" not in text
        assert "&lt;@U0ALICE&gt;" in text and "<@U0ALICE>" not in text
        assert "`https://evil.example/x`" in text  # shown, not linked


def test_a_server_without_oauth_clients_says_so_in_place_of_connect_buttons() -> None:
    view = home_view(profile("nobody", timezone="UTC"), [],
                     {p: None for p in ("twitter", "instagram", "facebook", "tiktok")})

    assert [e["action_id"] for e, _ in buttons(view)] == [EDIT_DIGEST_ACTION]
    assert ("Connecting Twitter/X, Instagram, Facebook, TikTok is not set up on this server."
            in texts(view))
