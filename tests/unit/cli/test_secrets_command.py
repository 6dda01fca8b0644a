from __future__ import annotations

import json
from pathlib import Path

import pytest

from conveyor.store import StoreHandle
from conveyor.store.repository import repository_key
from tests.unit.store.cli_helpers import Cli, make_cli, make_store

cli_fixture = pytest.fixture(name="cli")(make_cli)
store_fixture = pytest.fixture(name="store")(make_store)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")  # commands find the repository around the directory
    return repository_key(tmp_path)


def test_set_reads_the_value_from_stdin_and_list_shows_names_only(
    cli: Cli, store: StoreHandle, repo: str
) -> None:
    outcome = cli("secrets", "set", "api_token", stdin="s3cr3t-value\n")
    assert outcome.code == 0
    assert "API_TOKEN" in outcome.out
    assert store.secrets.resolve_secrets(repo) == {"API_TOKEN": "s3cr3t-value"}
    assert cli("secrets", "set", "TOKEN", "--env", "production", stdin="p").code == 0
    listed = cli("secrets", "list")
    assert listed.out.splitlines() == ["API_TOKEN", "TOKEN  (environment production)"]
    assert "s3cr3t" not in listed.out
    as_json = json.loads(cli("secrets", "list", "--json").out)
    assert [(s["name"], s["environment"]) for s in as_json] == [
        ("API_TOKEN", None),
        ("TOKEN", "production"),
    ]
    assert store.environments.get_environment(repo, "production") is not None


def test_there_is_no_way_to_pass_a_value_on_the_command_line(cli: Cli, repo: str) -> None:
    assert cli("secrets", "set", "TOKEN", "value").code == 2
    assert cli("secrets", "set", "TOKEN", "--value", "v").code == 2


def test_set_from_a_dotenv_file_stores_all_or_nothing(
    cli: Cli, store: StoreHandle, repo: str, tmp_path: Path
) -> None:
    good = tmp_path / "good.env"
    good.write_text("A=1\nexport B='two'\n", encoding="utf-8")
    assert cli("secrets", "set", "--from-file", str(good)).code == 0
    assert store.secrets.resolve_secrets(repo) == {"A": "1", "B": "two"}
    bad = tmp_path / "bad.env"
    bad.write_text("C=3\nthis is not a pair\n", encoding="utf-8")
    outcome = cli("secrets", "set", "--from-file", str(bad))
    assert outcome.code == 2
    assert f"{bad}:2" in outcome.err
    invalid_name = tmp_path / "name.env"
    invalid_name.write_text("D=4\nGITHUB_TOKEN=x\n", encoding="utf-8")
    assert cli("secrets", "set", "--from-file", str(invalid_name)).code == 2
    assert store.secrets.resolve_secrets(repo) == {"A": "1", "B": "two"}  # nothing else stored


def test_delete_and_its_errors(cli: Cli, store: StoreHandle, repo: str) -> None:
    cli("secrets", "set", "TOKEN", stdin="v")
    assert cli("secrets", "delete", "token").code == 0
    missing = cli("secrets", "delete", "TOKEN")
    assert missing.code == 2
    assert "no secret TOKEN" in missing.err
    assert cli("secrets", "set", "1BAD", stdin="v").code == 2
    assert cli("secrets", "set").code == 2


def test_a_wrong_key_file_is_a_clear_error(cli: Cli, store: StoreHandle, repo: str) -> None:
    from cryptography.fernet import Fernet

    cli("secrets", "set", "TOKEN", stdin="v")
    (store.home / "secrets.key").write_bytes(Fernet.generate_key())
    outcome = cli("secrets", "set", "OTHER", stdin="w")
    assert outcome.code == 1
    assert "not the key the secrets were stored with" in outcome.err
    assert "Traceback" not in outcome.err
    assert [s.name for s in store.secrets.list_secrets(repo)] == ["TOKEN"]


def test_repo_owner_slash_name_keys_a_served_repository_by_its_name(
    cli: Cli, store: StoreHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.unit.server.served import NAME, register

    monkeypatch.chdir(tmp_path)
    register(store, tmp_path / "app-source")
    assert cli("secrets", "set", "TOKEN", "--repo", NAME, stdin="served-value").code == 0
    env = ("--env", "production", "--repo", NAME)
    assert cli("secrets", "set", "DEPLOY_KEY", *env, stdin="deploy-value").code == 0
    assert cli("vars", "set", "GREETING", "hello", "--repo", NAME).code == 0
    assert cli("vars", "set", "REGION", "eu-west", *env).code == 0
    assert cli("environments", "set", "staging", "--reviewer", "alice", "--repo", NAME).code == 0
    assert store.secrets.resolve_secrets(NAME) == {"TOKEN": "served-value"}
    assert store.secrets.resolve_secrets(NAME, "production")["DEPLOY_KEY"] == "deploy-value"
    assert store.variables.resolve_variables(NAME, "production") == {
        "GREETING": "hello",
        "REGION": "eu-west",
    }
    listed = cli("secrets", "list", "--repo", NAME).out.splitlines()
    assert sorted(listed) == ["DEPLOY_KEY  (environment production)", "TOKEN"]
    staging = store.environments.get_environment(NAME, "staging")
    assert staging is not None
    assert staging.rules.required_reviewers == ("alice",)
    assert cli("secrets", "delete", "TOKEN", "--repo", NAME).code == 0
    assert store.secrets.resolve_secrets(NAME) == {}


def test_repo_owner_slash_name_not_served_is_refused_with_the_reason(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    outcome = cli("secrets", "set", "TOKEN", "--repo", "acme/unknown", stdin="v")
    assert outcome.code == 2
    assert "acme/unknown" in outcome.err
    assert "conveyor repos add" in outcome.err
    assert "Traceback" not in outcome.err
