from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from conveyor.errors import StoreError, UsageError
from conveyor.store import StoreHandle, open_store
from conveyor.store.secret_box import KEY_FILE
from tests.unit.store.conftest import REPO, raw_sql


def files_holding(home: Path, needle: bytes) -> list[str]:
    """Every file under `home` (the database, its -wal/-shm/-journal, logs, keys...) whose bytes
    hold `needle`, as paths relative to `home`."""
    return sorted(
        str(path.relative_to(home))
        for path in home.rglob("*")
        if path.is_file() and needle in path.read_bytes()
    )


def test_secrets_are_encrypted_at_rest_with_a_private_key(store: StoreHandle) -> None:
    store.secrets.set_secret(REPO, "api_token", "hunter2-very-secret")
    store.variables.set_variable(REPO, "region", "plain-variable-value")
    key = store.home / KEY_FILE
    assert key.stat().st_mode & 0o777 == 0o600
    with raw_sql(store) as conn:
        (stored,) = conn.execute("SELECT ciphertext FROM secrets").fetchone()
    assert b"hunter2" not in stored
    database_files = {p.name for p in store.home.iterdir() if p.name.startswith("conveyor.db")}
    assert "conveyor.db-wal" in database_files  # the rows are in the WAL until a checkpoint
    # The search sees every file of the database: a variable (stored in clear) is found...
    assert files_holding(store.home, b"plain-variable-value") == ["conveyor.db-wal"]
    # ...and the secret, in no form, in none of them nor anywhere else under CONVEYOR_HOME.
    for form in (b"hunter2", base64.b64encode(b"hunter2-very-secret")):
        assert files_holding(store.home, form) == []
    assert store.secrets.resolve_secrets(REPO) == {"API_TOKEN": "hunter2-very-secret"}
    store.close()  # the last connection checkpoints the WAL into conveyor.db
    assert files_holding(store.home, b"plain-variable-value") == ["conveyor.db"]
    assert files_holding(store.home, b"hunter2") == []


def test_environment_secrets_override_repository_ones(store: StoreHandle) -> None:
    store.secrets.set_secret(REPO, "TOKEN", "repo")
    store.secrets.set_secret(REPO, "TOKEN", "prod", "Production")
    store.secrets.set_secret(REPO, "TOKEN", "repo-2")  # an update, not a second row
    store.secrets.set_secret(REPO, "OTHER", "x", "staging")
    assert store.secrets.resolve_secrets(REPO) == {"TOKEN": "repo-2"}
    assert store.secrets.resolve_secrets(REPO, "production") == {"TOKEN": "prod"}
    listed = [(s.name, s.environment) for s in store.secrets.list_secrets(REPO)]
    assert listed == [("TOKEN", None), ("TOKEN", "production"), ("OTHER", "staging")]
    assert [s.name for s in store.secrets.list_secrets(REPO, "staging")] == ["OTHER"]
    assert store.secrets.delete_secret(REPO, "token", "production")
    assert not store.secrets.delete_secret(REPO, "token", "production")
    assert store.secrets.resolve_secrets("/elsewhere") == {}


@pytest.mark.parametrize("name", ["1ABC", "A-B", "GITHUB_TOKEN", ""])
def test_invalid_names_are_refused(store: StoreHandle, name: str) -> None:
    with pytest.raises(UsageError, match="invalid secret name"):
        store.secrets.set_secret(REPO, name, "v")


def test_values_over_48_kb_are_refused(store: StoreHandle) -> None:
    with pytest.raises(UsageError, match="48 KB"):
        store.secrets.set_secret(REPO, "BIG", "x" * (48 * 1024 + 1))


def test_a_missing_key_file_is_a_clear_error_and_damages_nothing(store: StoreHandle) -> None:
    store.secrets.set_secret(REPO, "TOKEN", "v1")
    key = store.home / KEY_FILE
    saved = key.read_bytes()
    key.unlink()
    fresh = open_store(store.home)
    try:
        with pytest.raises(StoreError, match="is missing"):
            fresh.secrets.resolve_secrets(REPO)
        with pytest.raises(StoreError, match="is missing"):
            fresh.secrets.set_secret(REPO, "TOKEN", "v2")
        assert not key.exists()  # no new key was made behind the user's back
    finally:
        fresh.close()
    key.write_bytes(saved)
    os.chmod(key, 0o600)
    again = open_store(store.home)
    assert again.secrets.resolve_secrets(REPO) == {"TOKEN": "v1"}
    again.close()


def test_a_wrong_key_is_detected_before_anything_is_written(store: StoreHandle) -> None:
    from cryptography.fernet import Fernet

    store.secrets.set_secret(REPO, "TOKEN", "v1")
    key = store.home / KEY_FILE
    saved = key.read_bytes()
    key.write_bytes(Fernet.generate_key())
    fresh = open_store(store.home)
    with pytest.raises(StoreError, match="not the key"):
        fresh.secrets.resolve_secrets(REPO)
    with pytest.raises(StoreError, match="not the key"):
        fresh.secrets.set_secret(REPO, "NEW", "v")
    fresh.close()
    key.write_bytes(saved)
    again = open_store(store.home)
    assert again.secrets.resolve_secrets(REPO) == {"TOKEN": "v1"}
    again.close()


@pytest.mark.parametrize(
    ("content", "mode", "message"),
    [(b"not a key", 0o600, "valid key"), (None, 0o644, "readable by others")],
)
def test_a_bad_key_file_is_refused(
    conveyor_home: Path, content: bytes | None, mode: int, message: str
) -> None:
    store = open_store(conveyor_home)
    store.secrets.set_secret(REPO, "TOKEN", "v")
    store.close()
    key = conveyor_home / KEY_FILE
    if content is not None:
        key.write_bytes(content)
    os.chmod(key, mode)
    fresh = open_store(conveyor_home)
    with pytest.raises(StoreError, match=message):
        fresh.secrets.resolve_secrets(REPO)
    fresh.close()


def test_variables_are_stored_in_clear_and_scoped(store: StoreHandle) -> None:
    store.variables.set_variable(REPO, "region", "eu")
    store.variables.set_variable(REPO, "REGION", "us", "production")
    assert store.variables.resolve_variables(REPO) == {"REGION": "eu"}
    assert store.variables.resolve_variables(REPO, "Production") == {"REGION": "us"}
    assert [(v.name, v.value, v.environment) for v in store.variables.list_variables(REPO)] == [
        ("REGION", "eu", None),
        ("REGION", "us", "production"),
    ]
    assert store.variables.delete_variable(REPO, "region")
    assert store.variables.resolve_variables(REPO) == {}
