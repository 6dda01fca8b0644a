"""The native map: conveyor.toml `[actions.native]` over the built-in map (`--native-actions`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.actions import BUILTIN_NATIVE_MAP, NATIVE_ACTIONS, default_registry
from conveyor.bootstrap.native_settings import native_map
from conveyor.engine.ports.actions import parse_action_ref
from conveyor.errors import UsageError


def test_the_built_in_map_keeps_only_natives_this_conveyor_ships() -> None:
    found = native_map(None, builtin=True)
    assert found["actions/labeler"] == "conveyor/labeler"
    assert found["re-actors/alls-green"] == "conveyor/quality-gate"
    shipped = {k: v for k, v in BUILTIN_NATIVE_MAP.items() if v in NATIVE_ACTIONS}
    assert found == shipped
    assert native_map(None) == {}


def test_the_file_wins_over_the_built_in_map(tmp_path: Path) -> None:
    (tmp_path / "conveyor.toml").write_text(
        '[actions.native]\n"actions/labeler" = "conveyor/quality-gate"\n'
        '"Acme/Gate/sub" = "conveyor/tdd-gate@v1"\n'
    )
    found = native_map(tmp_path, builtin=True)
    assert found["actions/labeler"] == "conveyor/quality-gate"
    assert found["acme/gate/sub"] == "conveyor/tdd-gate"


def test_a_mapped_name_resolves_to_the_native_handler_at_any_ref() -> None:
    registry = default_registry({"re-actors/alls-green": "conveyor/quality-gate"})
    for uses in ("re-actors/alls-green@release/v1", "conveyor/quality-gate@main"):
        ref = parse_action_ref(uses)
        assert ref is not None
        assert registry.lookup(ref) is not None
    unmapped = parse_action_ref("actions/labeler@v5")
    assert unmapped is not None
    assert registry.lookup(unmapped) is None


def test_a_value_that_is_not_native_names_the_file_and_the_natives(tmp_path: Path) -> None:
    (tmp_path / "conveyor.toml").write_text('[actions.native]\n"actions/stale" = 3\n')
    with pytest.raises(
        UsageError, match=r"conveyor.toml: \[actions.native\] 'actions/stale'.*conveyor/labeler"
    ):
        native_map(tmp_path)


def _git(cwd: Path, *args: str) -> str:
    import subprocess

    identity = ("-c", "user.name=Mona", "-c", "user.email=mona@example.com")
    done = subprocess.run(
        ["git", *identity, "-c", "commit.gpgsign=false", *args],
        cwd=cwd, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def _view_of(tmp_path: Path, toml: str) -> tuple[Path, str]:
    """A `--no-checkout` clone (as the server's view of a repository) of a commit whose
    conveyor.toml is `toml`; the commit's id."""
    work = tmp_path / "work"
    work.mkdir()
    _git(work, "init", "-q", "-b", "main")
    (work / "conveyor.toml").write_text(toml)
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "settings")
    view = tmp_path / "view"
    _git(tmp_path, "clone", "-q", "--shared", "--no-checkout", str(work), str(view))
    return view, _git(work, "rev-parse", "HEAD")


def test_a_run_of_a_commit_without_a_working_tree_reads_the_committed_conveyor_toml(
    tmp_path: Path,
) -> None:
    view, sha = _view_of(tmp_path, '[actions.native]\n"actions/labeler" = "conveyor/labeler"\n')
    assert not (view / "conveyor.toml").exists()
    assert native_map(view, revision=sha) == {"actions/labeler": "conveyor/labeler"}
    assert native_map(view) == {}


def test_a_bad_committed_conveyor_toml_names_the_commit(tmp_path: Path) -> None:
    view, sha = _view_of(tmp_path, '[actions.native]\n"actions/stale" = "acme/stale"\n')
    with pytest.raises(UsageError, match=rf"conveyor.toml \(commit {sha[:12]}\): \[actions"):
        native_map(view, revision=sha)
