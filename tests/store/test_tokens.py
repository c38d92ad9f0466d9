"""Token encryption: the local Fernet key file, a configured key, and AWS KMS (on moto)."""

from __future__ import annotations

import stat

import boto3
import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from cloudstro.config import get_settings
from cloudstro.store import Store
from cloudstro.store.errors import TokenDecryptionError
from tests.support.builders import account_fields
from tests.support.settings import make_settings


def _raw_tokens(store: Store, user_id: str = "user_1") -> dict:
    return store.dynamo.table(store.names.accounts).get_item(
        Key={"userId": user_id, "platformAccountId": "twitter#111"})["Item"]


def test_key_file_created_0600_on_first_use(moto_store: Store) -> None:
    key_file = get_settings().data_dir / "token.key"
    assert moto_store.settings.token_key is None
    assert moto_store.settings.data_dir == key_file.parent
    assert not key_file.exists()

    moto_store.accounts.connect(account_fields(), SecretStr("secret-access"))
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_bytes().strip()
    raw = _raw_tokens(moto_store)["accessToken"]
    assert raw.startswith("fernet:") and "secret-access" not in raw
    assert Fernet(key).decrypt(raw.removeprefix("fernet:").encode()) == b"secret-access"

    again = Store(moto_store.dynamo, moto_store.settings)  # a later process reuses the file
    reread = again.accounts.credentials("user_1", "twitter", "111")
    assert reread is not None and reread.access_token.get_secret_value() == "secret-access"
    assert key_file.read_bytes().strip() == key


def test_configured_key_is_used_and_no_file_is_written(moto_store: Store,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    key = Fernet.generate_key()
    monkeypatch.setenv("CLOUDSTRO_TOKEN_KEY", key.decode())
    settings = make_settings()
    keyed = Store(moto_store.dynamo, settings)
    keyed.accounts.connect(account_fields(), SecretStr("secret-access"), SecretStr("refresh"))
    assert not (settings.data_dir / "token.key").exists()
    raw = _raw_tokens(keyed)
    assert Fernet(key).decrypt(raw["refreshToken"].removeprefix("fernet:").encode()) == b"refresh"

    other = Store(moto_store.dynamo, make_settings(CLOUDSTRO_TOKEN_KEY=Fernet.generate_key()
                                                   .decode()))
    with pytest.raises(TokenDecryptionError) as caught:
        other.accounts.credentials("user_1", "twitter", "111")
    assert "secret-access" not in str(caught.value)


def test_kms_encrypts_when_configured(moto_store: Store) -> None:
    kms = boto3.client("kms", region_name="us-east-1")
    key_id = kms.create_key(Description="cloudstro tokens")["KeyMetadata"]["KeyId"]
    settings = make_settings(TOKEN_KMS_KEY_ID=key_id)
    with_kms = Store(moto_store.dynamo, settings, kms_client=kms)

    with_kms.accounts.connect(account_fields(), SecretStr("secret-access"), SecretStr("refresh"))
    raw = _raw_tokens(with_kms)
    for name in ("accessToken", "refreshToken"):
        assert raw[name].startswith("kms:")
    assert "secret-access" not in raw["accessToken"]
    credentials = with_kms.accounts.credentials("user_1", "twitter", "111")
    assert credentials is not None and credentials.refresh_token is not None
    assert credentials.access_token.get_secret_value() == "secret-access"
    assert credentials.refresh_token.get_secret_value() == "refresh"
    assert not (settings.data_dir / "token.key").exists()  # no local key was needed

    local_only = Store(moto_store.dynamo, make_settings())
    with pytest.raises(TokenDecryptionError, match="not encrypted with the local key"):
        local_only.accounts.credentials("user_1", "twitter", "111")


def test_a_malformed_local_key_names_the_setting(monkeypatch):
    from cloudstro.store.crypto import make_cipher
    from cloudstro.store.errors import StoreError

    with pytest.raises(StoreError) as caught:
        make_cipher(make_settings(CLOUDSTRO_TOKEN_KEY="not-a-fernet-key"))
    assert "CLOUDSTRO_TOKEN_KEY" in str(caught.value)
    assert "not-a-fernet-key" not in str(caught.value)
