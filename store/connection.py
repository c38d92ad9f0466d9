"""`Store`: the repositories wired to one DynamoDB connection.

It lives apart from the package's `__init__` so that importing a pure part of the data layer
(`cloudstro.store.records`, `cloudstro.store.platforms`) does not import boto3: analytics and
the offline responder read record models and platform facts without loading an AWS SDK.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from cloudstro.config import Settings, get_settings
from cloudstro.store.accounts import AccountsRepository
from cloudstro.store.base import batch_get
from cloudstro.store.claims import ClaimsRepository
from cloudstro.store.crypto import make_cipher
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.engagement import EngagementRepository
from cloudstro.store.insights import InsightsRepository
from cloudstro.store.oauth_states import PendingConnections, SlackSignIns
from cloudstro.store.posts import PostsRepository
from cloudstro.store.records import AIInsight, UserProfile
from cloudstro.store.runtime import DemoRunsRepository, FeedbackRepository, SlackLinksRepository
from cloudstro.store.tables import TableNames
from cloudstro.store.users import PROFILE, UsersRepository


class Store:
    def __init__(self, dynamo: Dynamo | None = None, settings: Settings | None = None,
                 kms_client: Any | None = None) -> None:
        self.settings = settings or (dynamo.settings if dynamo else get_settings())
        self.dynamo = dynamo or Dynamo(self.settings)
        self.names = TableNames.from_settings(self.settings)
        self._kms_client = kms_client

    @cached_property
    def users(self) -> UsersRepository:
        return UsersRepository(self.dynamo, self.names.users)

    @cached_property
    def accounts(self) -> AccountsRepository:
        return AccountsRepository(self.dynamo, self.names.accounts,
                                  make_cipher(self.settings, self._kms_client))

    @cached_property
    def posts(self) -> PostsRepository:
        return PostsRepository(self.dynamo, self.names.posts)

    @cached_property
    def engagement(self) -> EngagementRepository:
        return EngagementRepository(self.dynamo, self.names.engagement)

    @cached_property
    def insights(self) -> InsightsRepository:
        return InsightsRepository(self.dynamo, self.names.insights)

    # --- the runtime table: one repository per feature, keys from `store.runtime_keys`

    @cached_property
    def claims(self) -> ClaimsRepository:
        """This store's claims; every claim it takes carries one owner id."""
        return ClaimsRepository(self.dynamo, self.names.runtime)

    def claims_owned_by(self, owner: str) -> ClaimsRepository:
        """Claims under a caller's own owner id (a sync engine that also leases tokens)."""
        return ClaimsRepository(self.dynamo, self.names.runtime, owner=owner)

    @cached_property
    def slack_links(self) -> SlackLinksRepository:
        return SlackLinksRepository(self.dynamo, self.names.runtime)

    @cached_property
    def feedback(self) -> FeedbackRepository:
        return FeedbackRepository(self.dynamo, self.names.runtime)

    @cached_property
    def demo_runs(self) -> DemoRunsRepository:
        return DemoRunsRepository(self.dynamo, self.names.runtime)

    @cached_property
    def pending_connections(self) -> PendingConnections:
        return PendingConnections(self.dynamo, self.names.runtime)

    @cached_property
    def slack_signins(self) -> SlackSignIns:
        return SlackSignIns(self.dynamo, self.names.runtime)

    def profile_and_insight(self, user_id: str, insight_id: str
                            ) -> tuple[UserProfile | None, AIInsight | None]:
        """The user's profile and one stored insight in a single round trip.

        A stored best time is only right in the zone it was computed in, so serving it needs
        the user's current timezone as well; one BatchGetItem over both tables keeps that
        answer at one request (1 read unit) instead of two GetItems one after the other.
        """
        found = dict(batch_get(self.dynamo, {
            self.names.users: [{"userId": user_id, "recordType": PROFILE}],
            self.names.insights: [{"userId": user_id, "insightId": insight_id}],
        }))
        profile, insight = found.get(self.names.users), found.get(self.names.insights)
        return (UserProfile.from_stored(profile) if profile else None,
                AIInsight.from_stored(insight) if insight else None)

    def ping(self) -> None:
        """One cheap request that proves the endpoint answers and the users table exists."""
        with self.dynamo.translate_errors(self.names.users):
            self.dynamo.client.describe_table(TableName=self.names.users)

