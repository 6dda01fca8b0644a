"""Files and places given on the command line or in the environment that conveyor cannot use
are usage errors (exit 2): one line naming the file (and the line, for a dotenv file), never a
traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conveyor.cli import main as cli_main
from tests.unit.store.cli_helpers import Cli, make_cli

cli_fixture = pytest.fixture(name="cli")(make_cli)

NOT_UTF8 = b"A=ok\nB=caf\xe9\n"  # Latin-1: byte 0xe9 on line 2


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text(
        "on: [push, workflow_dispatch]\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo hi\n",
        encoding="utf-8",
    )
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "ci"], check=True)
    return root


def assert_usage_error(outcome: object, *words: str) -> None:
    code, err = outcome.code, outcome.err  # type: ignore[attr-defined]
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "internal error" not in err
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], err


@pytest.mark.parametrize("option", ["--secret-file", "--env-file"])
def test_a_dotenv_file_that_is_not_utf8_names_the_file_and_line(
    cli: Cli, repo: Path, tmp_path: Path, option: str
) -> None:
    bad = tmp_path / "latin1.env"
    bad.write_bytes(NOT_UTF8)
    outcome = cli("run", str(repo), option, str(bad), "--dry-run")
    assert_usage_error(outcome, f"{bad}:2:", "UTF-8")


@pytest.mark.parametrize("command", ["secrets", "vars"])
def test_set_from_a_file_that_is_not_utf8_is_a_usage_error(
    cli: Cli, repo: Path, tmp_path: Path, command: str
) -> None:
    bad = tmp_path / "latin1.env"
    bad.write_bytes(NOT_UTF8)
    outcome = cli(command, "set", "--from-file", str(bad), "--repo", str(repo))
    assert_usage_error(outcome, f"{bad}:2:", "UTF-8")


def test_an_unterminated_quote_names_the_line_it_starts_on(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "quote.env"
    bad.write_text('A=1\nB="open\nC=2\n', encoding="utf-8")
    outcome = cli("run", str(repo), "--secret-file", str(bad), "--dry-run")
    assert_usage_error(outcome, f"{bad}:2:", "unterminated")


def test_a_dotenv_path_that_is_a_directory_is_a_usage_error(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    outcome = cli("run", str(repo), "--env-file", str(tmp_path), "--dry-run")
    assert_usage_error(outcome, str(tmp_path))


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"ref": "caf\xe9"}', ("UTF-8", ":1:")),
        (b'{"ref": ', ("malformed JSON",)),
        (b"[1, 2]", ("JSON object",)),
    ],
)
def test_an_eventpath_that_is_not_a_json_object_in_utf8_is_a_usage_error(
    cli: Cli, repo: Path, tmp_path: Path, content: bytes, words: tuple[str, ...]
) -> None:
    payload = tmp_path / "event.json"
    payload.write_bytes(content)
    outcome = cli("run", str(repo), "--eventpath", str(payload), "--dry-run")
    assert_usage_error(outcome, str(payload), *words)


def test_an_eventpath_that_is_a_directory_is_a_usage_error(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    outcome = cli("run", str(repo), "--eventpath", str(tmp_path), "--dry-run")
    assert_usage_error(outcome, str(tmp_path))


@pytest.mark.parametrize("option", ["--input", "--var", "--env"])
def test_a_pair_without_equals_is_a_usage_error(cli: Cli, repo: Path, option: str) -> None:
    outcome = cli("run", str(repo), option, "novalue", "--dry-run")
    assert_usage_error(outcome, option, "novalue")


@pytest.mark.parametrize(
    "args",
    [
        ("run", "{repo}", "--dry-run"),
        ("run", "{repo}"),
        ("runs",),
        ("logs", "1"),
        ("rerun", "1"),
        ("secrets", "list", "--repo", "{repo}"),
    ],
)
def test_a_conveyor_home_that_is_a_file_is_a_usage_error(
    cli: Cli, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    home = tmp_path / "home-file"
    home.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("CONVEYOR_HOME", str(home))
    outcome = cli(*(arg.format(repo=repo) for arg in args))
    assert_usage_error(outcome, "CONVEYOR_HOME", str(home), "not a directory")
    assert home.read_text(encoding="utf-8") == "not a directory"


@pytest.mark.parametrize(
    "args",
    [("run", "{repo}"), ("runs",), ("logs", "1"), ("secrets", "list", "--repo", "{repo}")],
)
def test_a_database_timeout_that_is_not_a_number_is_a_usage_error(
    cli: Cli, repo: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    """Read once with the other settings (`Settings.database`), before the store is opened."""
    monkeypatch.setenv("CONVEYOR_DATABASE_TIMEOUT", "soon")
    outcome = cli(*(arg.format(repo=repo) for arg in args))
    assert_usage_error(outcome, "CONVEYOR_DATABASE_TIMEOUT", "number of seconds", "'soon'")


def test_a_conveyor_home_below_a_file_is_a_usage_error(
    cli: Cli, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("CONVEYOR_HOME", str(blocker / "home"))
    outcome = cli("run", str(repo))
    assert_usage_error(outcome, "CONVEYOR_HOME", str(blocker), "not a directory")


def test_a_conveyor_home_that_cannot_be_created_is_a_usage_error(
    cli: Cli, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONVEYOR_HOME", "/proc/conveyor-home")  # no directory can be made here
    outcome = cli("run", str(repo))
    assert_usage_error(outcome, "CONVEYOR_HOME", "/proc/conveyor-home", "cannot be created")


def test_a_conveyor_toml_that_is_not_utf8_is_a_usage_error(cli: Cli, repo: Path) -> None:
    (repo / "conveyor.toml").write_bytes(b"[environments.prod]\n# caf\xe9\n")
    outcome = cli("run", str(repo))
    assert_usage_error(outcome, str(repo / "conveyor.toml"), "UTF-8")


def test_an_expression_context_file_that_is_not_utf8_is_a_usage_error(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(cli_main.COMMANDS, "expr", "conveyor.cli.expr_command:expr_command")
    bad = tmp_path / "contexts.json"
    bad.write_bytes(b'{"env": "caf\xe9"}')
    outcome = cli("expr", "1", "--context-file", str(bad))
    assert_usage_error(outcome, str(bad), "UTF-8")
