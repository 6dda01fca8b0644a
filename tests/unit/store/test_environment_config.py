from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.engine.ports.store import ProtectionRules
from conveyor.errors import UsageError
from conveyor.store import StoreHandle
from conveyor.store.environment_config import load_environments, sync_environments
from tests.unit.store.conftest import REPO

CONFIG = """
[environments.production]
required_reviewers = ["alice", "bob"]
prevent_self_review = true
wait_timer = 5
deployment_branches = ["main", "release/*"]
deployment_tags = ["v*"]

[environments.staging]
"""


def test_environments_are_read_from_conveyor_toml(tmp_path: Path) -> None:
    (tmp_path / "conveyor.toml").write_text(CONFIG, encoding="utf-8")
    assert load_environments(tmp_path) == {
        "production": ProtectionRules(("alice", "bob"), True, 5.0, ("main", "release/*"), ("v*",)),
        "staging": ProtectionRules(),
    }
    assert load_environments(tmp_path / "nowhere") == {}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[environments.x]\nreviewers = ['a']\n", "unknown key"),
        ("[environments.x]\nwait_timer = 'soon'\n", "number of minutes"),
        ("[environments.x]\nrequired_reviewers = 'a'\n", "list of strings"),
        ("[environments.x]\nprevent_self_review = 1\n", "true or false"),
        ("environments = 3\n", "table"),
        ("[environments\n", "invalid TOML"),
    ],
)
def test_mistakes_are_usage_errors_naming_the_file(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "conveyor.toml").write_text(body, encoding="utf-8")
    with pytest.raises(UsageError, match=message) as caught:
        load_environments(tmp_path)
    assert str(tmp_path / "conveyor.toml") in str(caught.value)


def test_sync_declares_them_in_the_store_as_toml(tmp_path: Path, store: StoreHandle) -> None:
    (tmp_path / "conveyor.toml").write_text(CONFIG, encoding="utf-8")
    assert sync_environments(store.environments, REPO, tmp_path) == ["production", "staging"]
    production = store.environments.get_environment(REPO, "production")
    assert production is not None
    assert production.source == "toml"
    assert production.rules.wait_timer_minutes == 5
