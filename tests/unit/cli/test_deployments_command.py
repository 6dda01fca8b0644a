from __future__ import annotations

import json
from pathlib import Path

import pytest

from conveyor.store import StoreHandle
from conveyor.store.repository import repository_key
from tests.unit.store.cli_helpers import Cli, make_cli, make_store
from tests.unit.store.conftest import new_run

cli_fixture = pytest.fixture(name="cli")(make_cli)
store_fixture = pytest.fixture(name="store")(make_store)


def test_deployments_lists_records_newest_first(
    cli: Cli, store: StoreHandle, tmp_path: Path
) -> None:
    run = store.runs.create_run(new_run(repository=repository_key(tmp_path)))
    first = store.environments.record_deployment(run.id, 1, "deploy", "production", "in_progress")
    store.environments.update_deployment(first.id, "success", "https://app.example.test")
    store.environments.record_deployment(run.id, 1, "deploy", "Production", "failure")
    outcome = cli("deployments", "production", "--repo", str(tmp_path), "--json")
    assert outcome.code == 0
    rows = json.loads(outcome.out)
    assert [(r["status"], r["url"]) for r in rows] == [
        ("failure", None),
        ("success", "https://app.example.test"),
    ]
    assert rows[1]["sha"] == new_run().sha
    assert rows[1]["run_id"] == run.id
    text = cli("deployments", "PRODUCTION", "--repo", str(tmp_path)).out.splitlines()
    assert "success" in text[1]
    assert "https://app.example.test" in text[1]
    empty = cli("deployments", "staging", "--repo", str(tmp_path))
    assert empty.code == 0
    assert "no deployments to staging" in empty.err
