"""OAuth tokens are encrypted before they reach DynamoDB.

With `TOKEN_KMS_KEY_ID` set, AWS KMS encrypts (keys never leave KMS, access is auditable).
Otherwise a local Fernet key does: `CLOUDSTRO_TOKEN_KEY`, or a key file made on first use in
the git-ignored data folder. Ciphertexts carry a scheme prefix so a store can move from the
local key to KMS without guessing which scheme wrote which item.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any, Protocol

import boto3
from cryptography.fernet import Fernet, InvalidToken

from cloudstro.config import Settings
from cloudstro.store.errors import StoreError, TokenDecryptionError

_KMS_CONTEXT = {"cloudstro": "oauth-token"}


class TokenCipher(Protocol):
    def encrypt(self, plaintext: str) -> str: ...

    def decrypt(self, ciphertext: str) -> str: ...


class FernetCipher:
    scheme = "fernet:"

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def encrypt(self, plaintext: str) -> str:
        return self.scheme + self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        if not ciphertext.startswith(self.scheme):
            raise TokenDecryptionError("token was not encrypted with the local key")
        try:
            return self._fernet.decrypt(ciphertext[len(self.scheme):].encode()).decode()
        except InvalidToken as exc:
            raise TokenDecryptionError("token does not decrypt with the local key") from exc


class KmsCipher:
    scheme = "kms:"

    def __init__(self, key_id: str, client: Any) -> None:
        self._key_id = key_id
        self._client = client

    def encrypt(self, plaintext: str) -> str:
        blob = self._client.encrypt(KeyId=self._key_id, Plaintext=plaintext.encode(),
                                    EncryptionContext=_KMS_CONTEXT)["CiphertextBlob"]
        return self.scheme + base64.b64encode(blob).decode()

    def decrypt(self, ciphertext: str) -> str:
        if not ciphertext.startswith(self.scheme):
            raise TokenDecryptionError("token was not encrypted with KMS")
        blob = base64.b64decode(ciphertext[len(self.scheme):])
        try:
            plain = self._client.decrypt(CiphertextBlob=blob, EncryptionContext=_KMS_CONTEXT)
        except Exception as exc:  # KMS says why; the token text never goes into the message
            raise TokenDecryptionError(f"KMS could not decrypt the token: {type(exc).__name__}"
                                       ) from exc
        plaintext: bytes = plain["Plaintext"]
        return plaintext.decode()


def local_key(settings: Settings) -> bytes:
    """The configured Fernet key, or the key file, created 0600 on first use."""
    if settings.token_key is not None:
        key = settings.token_key.get_secret_value().encode()
        try:
            Fernet(key)
        except (ValueError, TypeError) as exc:
            raise StoreError(
                "CLOUDSTRO_TOKEN_KEY is not a valid key: it must be 32 url-safe base64-encoded "
                "bytes (make one with `python -c \"from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())\"`)") from exc
        return key
    path = Path(settings.data_dir) / "token.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(Fernet.generate_key())
    return path.read_bytes().strip()


def make_cipher(settings: Settings, kms_client: Any | None = None) -> TokenCipher:
    if settings.token_kms_key_id:
        client = kms_client or boto3.client("kms", region_name=settings.aws_region)
        return KmsCipher(settings.token_kms_key_id, client)
    return FernetCipher(local_key(settings))
