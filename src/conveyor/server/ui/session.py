"""The web UI's session: a signed cookie carrying who logged in, and per-session CSRF tokens.

The cookie is `payload.signature`: payload is base64url JSON `{"sid", "exp", "name", "role"}`
(no token, nothing secret), the signature HMAC-SHA256 with a per-server key kept in
`CONVEYOR_HOME/server/ui-session.key` (0600, made on first use). A session without a name is
anonymous: it exists so the login form has a CSRF token too. The CSRF token of a session is
HMAC(key, "csrf:" + sid), checked in constant time on every POST.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from conveyor.private_files import private_directory, write_private
from conveyor.server.principals import Principal, Role

COOKIE = "conveyor_session"
SESSION_SECONDS = 8 * 3600
ANONYMOUS_SECONDS = 3600
KEY_PATH = Path("server") / "ui-session.key"


@dataclass(frozen=True, slots=True)
class Session:
    sid: str
    expires: float
    principal: Principal | None = None


def session_key(home: Path) -> bytes:
    """The server's signing key, made (32 random bytes, 0600) the first time."""
    path = home / KEY_PATH
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        private_directory(path.parent)
        write_private(path, secrets.token_hex(32))
        return bytes.fromhex(path.read_text().strip())


def new_session(now: float, principal: Principal | None = None) -> Session:
    lifetime = SESSION_SECONDS if principal else ANONYMOUS_SECONDS
    return Session(secrets.token_urlsafe(18), now + lifetime, principal)


def encode(session: Session, key: bytes) -> str:
    body: dict[str, object] = {"sid": session.sid, "exp": session.expires}
    if session.principal is not None:
        body |= {"name": session.principal.name, "role": int(session.principal.role)}
    payload = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
    return f"{payload}.{_sign(key, payload)}"


def decode(cookie: str | None, key: bytes, now: float) -> Session | None:
    """The session in a cookie, None when absent, tampered with, malformed or expired."""
    if not cookie or "." not in cookie:
        return None
    payload, signature = cookie.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(key, payload)):
        return None
    try:
        return _session(
            json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))), now
        )
    except (ValueError, KeyError, TypeError):
        return None


def _session(body: dict[str, object], now: float) -> Session | None:
    expires = float(str(body["exp"]))
    if expires <= now:
        return None
    principal = None
    if "name" in body:
        principal = Principal(str(body["name"]), Role(int(str(body["role"]))))
    return Session(str(body["sid"]), expires, principal)


def csrf_token(session: Session, key: bytes) -> str:
    return _sign(key, "csrf:" + session.sid)


def csrf_valid(session: Session, key: bytes, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(str(given), csrf_token(session, key))


def _sign(key: bytes, text: str) -> str:
    digest = hmac.new(key, text.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
