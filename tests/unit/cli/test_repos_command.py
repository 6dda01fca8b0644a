"""`conveyor repos add|list|remove` on the local store; the secret encrypted, never shown."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.unit.store.cli_helpers import Cli, make_cli

cli_fixture = pytest.fixture(name="cli")(make_cli)


@pytest.fixture
def invoke(cli: Cli):  # type: ignore[no-untyped-def]
    def run(*args: str) -> tuple[int, str]:
        outcome = cli(*args)
        return outcome.code, outcome.out + outcome.err

    return run


def test_add_list_remove_keeps_the_secret_encrypted(
    conveyor_home: Path, tmp_path: Path, invoke: Any
) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("s3cr3t-value\n")
    code, out = invoke(
        "repos",
        "add",
        str(tmp_path),
        "--name",
        "acme/app",
        "--webhook-secret-file",
        str(secret_file),
    )
    assert code == 0, out
    assert "s3cr3t-value" not in out
    assert "added acme/app" in out
    code, out = invoke("repos", "list", "--json")
    assert code == 0
    (row,) = json.loads(out)
    assert row == {
        "name": "acme/app",
        "url": str(tmp_path.resolve()),
        "default_branch": "main",
        "has_webhook_secret": True,
        "hosted": False,
    }
    assert b"s3cr3t-value" not in (conveyor_home / "conveyor.db").read_bytes()
    with closing(sqlite3.connect(conveyor_home / "conveyor.db")) as conn:
        (cipher,) = conn.execute("SELECT webhook_secret FROM served_repositories").fetchone()
    assert cipher
    assert b"s3cr3t" not in cipher
    assert invoke("repos", "remove", "acme/app")[0] == 0
    assert "no repositories" in invoke("repos", "list")[1]


def test_bad_input_is_a_usage_error(conveyor_home: Path, tmp_path: Path, invoke: Any) -> None:
    for bad in ("not-a-name", "../..", "acme/..", "a/b/c"):
        code, out = invoke("repos", "add", str(tmp_path), "--name", bad)
        assert code == 2, bad
    code, out = invoke("repos", "add", str(tmp_path), "--name", "not-a-name")
    assert code == 2
    assert "OWNER/REPO" in out
    assert invoke("repos", "add", str(tmp_path), "--name", "a/b")[0] == 0
    code, out = invoke("repos", "add", str(tmp_path), "--name", "a/b")
    assert code == 2
    assert "already registered" in out
    code, out = invoke("repos", "remove", "x/y")
    assert code == 2
    assert "not registered" in out


def test_a_repository_registered_with_forge_github_keeps_its_forge(
    conveyor_home: Path, tmp_path: Path, invoke: Any
) -> None:
    from conveyor.store.handle import open_store
    from conveyor.store.served_repositories import served_repositories

    code, out = invoke("repos", "add", str(tmp_path), "--name", "octo/app", "--forge", "github")
    assert code == 0, out
    assert invoke("repos", "add", str(tmp_path), "--name", "o/x", "--forge", "gitea")[0] == 2
    store = open_store(conveyor_home)
    try:
        found = served_repositories(store).get("octo/app")
        assert found is not None
        assert found.forge == "github"
    finally:
        store.close()
