"""Action overrides: `owner/repo[/path]` mapped to a local directory or to skip, looked up before
anything else resolves the action (native handlers and local copies included)."""

from __future__ import annotations

from pathlib import Path

from conveyor.engine.ports.actions import ActionOutcome, ActionRegistry
from conveyor.executors.local.action_overrides import (
    ActionOverride,
    RunNotices,
    Skipped,
    match_override,
)
from conveyor.executors.local.action_resolution import LocalAction, Unavailable, resolve_action
from conveyor.executors.local.job_state import ExecutorOptions
from conveyor.executors.local.processes import StopPolicy

COMPOSITE = "runs:\n  using: composite\n  steps:\n  - run: 'true'\n    shell: sh\n"


class Native:
    def run(self, invocation: object, console: object) -> ActionOutcome:
        return ActionOutcome()


def _options(home: Path, overrides: dict[str, ActionOverride]) -> ExecutorOptions:
    registry = ActionRegistry({"actions/checkout": Native()})
    return ExecutorOptions(home, registry, {}, StopPolicy(), action_overrides=overrides)


def find_override(uses: str, overrides: dict[str, ActionOverride]) -> ActionOverride | None:
    found = match_override(uses, overrides)
    return None if found is None else found.override


def test_the_longest_key_matches_case_insensitively() -> None:
    whole = ActionOverride(None, "--skip-action")
    sub = ActionOverride(Path("/x"), "conveyor.toml")
    overrides = {"octo/tool": whole, "octo/tool/sub": sub}
    assert find_override("Octo/Tool@v1", overrides) is whole
    assert find_override("octo/TOOL/sub@v1", overrides) is sub
    assert find_override("octo/tool/sub/deeper@v1", overrides) is sub
    deeper = match_override("octo/tool/sub/deeper/x@v1", overrides)
    assert deeper is not None
    assert deeper.directory == Path("/x/deeper/x")
    assert find_override("octo/toolbox@v1", overrides) is None
    assert find_override("./octo/tool", overrides) is None
    assert find_override("docker://octo/tool", overrides) is None


def test_an_override_wins_over_a_native_action(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "action.yml").write_text(COMPOSITE)
    options = _options(tmp_path / "home", {"actions/checkout": ActionOverride(mirror, "x")})
    found = resolve_action("actions/checkout@v4", tmp_path, options)
    assert isinstance(found, LocalAction)
    assert (found.repository, found.ref, found.definition.directory) == (
        "actions/checkout",
        "v4",
        mirror,
    )


def test_a_skipped_action_says_why(tmp_path: Path) -> None:
    overrides = {"pypa/gh-action-pypi-publish": ActionOverride(None, "--skip-action")}
    found = resolve_action(
        "pypa/gh-action-pypi-publish@release/v1", tmp_path, _options(tmp_path, overrides)
    )
    assert isinstance(found, Skipped)
    assert "pypa/gh-action-pypi-publish@release/v1" in found.message
    assert "--skip-action" in found.message


def test_an_override_directory_without_the_action_is_unavailable(tmp_path: Path) -> None:
    overrides = {"octo/tool": ActionOverride(tmp_path, "conveyor.toml")}
    found = resolve_action("octo/tool/missing@v1", tmp_path, _options(tmp_path, overrides))
    assert isinstance(found, Unavailable)
    assert "action.yml" in found.message


def test_unknown_actions_give_one_short_line_and_a_hint(tmp_path: Path) -> None:
    found = resolve_action("acme/tool@v1", tmp_path, _options(tmp_path / "home", {}))
    assert isinstance(found, Unavailable)
    assert "\n" not in found.message
    assert len(found.message) < 120, found.message
    assert "acme/tool@v1" in found.message
    assert "--action-dir acme/tool=PATH" in found.hint
    assert "--skip-action acme/tool" in found.hint
    assert found.hint_key == "unresolved:acme/tool"


def test_run_notices_are_first_once() -> None:
    notices = RunNotices()
    assert notices.first("a") is True
    assert notices.first("A") is True  # keys are the caller's
    assert notices.first("a") is False
