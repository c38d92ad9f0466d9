"""`cloudstro insights refresh` end to end on DynamoDB Local."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import cloudstro.cli.insights as insights_cli
from cloudstro.cli.insights import insights
from tests.insights.data import NOW, USER, timing_posts
from tests.support.builders import profile

pytestmark = pytest.mark.integration


def test_cli_refresh_all_and_one_user_on_dynamodb_local(local_store, monkeypatch):
    monkeypatch.setattr(insights_cli, "clock", lambda: NOW)  # the posts' own "now"
    local_store.users.put(profile())
    local_store.posts.put_many(timing_posts(60, platform="twitter"))
    local_store.users.put(profile("user-few"))
    local_store.posts.put_many(timing_posts(5, user="user-few"))
    runner = CliRunner()

    result = runner.invoke(insights, ["refresh", "--all", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "users ok 2, skipped 0" in result.output
    timing = local_store.insights.get(USER, "optimal_timing_all")
    assert timing.data["optimalTimes"][0] == "18:00" and timing.TTL > 0
    few = local_store.insights.get("user-few", "optimal_timing_all")
    assert few.confidence < 0.5 and few.data["optimalTimes"] == []

    before = len(local_store.insights.ids_for_user(USER))
    again = runner.invoke(insights, ["refresh", "--user", USER])
    assert again.exit_code == 0, again.output
    assert len(local_store.insights.ids_for_user(USER)) == before

    missing = runner.invoke(insights, ["refresh", "--user", "nobody"])
    assert missing.exit_code != 0 and "no user 'nobody'" in missing.output
    both = runner.invoke(insights, ["refresh"])
    assert both.exit_code != 0 and "exactly one of --user ID or --all" in both.output
