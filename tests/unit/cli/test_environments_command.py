from __future__ import annotations

import json
from pathlib import Path

import pytest

from conveyor.store import StoreHandle
from conveyor.store.repository import repository_key
from tests.unit.store.cli_helpers import Cli, make_cli, make_store

cli_fixture = pytest.fixture(name="cli")(make_cli)
store_fixture = pytest.fixture(name="store")(make_store)


def test_set_list_and_delete_environments(cli: Cli, store: StoreHandle, tmp_path: Path) -> None:
    repo = ["--repo", str(tmp_path)]
    outcome = cli(
        "environments", "set", "production", "--reviewer", "alice", "--reviewer", "bob",
        "--prevent-self-review", "--wait-timer", "2", "--branch", "main", "--tag", "v*", *repo,
    )  # fmt: skip
    assert outcome.code == 0
    assert "reviewers: alice, bob" in outcome.out
    (listed,) = json.loads(cli("environments", "list", "--json", *repo).out)
    assert listed == {
        "name": "production",
        "source": "cli",
        "required_reviewers": ["alice", "bob"],
        "prevent_self_review": True,
        "wait_timer": 2.0,
        "deployment_branches": ["main"],
        "deployment_tags": ["v*"],
    }
    assert cli("environments", "set", "staging", *repo).code == 0
    assert "any branch or tag" in cli("environments", "list", *repo).out
    assert cli("environments", "delete", "staging", *repo).code == 0
    assert cli("environments", "delete", "staging", *repo).code == 2
    record = store.environments.get_environment(repository_key(tmp_path), "PRODUCTION")
    assert record is not None
    assert record.rules.wait_timer_minutes == 2


def test_conveyor_toml_environments_are_shown_and_protected(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "conveyor.toml").write_text(
        '[environments.production]\nrequired_reviewers = ["alice"]\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    shown = cli("environments")
    assert shown.code == 0
    assert "production  reviewers: alice" in shown.out
    assert "[toml]" in shown.out
    change = cli("environments", "set", "production")
    assert change.code == 2
    assert "conveyor.toml" in change.err
    assert cli("environments", "delete", "production").code == 2


def test_bad_input_is_refused(cli: Cli, tmp_path: Path) -> None:
    repo = ["--repo", str(tmp_path)]
    assert cli("environments", "set", "a/b", *repo).code == 2
    assert cli("environments", "set", "x", "--wait-timer", "99999", *repo).code == 2
    reviewers = [arg for name in "abcdefg" for arg in ("--reviewer", name)]
    assert cli("environments", "set", "x", *reviewers, *repo).code == 2
    (tmp_path / "conveyor.toml").write_text("[environments.x]\nwait_timer = 'no'\n")
    broken = cli("environments", *repo)
    assert broken.code == 2  # the group's default `list` reads conveyor.toml of the cwd
