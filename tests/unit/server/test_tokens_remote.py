"""`conveyor tokens --server URL --token T …` against a real server."""

from __future__ import annotations

import pytest

from tests.unit.server.conftest import Api
from tests.unit.store.cli_helpers import Cli, make_cli

cli_fixture = pytest.fixture(name="cli")(make_cli)


def test_tokens_on_a_remote_server(api: Api, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVEYOR_SERVER", api.url)
    monkeypatch.setenv("CONVEYOR_TOKEN", api.tokens["admin"])
    created = cli("tokens", "create", "--name", "far", "--role", "write")
    assert created.code == 0, created.err
    token = created.out.splitlines()[-1]
    assert created.out == token + "\n"
    assert token.startswith("cvy_")
    listed = cli("tokens", "list")
    assert "far  write" in listed.out
    assert token not in listed.out
    assert cli("tokens", "revoke", "far").code == 0
    missing = cli("tokens", "revoke", "far")
    assert missing.code == 2
    assert "far" in missing.err
    refused = cli("tokens", "--token", api.tokens["read"], "list")
    assert refused.code == 2
    assert "admin" in refused.err
    unreachable = cli("tokens", "--server", "http://127.0.0.1:9", "list")
    assert unreachable.code == 1  # as every client command: no answer is not a usage error
    assert "127.0.0.1:9" in unreachable.err
