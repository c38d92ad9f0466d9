"""cloudstro-social-posts: every platform's posts in the owner's partition."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from itertools import islice
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from cloudstro.store.base import ReadList, Repository
from cloudstro.store.records import SocialPost, iso_z
from cloudstro.store.tables import POSTS_BY_DATE


class PostsRepository(Repository):
    role = "posts"
    key_names = ("userId", "postId")

    def put(self, post: SocialPost) -> None:
        self._put(post.to_record())

    def put_many(self, posts: list[SocialPost],
                 progress: Callable[[int], None] | None = None) -> int:
        """Batch write; the list is fully validated (typed) before the first request."""
        return self._batch_put([post.to_record() for post in posts], progress)

    def get(self, user_id: str, post_id: str) -> SocialPost | None:
        """One post by its key (`platform#id`)."""
        return self._read_one(SocialPost, self._get({"userId": user_id, "postId": post_id}))

    def get_many(self, user_id: str, post_ids: list[str]) -> dict[str, SocialPost]:
        """The stored posts among `post_ids`, by post id, in batched reads (100 per request)."""
        items = self._batch_get([{"userId": user_id, "postId": post_id} for post_id in post_ids])
        return {post.postId: post for post in self._read_all(SocialPost, items)}

    def list_for_user(self, user_id: str, platform: str | None = None,
                      limit: int | None = None) -> ReadList[SocialPost]:
        """A user's posts, optionally on one platform.

        The seed filters platform with a FilterExpression, which reads (and bills) every post
        of every platform; the sort key already starts with the platform, so a
        `begins_with(postId, "twitter#")` key condition reads only that platform's posts.
        """
        condition = Key("userId").eq(user_id)
        if platform:
            condition = condition & Key("postId").begins_with(f"{platform}#")
        return self._read_all(SocialPost,
                              self._query(KeyConditionExpression=condition, limit=limit))

    def list_in_period(self, user_id: str, start: datetime, end: datetime,
                       platform: str | None = None, limit: int | None = None
                       ) -> ReadList[SocialPost]:
        """A user's posts created in [start, end), newest first.

        The seed reads "recent posts" from the cross-user platform GSI and filters by user,
        which reads every user's posts on that platform. This reads the user's own
        `userId-createdAtISO-index` with the period as the key condition, so a week costs
        that week's posts whatever the length of the history; a platform is a filter there.
        """
        condition = Key("userId").eq(user_id) & Key("createdAtISO").between(iso_z(start),
                                                                            iso_z(end))
        params: dict[str, Any] = {"IndexName": POSTS_BY_DATE.name, "ScanIndexForward": False,
                                  "KeyConditionExpression": condition}
        if platform:
            params["FilterExpression"] = Attr("postId").begins_with(f"{platform}#")
        end_iso = iso_z(end)
        # BETWEEN is inclusive; the period is not.
        items = (item for item in self._query(has_filter=True, **params)
                 if item.get("createdAtISO") != end_iso)
        return self._read_all(SocialPost, islice(items, limit))

    def recent_on_platform(self, platform: str, since: datetime,
                           limit: int | None = None) -> ReadList[SocialPost]:
        """Cross-user GSI read (platform-createdAtISO-index), newest first: batch jobs only."""
        items = self._query(IndexName="platform-createdAtISO-index", limit=limit,
                            ScanIndexForward=False,
                            KeyConditionExpression=Key("platform").eq(platform)
                            & Key("createdAtISO").gt(iso_z(since)))
        return self._read_all(SocialPost, items)
