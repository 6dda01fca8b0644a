"""SHA-256 for the run path's store (event payloads, long log folder names) without `hashlib`,
which loads OpenSSL (~5 ms and megabytes at every `conveyor run`) for this one digest."""

from __future__ import annotations

try:
    from _sha256 import sha256  # type: ignore[import-not-found]  # CPython 3.11's own
except ImportError:  # pragma: no cover - other interpreters and versions (3.12: _sha2)
    from hashlib import sha256


def sha256_hex(data: bytes) -> str:
    """The hex SHA-256 of `data` (hashlib's digest, bit for bit)."""
    return str(sha256(data).hexdigest())
