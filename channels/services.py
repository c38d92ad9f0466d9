"""What every channel is given: the Store and Assistant they share, and the installer shape.

A channel is a package with one `install(app, services)` (`ChannelInstaller`); `channels/app.py`
calls each in turn. This module sits below both the app and the channels, so neither imports
the other to name it, and it imports nothing heavy: the Assistant (the agent stack) and the
Store (the AWS SDK) are built on first use, never at import.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from cloudstro.agent.service import Assistant
    from cloudstro.channels.http.auth import SigningSecret
    from cloudstro.config import Settings
    from cloudstro.store import Store


class Services:
    """The Store and Assistant every channel shares, built on first use and only once, and the
    secret the API's bearer tokens are checked with (the HTTP channel refuses to install
    without it; an app serving only Slack needs none).

    Building the Assistant imports the agent stack and opens AWS clients; doing that on the
    first request (in a worker thread) keeps `create_app` cheap, which matters for a Lambda
    cold start that may only answer a health check.
    """

    def __init__(self, settings: Settings, store: Store | None = None,
                 assistant: Assistant | None = None, *,
                 auth_secret: SigningSecret | None = None) -> None:
        self.settings = settings
        self.auth_secret = auth_secret
        self._store = store or (assistant.store if assistant else None)
        self._assistant = assistant
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                from cloudstro.store import Store

                self._store = Store(settings=self.settings)
            return self._store

    @property
    def built_assistant(self) -> Assistant | None:
        """The Assistant if it exists already (so callers can skip a thread hop)."""
        return self._assistant

    @property
    def assistant(self) -> Assistant:
        store = self.store
        with self._lock:
            if self._assistant is None:
                from cloudstro.agent.service import Assistant

                self._assistant = Assistant(store, self.settings)
            return self._assistant

    @property
    def turn_executor(self) -> ThreadPoolExecutor:
        """Worker threads for agent turns: the agent is sync and must not block the loop."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.settings.http_turn_workers,
                                                    thread_name_prefix="cloudstro-turn")
            return self._executor

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


# Every channel package exposes one of these as `install`: add its routes to the app.
ChannelInstaller = Callable[["FastAPI", Services], None]
