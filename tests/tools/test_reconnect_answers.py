"""The accounts tool and the offline answer say which account needs reconnecting, and why."""

from __future__ import annotations

from types import SimpleNamespace

from langchain_core.tools import StructuredTool

from cloudstro.store import Store
from cloudstro.store.platforms import display_name
from cloudstro.tools import list_my_accounts
from cloudstro.tools.context import UserContext
from tests.support.constants import DEMO_USER as USER
from tests.support.constants import NOW

REASON = "the platform refused the token refresh (invalid_grant)"


def _refuse_first_account(store: Store) -> tuple[str, str]:
    account = store.accounts.list_for_user(USER)[0]
    account_id = account.platformAccountId.split("#", 1)[1]
    store.accounts.mark_reauth_required(USER, account.platform, account_id, REASON, NOW)
    return account.platform, account.accountHandle or ""


def test_the_tool_marks_the_account_to_reconnect_with_its_reason(demo_store: Store) -> None:
    platform, handle = _refuse_first_account(demo_store)
    runtime = SimpleNamespace(context=UserContext(user_id=USER, store=demo_store, now=NOW))
    assert isinstance(list_my_accounts, StructuredTool) and list_my_accounts.func is not None
    result = list_my_accounts.func(runtime=runtime)

    flagged = [a for a in result["accounts"] if a["needsReconnecting"]]
    assert [(a["platform"], a["handle"]) for a in flagged] == [(platform, handle)]
    assert flagged[0]["status"] == "reauth_required"
    assert flagged[0]["statusReason"] == REASON
    others = [a for a in result["accounts"] if not a["needsReconnecting"]]
    assert others and all(a["status"] == "active" and a["statusReason"] is None for a in others)
    raw = demo_store.dynamo.table(demo_store.names.accounts).scan()["Items"]
    shown = repr(result)
    assert not any(item["accessToken"] in shown for item in raw)


def test_the_offline_answer_says_which_account_needs_reconnecting(
        offline_assistant, demo_store: Store) -> None:
    platform, handle = _refuse_first_account(demo_store)
    reply = offline_assistant.respond(USER, None, "which accounts are connected?", now=NOW)

    assert [call.name for call in reply.tool_calls] == ["list_my_accounts"]
    [line] = [line for line in reply.reply.splitlines() if "needs reconnecting" in line]
    assert line.startswith(f"- **{display_name(platform)}** {handle}:")
    assert REASON in line
    assert reply.reply.count("needs reconnecting") == 1
    raw = demo_store.dynamo.table(demo_store.names.accounts).scan()["Items"]
    assert not any(item["accessToken"] in reply.reply for item in raw)
