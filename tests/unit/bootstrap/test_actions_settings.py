"""The `[actions]` settings: variables over conveyor.toml over the user's config.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.bootstrap.actions_wiring import ActionsSettings, actions_settings
from conveyor.errors import UsageError


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    (tmp_path / "repo").mkdir()
    return tmp_path / "repo"


def _user_config(repo: Path, text: str) -> None:
    path = repo.parent / "config" / "conveyor" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(text)


def test_defaults(repo: Path) -> None:
    settings = actions_settings(repo, {})
    assert settings == ActionsSettings("https://github.com", "", False)
    assert "hidden-value" not in repr(ActionsSettings(token="hidden-value"))


def test_layers(repo: Path) -> None:
    (repo / "conveyor.toml").write_text('[actions]\nurl = "file:///mirror"\n')
    _user_config(repo, '[actions]\nurl = "https://user"\ntoken = "from-user"\noffline = true\n')
    settings = actions_settings(repo, {})
    assert (settings.url, settings.token, settings.offline) == ("file:///mirror", "from-user", True)
    env = {"CONVEYOR_ACTIONS_URL": "ssh://git@host", "CONVEYOR_ACTIONS_OFFLINE": "0"}
    settings = actions_settings(repo, env)
    assert (settings.url, settings.offline) == ("ssh://git@host", False)
    assert actions_settings(repo, env, offline=True).offline


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ("[actions]\noffline = 'yes'\n", {}, "conveyor.toml: [actions] offline must be a bool"),
        ("[actions]\nurl = 3\n", {}, "conveyor.toml: [actions] url must be a str"),
        ("actions = 1\n", {}, "conveyor.toml: [actions] must be a table"),
        ("", {"CONVEYOR_ACTIONS_OFFLINE": "maybe"}, "CONVEYOR_ACTIONS_OFFLINE: expected 1 or 0"),
    ],
)
def test_bad_settings_name_where(repo: Path, toml: str, env: dict[str, str], message: str) -> None:
    (repo / "conveyor.toml").write_text(toml)
    with pytest.raises(UsageError, match=message.replace("[", r"\[").replace("]", r"\]")):
        actions_settings(repo, env)
