"""OAuth tokens on their way into the accounts table: encrypted, and never reset by a re-run.

A legacy table may hold tokens in plaintext (they are encrypted here, as `store.accounts` does
for a new connection) or already encrypted with CloudStro's scheme (kept, once they are proven
to decrypt with the configured key). Encryption is randomised, so a second run would write new
ciphertext for the same token; when the target already holds a ciphertext of the same token it
is kept instead, and a re-run writes the account byte for byte as before.

Once the product has rotated an account's tokens (`tokenVersion` above 0) the legacy tokens are
spent: X and TikTok refresh tokens are single-use. A re-run then keeps the target's tokens and
expiry, and in every case the attributes only the product writes (token version, sync cursors,
post count), so running the migration again never breaks a connection that already works.
"""

from __future__ import annotations

from typing import Any

from cloudstro.store.crypto import FernetCipher, KmsCipher, TokenCipher
from cloudstro.store.errors import TokenDecryptionError
from cloudstro.store.migration.mapping import TOKEN_ATTRIBUTES

# Attributes of an account item that the product alone writes (sync, token rotation).
PRODUCT_OWNED: tuple[str, ...] = ("tokenVersion", "syncState", "postCount")
_SCHEMES: tuple[str, ...] = (FernetCipher.scheme, KmsCipher.scheme)


def settle_tokens(data: dict[str, Any], existing: dict[str, Any] | None,
                  cipher: TokenCipher) -> dict[str, Any]:
    """Replace `data`'s tokens by the ciphertext to store; return the product-owned attributes
    to keep from `existing`. Raises TokenDecryptionError for a ciphertext the key cannot open
    (the message never holds the token)."""
    existing = existing or {}
    kept = {name: existing[name] for name in PRODUCT_OWNED if name in existing}
    if int(existing.get("tokenVersion") or 0) > 0:
        for name in (*TOKEN_ATTRIBUTES, "tokenExpiresAt"):
            if name in existing:
                data[name] = existing[name]
            else:
                data.pop(name, None)
        return kept
    for name in TOKEN_ATTRIBUTES:
        value = data.get(name)
        if not isinstance(value, str) or not value:
            continue  # absent or malformed: the record model says so
        if value.startswith(_SCHEMES):  # already encrypted: keep it, once it opens
            plaintext, ciphertext = cipher.decrypt(value), value
        else:
            plaintext, ciphertext = value, None
        data[name] = (_same_ciphertext(existing.get(name), plaintext, cipher) or ciphertext
                      or cipher.encrypt(plaintext))
    return kept


def _same_ciphertext(stored: Any, plaintext: str, cipher: TokenCipher) -> str | None:
    """The stored ciphertext when it already encrypts `plaintext`, else None."""
    if not isinstance(stored, str):
        return None
    try:
        return stored if cipher.decrypt(stored) == plaintext else None
    except TokenDecryptionError:
        return None
