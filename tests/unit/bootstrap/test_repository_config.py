"""conveyor.toml as every reader sees it (bootstrap.settings `repository_config`): the working
tree's file, else — a run of a commit in a view without a working tree, as the server's — the
file committed at the run's commit, named `conveyor.toml (commit 1a2b3c…)` in errors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conveyor.bootstrap.actions_wiring import actions_settings
from conveyor.bootstrap.local_run import configured_services
from conveyor.bootstrap.override_settings import action_overrides
from conveyor.bootstrap.platform_settings import configured_platforms
from conveyor.bootstrap.settings import config_files, repository_config
from conveyor.errors import UsageError

SETTINGS = """\
[actions]
url = "file:///srv/actions"
[actions.overrides]
"acme/deploy" = "skip"
[run.platforms]
"windows-latest" = "host"
[services]
startup-timeout = 7
"""


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "user-config"))


def _git(cwd: Path, *args: str) -> str:
    identity = ("-c", "user.name=Mona", "-c", "user.email=mona@example.com")
    done = subprocess.run(
        ["git", *identity, "-c", "commit.gpgsign=false", *args],
        cwd=cwd, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def _committed(tmp_path: Path, toml: str) -> tuple[Path, str]:
    """A checkout whose commit has conveyor.toml `toml`; the commit's id."""
    work = tmp_path / "work"
    work.mkdir()
    _git(work, "init", "-q", "-b", "main")
    (work / "conveyor.toml").write_text(toml)
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "settings")
    return work, _git(work, "rev-parse", "HEAD")


def _view_of(tmp_path: Path, toml: str) -> tuple[Path, str]:
    """A `--no-checkout` clone (the server's view of a repository) of such a commit."""
    work, sha = _committed(tmp_path, toml)
    view = tmp_path / "view"
    _git(tmp_path, "clone", "-q", "--shared", "--no-checkout", str(work), str(view))
    assert not (view / "conveyor.toml").exists()
    return view, sha


def test_every_reader_sees_the_conveyor_toml_committed_at_the_runs_commit(
    tmp_path: Path,
) -> None:
    view, sha = _view_of(tmp_path, SETTINGS)
    assert actions_settings(view, {}, revision=sha).url == "file:///srv/actions"
    assert set(action_overrides(view, revision=sha)) == {"acme/deploy"}
    assert configured_platforms(view, revision=sha) == ("windows-latest",)
    assert configured_services(view, {}, revision=sha) == {"startup-timeout": 7}
    shown = repository_config(view, sha).path
    assert str(shown) == f"conveyor.toml (commit {sha[:12]})"
    assert config_files(view, revision=sha)[0].path == shown


def test_without_a_revision_the_view_has_no_settings(tmp_path: Path) -> None:
    view, _ = _view_of(tmp_path, SETTINGS)
    assert actions_settings(view, {}).url == "https://github.com"
    assert action_overrides(view) == {}
    assert configured_platforms(view) == ()
    assert configured_services(view, {}) is None


def test_a_checkouts_working_tree_file_wins_uncommitted_edits_included(tmp_path: Path) -> None:
    work, sha = _committed(tmp_path, SETTINGS)
    (work / "conveyor.toml").write_text('[run.platforms]\n"macos-latest" = "host"\n')
    assert configured_platforms(work, revision=sha) == ("macos-latest",)
    assert action_overrides(work, revision=sha) == {}
    assert repository_config(work, sha).path == work / "conveyor.toml"


def test_a_commit_without_conveyor_toml_has_no_settings(tmp_path: Path) -> None:
    view, sha = _view_of(tmp_path, SETTINGS)
    work = tmp_path / "work"
    _git(work, "rm", "-q", "conveyor.toml")
    _git(work, "commit", "-q", "-m", "no settings")
    _git(view, "fetch", "-q", "origin")
    bare = _git(work, "rev-parse", "HEAD")
    assert bare != sha
    assert repository_config(view, bare).data == {}
    assert configured_platforms(view, revision=bare) == ()


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ("[services\n", "invalid TOML"),
        ('[run.platforms]\n"windows-latest" = "docker"\n', "run.platforms"),
        ('[actions.overrides]\n"acme" = "skip"\n', r"\[actions.overrides\] 'acme'"),
    ],
)
def test_a_bad_committed_conveyor_toml_names_the_commit(
    tmp_path: Path, toml: str, problem: str
) -> None:
    view, sha = _view_of(tmp_path, toml)

    def read_all() -> None:
        configured_platforms(view, revision=sha)
        action_overrides(view, revision=sha)

    with pytest.raises(UsageError, match=rf"^conveyor.toml \(commit {sha[:12]}\): .*{problem}"):
        read_all()
