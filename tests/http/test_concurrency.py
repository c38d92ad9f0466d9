"""100 chats from 10 users at once: every reply lands in its own user's thread, no errors.

All users use the same ten thread ids on purpose: per-user namespacing has to keep them
apart while the turns interleave on the server's worker threads.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.http_api import USERS, ApiStack, auth

pytestmark = pytest.mark.integration

THREADS_PER_USER = 10


def test_hundred_concurrent_chats_stay_in_their_users_threads(api: ApiStack) -> None:
    jobs = [(user, index) for index in range(THREADS_PER_USER) for user in USERS]
    headers = {user: auth(user) for user in USERS}

    def ask(client: httpx.Client, user: str, index: int) -> tuple[str, int, httpx.Response]:
        return user, index, client.post("/v1/chat", headers=headers[user], json={
            "message": f"[{user}#{index}] How did I do this week?", "threadId": f"load-{index}"})

    with api.client(limits=httpx.Limits(max_connections=20)) as client, ThreadPoolExecutor(
            max_workers=20) as pool:
        results = list(pool.map(lambda job: ask(client, *job), jobs))
        assert len(results) == 100
        for user, index, response in results:
            assert response.status_code == 200, (user, index, response.text)
            body = response.json()
            assert body["failed"] is False and body["threadId"] == f"load-{index}"
        replies = {(user, index): response.json()["reply"] for user, index, response in results}
        for user, index in jobs:
            history = client.get(f"/v1/threads/load-{index}", headers=headers[user])
            assert history.status_code == 200
            turns = history.json()["messages"]
            asked = [turn["text"] for turn in turns if turn["role"] == "user"]
            assert asked == [f"[{user}#{index}] How did I do this week?"]
            answered = [turn["text"] for turn in turns if turn["role"] == "assistant"
                        and turn["text"]]
            assert answered[-1] == replies[(user, index)]
