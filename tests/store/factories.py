"""The record builders now live in `tests.support.builders`; this name still imports them."""

from tests.support.builders import T0, account_fields, insight, post, post_data, user

__all__ = ["T0", "account_fields", "insight", "post", "post_data", "user"]
