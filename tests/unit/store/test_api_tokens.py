"""API tokens in the store: shown once, kept as a SHA-256 hash, listed without it, revoked."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conveyor.engine.ports.store import Conclusion, NewRun
from conveyor.errors import UsageError
from conveyor.store import open_store
from conveyor.store.api_tokens import SqlTokenStore
from conveyor.store.database import connect, database_url
from conveyor.store.handle import lite_handle
from conveyor.store.schema import migrate


def test_a_created_token_verifies_and_only_its_hash_is_stored(conveyor_home: Path) -> None:
    handle = open_store(conveyor_home)
    tokens = SqlTokenStore(handle.database)  # type: ignore[arg-type]
    token = tokens.create("ci-bot", "admin")
    found = tokens.verify(token)
    assert found is not None
    assert (found.name, found.role) == ("ci-bot", "admin")
    assert found.last_used_at is not None
    assert tokens.verify(token + "x") is None
    handle.close()
    data = (conveyor_home / "conveyor.db").read_bytes()
    wal = conveyor_home / "conveyor.db-wal"
    data += wal.read_bytes() if wal.exists() else b""
    assert token.encode() not in data
    assert hashlib.sha256(token.encode()).hexdigest().encode() in data


def test_listing_revoking_and_bad_input(conveyor_home: Path) -> None:
    handle = open_store(conveyor_home)
    tokens = SqlTokenStore(handle.database)  # type: ignore[arg-type]
    token = tokens.create("reader", "read")
    with pytest.raises(UsageError, match="already"):
        tokens.create("reader", "write")
    with pytest.raises(UsageError, match="role"):
        tokens.create("x", "root")
    with pytest.raises(UsageError, match="name"):
        tokens.create("bad name!", "read")
    assert [(t.name, t.role, t.revoked) for t in tokens.list()] == [("reader", "read", False)]
    assert tokens.revoke("reader") is True
    assert tokens.verify(token) is None
    assert tokens.list()[0].revoked is True
    assert tokens.revoke("nobody") is False
    handle.close()


def test_the_run_store_records_into_a_database_upgraded_to_tokens(conveyor_home: Path) -> None:
    database = connect(database_url(conveyor_home))
    with database.write(schema=True) as conn:
        migrate(conn, "0006")
    database.dispose()
    open_store(conveyor_home).close()  # upgrades 0006 -> HEAD (api_tokens)
    lite = lite_handle(conveyor_home)
    assert lite is not None, "conveyor run's stdlib store opens the upgraded database"
    run = lite.runs.create_run(NewRun("/work/example", "CI", "ci.yml", "push"))
    lite.runs.finish_run(run.id, Conclusion.SUCCESS)
    lite.close()
    handle = open_store(conveyor_home)
    SqlTokenStore(handle.database).create("after", "read")  # type: ignore[arg-type]
    finished = handle.runs.get_run(run.id)
    handle.close()
    assert finished is not None
    assert finished.conclusion is Conclusion.SUCCESS
