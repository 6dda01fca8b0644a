"""`conveyor tokens create|list|revoke` through the real entry point."""

from __future__ import annotations

import pytest

from conveyor.cli import main as cli_main
from conveyor.store import StoreHandle
from conveyor.store.api_tokens import SqlTokenStore
from tests.unit.store.cli_helpers import Cli, make_cli, make_store

cli_fixture = pytest.fixture(name="cli")(make_cli)
store_fixture = pytest.fixture(name="store")(make_store)


def test_create_prints_the_token_once_as_the_last_line(cli: Cli, store: StoreHandle) -> None:
    assert "tokens" in cli_main.COMMANDS
    created = cli("tokens", "create", "--role", "admin", "--name", "ci-bot")
    assert created.code == 0
    token = created.out.splitlines()[-1]
    assert created.out.endswith(token + "\n")
    record = SqlTokenStore(store.database).verify(token)  # type: ignore[arg-type]
    assert record is not None
    assert (record.name, record.role) == ("ci-bot", "admin")
    listed = cli("tokens", "list")
    assert listed.code == 0
    assert "ci-bot" in listed.out
    assert "admin" in listed.out
    assert token not in listed.out
    assert token[4:20] not in listed.out


def test_revoke_and_errors(cli: Cli, store: StoreHandle) -> None:
    token = cli("tokens", "create", "--name", "reader").out.splitlines()[-1]
    assert "read" in cli("tokens", "list").out
    assert cli("tokens", "revoke", "reader").code == 0
    assert SqlTokenStore(store.database).verify(token) is None  # type: ignore[arg-type]
    assert "revoked" in cli("tokens", "list").out
    missing = cli("tokens", "revoke", "nobody")
    assert missing.code == 2
    assert "nobody" in missing.err
    bad = cli("tokens", "create", "--role", "root", "--name", "x")
    assert bad.code == 2
    assert "Traceback" not in bad.err
    again = cli("tokens", "create", "--name", "reader")
    assert again.code == 2
    assert "already" in again.err


def test_the_cli_offers_the_roles_the_store_keeps() -> None:
    from conveyor.cli.tokens_command import ROLES
    from conveyor.store.api_tokens import ROLES as STORED

    assert ROLES == STORED


def test_a_worker_token_is_made_with_the_worker_role(cli: Cli, store: StoreHandle) -> None:
    made = cli("tokens", "create", "--role", "worker", "--name", "fleet")
    assert made.code == 0, made.err
    assert "created worker token 'fleet'" in made.err
    listed = cli("tokens", "list")
    assert "fleet" in listed.out
    assert "worker" in listed.out
