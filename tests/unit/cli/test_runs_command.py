from __future__ import annotations

import json

import pytest

from conveyor.engine.ports.store import Conclusion, RunStatus
from conveyor.store import StoreHandle
from tests.unit.store.cli_helpers import Cli, make_cli, make_store
from tests.unit.store.conftest import new_run

cli_fixture = pytest.fixture(name="cli")(make_cli)
store_fixture = pytest.fixture(name="store")(make_store)


def test_runs_json_lists_runs_newest_first_with_the_documented_keys(
    cli: Cli, store: StoreHandle
) -> None:
    first = store.runs.create_run(new_run())
    store.runs.set_run_status(first.id, RunStatus.IN_PROGRESS)
    store.runs.finish_run(first.id, Conclusion.SUCCESS)
    second = store.runs.create_run(
        new_run(workflow="Docs", workflow_path=".github/workflows/docs.yml")
    )
    outcome = cli("runs", "--json")
    assert outcome.code == 0
    listed = json.loads(outcome.out)
    assert [run["id"] for run in listed] == [second.id, first.id]
    done = listed[1]
    for key in (
        "id",
        "workflow",
        "event",
        "ref",
        "sha",
        "status",
        "conclusion",
        "started_at",
        "finished_at",
    ):
        assert key in done
    assert (done["status"], done["conclusion"], done["event"]) == ("completed", "success", "push")
    assert done["started_at"].endswith("Z")
    assert listed[0]["finished_at"] is None


def test_runs_filters_by_workflow_status_and_limit(cli: Cli, store: StoreHandle) -> None:
    ci = store.runs.create_run(new_run())
    store.runs.finish_run(ci.id, Conclusion.FAILURE)
    store.runs.create_run(new_run(workflow="Docs", workflow_path=".github/workflows/docs.yml"))
    store.runs.create_run(new_run())
    by_file = json.loads(cli("runs", "--workflow", "docs.yml", "--json").out)
    assert [r["workflow"] for r in by_file] == ["Docs"]
    failed = json.loads(cli("runs", "--status", "failure", "--json").out)
    assert [r["id"] for r in failed] == [ci.id]
    assert len(json.loads(cli("runs", "-L", "1", "--json").out)) == 1


def test_runs_table_shows_state_and_abandon_reason(cli: Cli, store: StoreHandle) -> None:
    run = store.runs.create_run(new_run())
    store.runs.finish_run(run.id, Conclusion.ABANDONED, reason="abandoned: process gone")
    outcome = cli("runs")
    assert outcome.code == 0
    header, row, reason = outcome.out.splitlines()
    assert header.split()[:4] == ["ID", "STATUS", "WORKFLOW", "EVENT"]
    assert row.split()[:6] == [str(run.id), "abandoned", "CI", "push", "main", "0123456"]
    assert reason == f"run {run.id}: abandoned: process gone"


def test_runs_on_an_empty_store_says_so_and_a_bad_status_is_a_usage_error(cli: Cli) -> None:
    empty = cli("runs")
    assert (empty.code, empty.out) == (0, "")
    assert "no runs" in empty.err
    assert cli("runs", "--status", "exploded").code == 2
