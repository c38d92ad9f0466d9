from store.records import UserProfile


def test_profile_round_trips_through_dynamodb_local(local_store):
    profile = UserProfile.model_validate({
        "userId": "u1", "email": "a@example.com", "username": "a", "fullName": "A",
        "createdAt": "2025-09-20T10:00:00Z", "updatedAt": "2025-09-20T10:00:00Z",
        "timezone": "Europe/Berlin",
    })
    local_store.users.put(profile)
    assert local_store.users.get("u1") == profile
    assert local_store.users.find_by_email("a@example.com") == profile
