"""The runtime context every tool reads: who is asking, and the store to read from.

It is handed to the graph on each call (`context=`), never checkpointed, and never visible
to the model, so the model cannot change whose data a tool reads. `slack` is the Slack user a
turn came from (None over HTTP): a connection link made for it must be finished by that Slack
user, whatever the answer's text does with the link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cloudstro.ingest.oauth.browser import SlackRequester
from cloudstro.store import Store


@dataclass(frozen=True)
class UserContext:
    user_id: str
    store: Store
    now: datetime | None = None  # fixed "now" for reproducible tests and benchmarks
    slack: SlackRequester | None = None
