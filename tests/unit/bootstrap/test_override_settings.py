"""`[actions.overrides]` in conveyor.toml and `--action-dir`/`--skip-action`: read, checked,
the command line over the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.bootstrap.override_settings import action_overrides
from conveyor.errors import UsageError
from conveyor.executors.local.action_overrides import ActionOverride


def _repo(tmp_path: Path, table: str) -> Path:
    repo = tmp_path / "repo"
    (repo / "tools" / "greet").mkdir(parents=True)
    (repo / "conveyor.toml").write_text(table)
    return repo


def test_the_file_maps_to_directories_relative_to_the_repository_or_skip(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        '[actions]\nurl = "https://example.com"\n\n[actions.overrides]\n'
        '"Acme/Greet" = "tools/greet"\n"pypa/gh-action-pypi-publish" = "skip"\n',
    )
    found = action_overrides(repo)
    assert found == {
        "acme/greet": ActionOverride(repo / "tools" / "greet", "conveyor.toml"),
        "pypa/gh-action-pypi-publish": ActionOverride(None, "conveyor.toml"),
    }


def test_the_command_line_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path, '[actions.overrides]\n"acme/greet" = "skip"\n"octo/x" = "tools"\n')
    monkeypatch.chdir(repo)
    found = action_overrides(repo, ["acme/greet=tools/greet"], ["octo/x/sub"])
    assert found["acme/greet"] == ActionOverride(repo / "tools" / "greet", "--action-dir")
    assert found["octo/x"] == ActionOverride(repo / "tools", "conveyor.toml")
    assert found["octo/x/sub"] == ActionOverride(None, "--skip-action")


@pytest.mark.parametrize(
    ("table", "dirs", "skips", "named"),
    [
        ('[actions.overrides]\n"acme/greet" = "no/such"\n', [], [], "conveyor.toml"),
        ('[actions.overrides]\n"acme" = "tools"\n', [], [], "conveyor.toml"),
        ('[actions.overrides]\n"acme/greet@v1" = "tools"\n', [], [], "conveyor.toml"),
        ('[actions.overrides]\n"acme/greet" = 3\n', [], [], "conveyor.toml"),
        ("[actions]\noverrides = 1\n", [], [], "conveyor.toml"),
        ("", ["acme/greet"], [], "--action-dir"),
        ("", ["acme/greet=/no/such/dir"], [], "--action-dir"),
        ("", [], ["acme"], "--skip-action"),
    ],
)
def test_bad_values_are_usage_errors_naming_where(
    tmp_path: Path, table: str, dirs: list[str], skips: list[str], named: str
) -> None:
    repo = _repo(tmp_path, table)
    with pytest.raises(UsageError) as caught:
        action_overrides(repo, dirs, skips)
    assert named in str(caught.value)


def test_nothing_configured_is_empty(tmp_path: Path) -> None:
    assert action_overrides(tmp_path) == {}
