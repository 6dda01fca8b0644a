from __future__ import annotations

import json
from pathlib import Path

import pytest

from conveyor.store import StoreHandle
from conveyor.store.repository import repository_key
from tests.unit.store.cli_helpers import Cli, make_cli, make_store

cli_fixture = pytest.fixture(name="cli")(make_cli)
store_fixture = pytest.fixture(name="store")(make_store)


def test_vars_set_list_delete(cli: Cli, store: StoreHandle, tmp_path: Path) -> None:
    repo = ["--repo", str(tmp_path)]
    key = repository_key(tmp_path)
    assert cli("vars", "set", "region", "eu-west", *repo).code == 0
    assert cli("vars", "set", "REGION", "--env", "prod", *repo, stdin="us-east\n").code == 0
    assert store.variables.resolve_variables(key, "prod") == {"REGION": "us-east"}
    assert cli("vars", "list", *repo).out.splitlines() == [
        "REGION=eu-west",
        "REGION=us-east  (environment prod)",
    ]
    rows = json.loads(cli("vars", "list", "--json", "--env", "prod", *repo).out)
    assert [(r["name"], r["value"]) for r in rows] == [("REGION", "us-east")]
    file = tmp_path / "vars.env"
    file.write_text("A=1\nB=2\n", encoding="utf-8")
    assert cli("vars", "set", "--from-file", str(file), *repo).code == 0
    assert cli("vars", "delete", "region", *repo).code == 0
    assert store.variables.resolve_variables(key) == {"A": "1", "B": "2"}
    assert cli("vars", "delete", "region", *repo).code == 2
    assert cli("vars", "set", *repo).code == 2
