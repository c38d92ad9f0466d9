"""Record models alone: the seed's examples validate, derived attributes, and bad input."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from cloudstro.store.records import (
    AIInsight,
    EngagementSnapshot,
    Record,
    SocialAccount,
    SocialPost,
    UserProfile,
)
from tests.support.builders import account_fields, insight, post, post_data
from tests.support.seed import seed_examples

MODELS: list[type[Record]] = [UserProfile, SocialAccount, SocialPost, EngagementSnapshot, AIInsight]


def test_seed_has_one_example_per_table() -> None:
    examples = seed_examples()
    assert len(examples) == 5
    assert examples[0]["recordType"] == "USER_PROFILE"
    assert examples[1]["platformAccountId"] == "twitter#987654321"
    assert examples[2]["postId"] == "twitter#1234567890"
    assert examples[3]["engagementId"] == "1234567890#2025-09-20T10:00:00Z"
    assert examples[4]["insightId"] == "optimal_timing_1632140400_abc123"


@pytest.mark.parametrize("index", range(5), ids=[m.__name__ for m in MODELS])
def test_seed_example_validates_and_serialises_unchanged(index: int) -> None:
    original = seed_examples()[index]
    record = MODELS[index].model_validate(copy.deepcopy(original))
    assert record.to_record() == original


# ------------------------------------------------------------------------ derived attributes


def test_post_derived_fields_filled_when_absent() -> None:
    data = post_data(platform="instagram", post_id="42", created_at="2025-09-20T12:30:00+02:00",
                     media=[{"type": "image", "url": "https://x/1.png"}],
                     engagement={"likes": 30, "shares": 5, "comments": 5, "views": 1000})
    for derived in SocialPost.DERIVED:
        assert derived not in data
    record = SocialPost.model_validate(data)
    assert record.postId == "instagram#42"
    assert record.createdAtISO == "2025-09-20T10:30:00Z"  # normalised to UTC
    assert record.hasMedia is True
    assert record.engagementScore == 40
    assert record.engagementRate == 4.0
    assert record.postType == "social_media_post"


def test_post_without_views_has_unknown_rate_and_no_media() -> None:
    record = post(engagement={"likes": 1, "shares": 0, "comments": 0})
    assert record.engagementRate is None
    assert "engagementRate" not in record.to_record()
    assert record.hasMedia is False
    assert record.engagementScore == 1


def test_post_derived_fields_preserved_when_present() -> None:
    record = post(createdAtISO="2025-09-20T10:00:00Z", hasMedia=True, engagementScore=999,
                  engagementRate=1.23)
    assert (record.hasMedia, record.engagementScore, record.engagementRate) == (True, 999, 1.23)


def test_post_rebuild_rederives() -> None:
    record = post(engagementScore=999, engagementRate=1.23)
    rebuilt = record.rebuild(engagement={"likes": 100, "shares": 0, "comments": 0, "views": 200},
                             createdAt="2025-10-01T08:00:00Z")
    assert rebuilt.engagementScore == 100
    assert rebuilt.engagementRate == 50.0
    assert rebuilt.createdAtISO == "2025-10-01T08:00:00Z"
    assert rebuilt.postId == record.postId


def test_engagement_snapshot_derived_fields() -> None:
    snapshot = EngagementSnapshot.model_validate({
        "userId": "u", "postId": "twitter#9", "platform": "twitter", "likes": 1, "shares": 2,
        "comments": 3, "timestamp": "2025-09-21T23:15:00-01:00", "contentType": "text_post",
        "hashtagCount": 2, "characterCount": 10,
    })
    assert snapshot.timestampISO == "2025-09-22T00:15:00Z"
    assert snapshot.engagementId == "twitter#9#2025-09-22T00:15:00Z"
    assert snapshot.hourOfDay == 0
    assert snapshot.dayOfWeek == "Monday"
    assert snapshot.hasHashtags is True
    assert snapshot.engagementType == "social_media_engagement"
    untagged = snapshot.to_record()
    for name in ("hasHashtags", "engagementId"):
        untagged.pop(name)
    untagged["hashtagCount"] = 0
    assert EngagementSnapshot.model_validate(untagged).hasHashtags is False


def test_engagement_snapshot_preserves_and_rebuilds() -> None:
    original = seed_examples()[3]
    snapshot = EngagementSnapshot.model_validate(original)
    assert snapshot.engagementId == original["engagementId"]  # seed's id kept, not re-derived
    rebuilt = snapshot.rebuild(timestamp="2025-09-22T07:00:00Z", hashtagCount=0)
    assert rebuilt.engagementId == "1234567890#2025-09-22T07:00:00Z"
    assert (rebuilt.hourOfDay, rebuilt.dayOfWeek) == (7, "Monday")
    assert rebuilt.timestampISO == "2025-09-22T07:00:00Z"
    assert rebuilt.hasHashtags is False


def test_measure_takes_content_attributes_from_the_post() -> None:
    source = post(platform="tiktok", post_id="7", hashtags=["a", "b", "c"], content="hello",
                  media=[{"type": "video", "url": "https://v"}])
    at = datetime(2025, 9, 23, 18, 5, tzinfo=UTC)
    snapshot = EngagementSnapshot.measure(source, at, likes=5, shares=1, comments=0, views=50)
    assert snapshot.engagementId == "tiktok#7#2025-09-23T18:05:00Z"
    assert (snapshot.contentType, snapshot.hashtagCount, snapshot.characterCount) == (
        "video_post", 3, 5)
    assert (snapshot.hourOfDay, snapshot.dayOfWeek, snapshot.hasHashtags) == (
        18, "Tuesday", True)


def test_insight_derived_fields_filled_when_absent() -> None:
    record = insight(confidence=0.75, valid_until="2025-09-27T12:00:00+02:00")
    assert record.insightType == "optimal_timing"
    assert record.confidenceScore == 0.75
    assert record.generatedAtISO == "2025-09-20T10:00:00Z"
    assert record.validUntilISO == "2025-09-27T10:00:00Z"
    assert int(datetime(2025, 9, 27, 10, tzinfo=UTC).timestamp()) == record.TTL
    assert record.recordType == "ai_insight"


def test_insight_derived_fields_preserved_and_rebuilt() -> None:
    original = seed_examples()[4]
    record = AIInsight.model_validate(original)
    assert record.TTL == 1663651200  # the seed's (2022) TTL is kept as written
    rebuilt = record.rebuild(validUntil="2025-10-01T00:00:00Z", confidence=0.5)
    assert int(datetime(2025, 10, 1, tzinfo=UTC).timestamp()) == rebuilt.TTL
    assert rebuilt.validUntilISO == "2025-10-01T00:00:00Z"
    assert rebuilt.confidenceScore == 0.5
    assert rebuilt.insightId == record.insightId


def test_account_derived_fields() -> None:
    record = SocialAccount.model_validate(
        account_fields(user_id="u9", platform="facebook", account_id="55", isActive=False,
                       accessToken="fernet:x"))
    assert record.platformAccountId == "facebook#55"
    assert record.id == "u9#facebook#55"
    assert record.accountStatus == "inactive"
    assert record.accountType == "social_media"
    kept = SocialAccount.model_validate({**record.to_record(), "id": "custom"})
    assert kept.id == "custom"
    rebuilt = record.rebuild(isActive=True)
    assert (rebuilt.accountStatus, rebuilt.id) == ("active", "u9#facebook#55")


def test_user_status_derived_from_is_active() -> None:
    base = {"userId": "u", "email": "u@example.com", "username": "u", "fullName": "U",
            "createdAt": "2025-09-20T10:00:00Z", "updatedAt": "2025-09-20T10:00:00Z"}
    assert UserProfile.model_validate(base).status == "active"
    inactive = UserProfile.model_validate({**base, "isActive": False})
    assert (inactive.status, inactive.recordType, inactive.accountType) == (
        "inactive", "USER_PROFILE", "USER_ACCOUNT")
    assert UserProfile.model_validate({**base, "isActive": False, "status": "active"}
                                      ).status == "active"
    assert inactive.rebuild(isActive=True).status == "active"


# ------------------------------------------------------------------------ bad input


def _seed(index: int) -> dict[str, Any]:
    return copy.deepcopy(seed_examples()[index])


def _bad(index: int, change: dict[str, Any], drop: str | None = None) -> dict[str, Any]:
    data = _seed(index)
    data.update(change)
    if drop:
        data.pop(drop)
    return data


BAD_INPUT = [
    # (case, model index, data builder, field the message must name, words in the message)
    ("unknown platform", 2, lambda: _bad(2, {"platform": "myspace", "postId": "myspace#1"}),
     "platform", "twitter"),
    ("unknown platform account", 1, lambda: _bad(1, {"platform": "myspace"}), "platform",
     "instagram"),
    ("malformed date", 2, lambda: _bad(2, {"createdAt": "2025-13-45T99:00:00Z"}), "createdAt",
     "ISO-8601"),
    ("naive date", 3, lambda: _bad(3, {"timestamp": "2025-09-20T10:00:00"}), "timestamp",
     "no timezone"),
    ("naive date post", 2, lambda: _bad(2, {"createdAt": "2025-09-20T10:00:00"},
                                        drop="createdAtISO"), "createdAt", "no timezone"),
    ("malformed date post", 2, lambda: _bad(2, {"createdAt": "yesterday"}, drop="createdAtISO"),
     "createdAt", "ISO-8601"),
    ("wrong views type", 2,
     lambda: _bad(2, {"engagement": {"likes": 1, "shares": 1, "comments": 1, "views": "lots"}},
                  drop="engagementRate"),
     "engagement.views", "integer"),
    ("wrong type derived from", 3, lambda: _bad(3, {"hashtagCount": "lots"}, drop="hasHashtags"),
     "hashtagCount", "integer"),
    ("naive date insight", 4, lambda: _bad(4, {"validUntil": "2025-09-27T10:00:00"}),
     "validUntil", "no timezone"),
    ("confidence above 1", 4, lambda: _bad(4, {"confidence": 1.5, "confidenceScore": 0.5}),
     "confidence", "less than or equal to 1"),
    ("confidence below 0", 4, lambda: _bad(4, {"confidence": -0.1, "confidenceScore": 0.5}),
     "confidence", "greater than or equal to 0"),
    ("missing key", 0, lambda: _bad(0, {}, drop="userId"), "userId", "Field required"),
    ("missing underivable key", 3,
     lambda: {k: v for k, v in _seed(3).items() if k not in ("engagementId", "timestamp")},
     "engagementId", "Field required"),
    ("wrong type", 1, lambda: _bad(1, {"followerCount": "lots"}), "followerCount", "integer"),
    ("wrong nested type", 2,
     lambda: _bad(2, {"engagement": {"likes": "many", "shares": 1, "comments": 1}}),
     "engagement.likes", "integer"),
    ("unknown attribute", 0, lambda: _bad(0, {"colour": "blue"}), "colour",
     "Extra inputs are not permitted"),
    ("unknown nested attribute", 4,
     lambda: _bad(4, {"metadata": {"aiModel": "m", "dataPoints": 1, "version": "1",
                                   "secret": 1}}),
     "metadata.secret", "Extra inputs are not permitted"),
]


@pytest.mark.parametrize(("index", "build", "field", "words"),
                         [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT])
def test_bad_input_raises_naming_the_field(index: int, build, field: str, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        MODELS[index].model_validate(build())
    locations = {".".join(str(part) for part in error["loc"]) for error in caught.value.errors()}
    assert field in locations, locations
    message = str(caught.value)
    assert field in message
    assert words in message


def test_the_shipped_schema_copy_matches_the_shared_schema() -> None:
    from tests.support.seed import REPO_SEED_FILE, SHARED_SEED_FILE

    if not SHARED_SEED_FILE.exists():
        pytest.skip("no shared schema beside this checkout to compare with")
    assert REPO_SEED_FILE.read_text(encoding="utf-8") == SHARED_SEED_FILE.read_text(
        encoding="utf-8"), "docs/schema.md drifted from the shared schema: copy it again"
