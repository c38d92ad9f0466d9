"""Malformed input is the client's problem: a 4xx with the error shape, never a 500."""

from __future__ import annotations

import pytest

from cloudstro.channels.http.auth import TokenError, verify_token
from tests.support.http_api import SECRET, USERS, ApiStack, token_for

pytestmark = pytest.mark.integration


def _with_non_ascii(token: str) -> list[str]:
    version, payload, signature = token.split(".")
    return ["cs1.\xe9\xe9.AAAA", f"{version}.{payload}\xe9.{signature}",
            f"{version}.{payload}.{signature}\xff", f"cs\xe91.{payload}.{signature}"]


def test_a_token_with_non_ascii_characters_is_refused_as_malformed() -> None:
    for token in _with_non_ascii(token_for(USERS[0])):
        with pytest.raises(TokenError, match="not well-formed"):
            verify_token(SECRET, token)


def test_a_bearer_header_with_raw_latin1_bytes_is_401(api: ApiStack) -> None:
    with api.client() as client:
        for token in _with_non_ascii(token_for(USERS[0])):
            headers = {b"Authorization": b"Bearer " + token.encode("latin-1")}
            for response in (client.get("/v1/threads/none", headers=headers),
                             client.post("/v1/chat", json={"message": "hi"},
                                         headers=headers)):
                assert response.status_code == 401, response.text
                assert response.json()["error"]["code"] == "invalid_token"

