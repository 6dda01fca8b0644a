"""Job tokens (the local forge's `GITHUB_TOKEN`): minted per job with its permissions and
repository, kept as a SHA-256 hash only, valid until revoked (at the job's end) or expired."""

from __future__ import annotations

import hashlib
from pathlib import Path

from conveyor.store import open_store
from conveyor.store.job_tokens import SqlJobTokens

PERMISSIONS = {"contents": "write", "issues": "read", "metadata": "read"}


def test_a_minted_token_verifies_with_its_permissions_until_revoked(conveyor_home: Path) -> None:
    handle = open_store(conveyor_home)
    tokens = SqlJobTokens(handle.database)  # type: ignore[arg-type]
    minted = tokens.mint("acme/app", "run-3/build", PERMISSIONS, lifetime=3600)
    other = tokens.mint("acme/app", "run-3/test", {"metadata": "read"}, lifetime=3600)
    assert minted.value != other.value
    assert dict(minted.permissions) == PERMISSIONS
    assert minted.expires_at is not None
    found = tokens.verify(minted.value)
    assert found is not None
    assert (found.repository, found.job, dict(found.permissions)) == (
        "acme/app", "run-3/build", PERMISSIONS,
    )  # fmt: skip
    assert tokens.verify(minted.value + "x") is None
    assert tokens.verify("cvy_not-a-job-token") is None
    assert tokens.revoke(minted.value) is True
    assert tokens.verify(minted.value) is None
    assert tokens.verify(other.value) is not None
    handle.close()
    data = (conveyor_home / "conveyor.db").read_bytes()
    wal = conveyor_home / "conveyor.db-wal"
    data += wal.read_bytes() if wal.exists() else b""
    assert minted.value.encode() not in data
    assert hashlib.sha256(minted.value.encode()).hexdigest().encode() in data


def test_an_expired_token_no_longer_verifies(conveyor_home: Path) -> None:
    handle = open_store(conveyor_home)
    tokens = SqlJobTokens(handle.database)  # type: ignore[arg-type]
    minted = tokens.mint("acme/app", "run-1/build", {"contents": "read"}, lifetime=-1)
    assert tokens.verify(minted.value) is None
    handle.close()
