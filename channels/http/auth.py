"""Bearer tokens for the HTTP API: signed, expiring, and checked in constant time.

A token is `cs1.<payload>.<signature>`: the payload is compact JSON `{sub, iat, exp, jti}`
in unpadded base64url, the signature HMAC-SHA256 over `cs1.<payload>` with the server's
secret. Stdlib only, so there is no algorithm negotiation to get wrong (the classic JWT
`alg: none` family of mistakes cannot happen here).

The secret is `CLOUDSTRO_AUTH_SECRET`. Without it the API refuses to run, except for the local
demo: DynamoDB is the local engine on this machine AND the server binds a loopback address,
so nothing off this machine can reach either. Then a random secret is kept in a file in the
data folder, and `cloudstro token issue` signs with the same file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import json
import logging
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cloudstro.config import Settings

log = logging.getLogger("cloudstro.http")

TOKEN_VERSION = "cs1"
MIN_SECRET_CHARS = 32
KEY_FILE_NAME = "http-auth-secret"
# User ids become part of the stored thread key `<user>/<thread>`: no "/" may appear in one.
USER_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:@+-]{1,128}$")
_TOKEN_SHAPE = re.compile(rf"{TOKEN_VERSION}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
CLOCK_SKEW = timedelta(minutes=5)
GENERATE_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


class TokenError(ValueError):
    """Why a bearer token was refused; `code` is what the API reports."""

    def __init__(self, message: str, code: str = "invalid_token") -> None:
        super().__init__(message)
        self.code = code


class AuthNotConfigured(RuntimeError):
    """The API cannot run safely with the configuration it was given; the text says why."""


@dataclass(frozen=True)
class Claims:
    sub: str
    iat: int
    exp: int
    jti: str

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.exp, UTC)


@dataclass(frozen=True)
class SigningSecret:
    value: bytes = b""
    source: str = ""

    def __repr__(self) -> str:  # never print the secret, even by accident in a traceback
        return f"SigningSecret(source={self.source!r})"


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise TokenError("the token is not well-formed")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise TokenError("the token is not well-formed") from exc


def _sign(secret: SigningSecret, signed_part: str) -> bytes:
    return hmac.new(secret.value, signed_part.encode("ascii"), hashlib.sha256).digest()


def issue_token(secret: SigningSecret, user_id: str, ttl: timedelta,
                now: datetime | None = None) -> str:
    if not USER_ID_PATTERN.match(user_id):
        raise ValueError(f"user id {user_id!r} is not valid: use 1-128 characters of "
                         "letters, digits and _ . : @ + -")
    if ttl <= timedelta(0):
        raise ValueError("the token lifetime must be positive")
    issued = int((now or datetime.now(UTC)).timestamp())
    payload = {"sub": user_id, "iat": issued, "exp": issued + int(ttl.total_seconds()),
               "jti": secrets.token_hex(12)}
    body = _b64encode(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
    signed_part = f"{TOKEN_VERSION}.{body}"
    return f"{signed_part}.{_b64encode(_sign(secret, signed_part))}"


def verify_token(secret: SigningSecret, token: str, now: datetime | None = None) -> Claims:
    # The shape first: a header may carry any bytes (decoded as latin-1), and nothing outside
    # the token alphabet may reach the signing code, which works on ASCII.
    if not _TOKEN_SHAPE.fullmatch(token):
        raise TokenError("the token is not well-formed")
    parts = token.split(".")
    signed_part = f"{parts[0]}.{parts[1]}"
    signature = _b64decode(parts[2])
    # Signature first, in constant time: nothing of an unsigned payload is trusted or parsed.
    if not hmac.compare_digest(signature, _sign(secret, signed_part)):
        raise TokenError("the token's signature does not match")
    try:
        payload = json.loads(_b64decode(parts[1]))
        claims = Claims(sub=str(payload["sub"]), iat=int(payload["iat"]),
                        exp=int(payload["exp"]), jti=str(payload["jti"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise TokenError("the token's payload is not well-formed") from exc
    if not USER_ID_PATTERN.match(claims.sub):
        raise TokenError("the token's user id is not valid")
    moment = int((now or datetime.now(UTC)).timestamp())
    if claims.exp <= moment:
        raise TokenError("the token has expired; issue a new one", code="token_expired")
    if claims.iat > moment + CLOCK_SKEW.total_seconds():
        raise TokenError("the token was issued in the future")
    return claims


# --------------------------------------------------------------------------- the secret

def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_secret(settings: Settings, *, store_is_local: bool,
                   host: str | None = None) -> SigningSecret:
    """The signing secret, or `AuthNotConfigured` saying how to configure one.

    `host` is the address the server binds; None means no listener (issuing a token).
    """
    configured = settings.auth_secret.get_secret_value() if settings.auth_secret else None
    if configured:
        if len(configured) < MIN_SECRET_CHARS:
            raise AuthNotConfigured(
                f"CLOUDSTRO_AUTH_SECRET is {len(configured)} characters long; use at least "
                f"{MIN_SECRET_CHARS}: {GENERATE_HINT}")
        return SigningSecret(configured.encode("utf-8"), "CLOUDSTRO_AUTH_SECRET")
    exposed = host is not None and not is_loopback(host)
    if not store_is_local or exposed:
        where = (f"the server binds {host}, which is reachable from other machines"
                 if exposed else "DynamoDB is not the local engine")
        raise AuthNotConfigured(
            f"CLOUDSTRO_AUTH_SECRET is not set and {where}; set CLOUDSTRO_AUTH_SECRET to a "
            f"random string of at least {MIN_SECRET_CHARS} characters. (Without it the API runs "
            "only as a local demo: local DynamoDB and a loopback host such as 127.0.0.1.)")
    path = settings.data_dir / KEY_FILE_NAME
    return SigningSecret(_local_key(path).encode("utf-8"), str(path))


def _local_key(path: Path) -> str:
    """Read the demo key, creating it atomically (a fully written file, or none) if absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        draft = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)  # fails if another process won the race; theirs is used
            log.info("local demo: created a random API signing key in %s", path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < MIN_SECRET_CHARS:
        raise AuthNotConfigured(f"the local API key file {path} is damaged; delete it and "
                                "issue new tokens")
    log.info("local demo: API tokens are signed with the key in %s", path)
    return key
