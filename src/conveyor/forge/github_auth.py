"""A GitHub App's credentials: the JWT it signs (RS256 with its private key) to ask for
installation tokens, and those tokens, cached per permission set until shortly before they
expire. Nothing here logs a key or a token."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from conveyor.errors import UsageError

JWT_BACKDATE = 60  # seconds: GitHub's clock may be behind ours
JWT_LIFETIME = 9 * 60  # GitHub refuses more than 10 minutes
TOKEN_TRUST = 55 * 60  # an installation token lives an hour: renewed after 55 minutes
RENEW_MARGIN = 5 * 60  # ... or 5 minutes before the expiry GitHub gave


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def load_private_key(pem: bytes, where: str) -> rsa.RSAPrivateKey:
    """The App's RSA private key; a UsageError naming `where` when it is not one."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise UsageError(f"{where}: not a PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise UsageError(f"{where}: a GitHub App key is an RSA key")
    return key


def app_jwt(app_id: str, key: rsa.RSAPrivateKey, now: float) -> str:
    """The App's JSON Web Token: iat 60 s in the past, exp 9 minutes on (RS256)."""
    header = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    issued = int(now) - JWT_BACKDATE
    claims = {"iat": issued, "exp": issued + JWT_BACKDATE + JWT_LIFETIME, "iss": app_id}
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signed = f"{header}.{body}".encode("ascii")
    signature = key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{body}.{_b64(signature)}"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    value: str = field(repr=False)
    renew_at: float  # the clock's time after which a new one is asked for
    expires_at: str | None = None


def issued_token(answer: Mapping[str, object], now: float) -> IssuedToken:
    """The token of an `access_tokens` answer, to renew 5 minutes before its expiry."""
    expires = answer.get("expires_at")
    renew = now + TOKEN_TRUST
    if isinstance(expires, str):
        stamp = datetime.fromisoformat(expires.replace("Z", "+00:00")).timestamp()
        renew = min(renew, stamp - RENEW_MARGIN)
    return IssuedToken(str(answer["token"]), renew, expires if isinstance(expires, str) else None)


Permissions = tuple[tuple[str, str], ...]


@dataclass
class TokenCache:
    """Installation tokens by (repositories, permissions); `fetch` asks GitHub for one."""

    fetch: Callable[[Permissions, tuple[str, ...]], IssuedToken]
    clock: Callable[[], float]
    _tokens: dict[tuple[tuple[str, ...], Permissions], IssuedToken] = field(
        default_factory=dict, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get(self, permissions: Permissions = (), repositories: tuple[str, ...] = ()) -> IssuedToken:
        key = (repositories, permissions)
        with self._lock:
            cached = self._tokens.get(key)
            if cached is not None and self.clock() < cached.renew_at:
                return cached
        fresh = self.fetch(permissions, repositories)
        with self._lock:
            self._tokens[key] = fresh
        return fresh

    def forget(self) -> None:
        """After a 401: the next request asks for new tokens."""
        with self._lock:
            self._tokens.clear()
