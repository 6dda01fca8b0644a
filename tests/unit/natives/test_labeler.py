"""`conveyor/labeler` without a forge: changed files from git in the workspace, the labels it
would add and remove printed (a dry run), size labels from changed lines."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conveyor.actions.labeler import Labeler
from conveyor.actions.labeler_size import SizePolicy
from conveyor.model.results import AnnotationLevel, Status
from tests.unit.natives.support import LogConsole, invocation

CONFIG = """
docs:
- changed-files:
  - any-glob-to-any-file: 'docs/**'
source:
- changed-files:
  - any-glob-to-any-file: 'src/**'
"""


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=d@e", "-c", "user.name=D", *args],
        cwd=root, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip()


def workspace(tmp_path: Path, files: dict[str, str]) -> tuple[Path, str, str]:
    root = tmp_path / "ws"
    (root / ".github").mkdir(parents=True)
    (root / ".github/labeler.yml").write_text(CONFIG)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    base = git(root, "rev-parse", "HEAD")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "head")
    return root, base, git(root, "rev-parse", "HEAD")


def label(root: Path, base: str, head: str, uses: str = "conveyor/labeler@v1", **inputs: str):  # type: ignore[no-untyped-def]
    pull = {
        "number": 3,
        "base": {"ref": "main", "sha": base},
        "head": {"ref": "feature", "sha": head},
        "labels": [{"name": "size/L"}, {"name": "source"}, {"name": "keep-me"}],
    }
    console = LogConsole()
    call = invocation(uses, inputs, root, {"event": {"pull_request": pull}})
    return Labeler().run(call, console), console


def test_path_and_size_labels_from_the_workspaces_diff(tmp_path: Path) -> None:
    root, base, head = workspace(tmp_path, {"docs/a.md": "a\nb\n", "uv.lock": "x\n" * 900})
    outcome, console = label(root, base, head, **{"sync-labels": "true"})
    assert outcome.status is Status.SUCCESS, outcome.error
    assert outcome.outputs["new-labels"] == "docs,size/XS"  # the lock file is not counted
    assert outcome.outputs["changed-lines"] == "2"
    assert outcome.outputs["all-labels"] == "keep-me,docs,size/XS"
    assert "[dry run] would DELETE /repos//issues/3/labels/source" in console.text
    assert "[dry run] would DELETE /repos//issues/3/labels/size%2FL" in console.text
    assert "| docs | added |" in outcome.summary


def test_without_sync_labels_configured_labels_stay(tmp_path: Path) -> None:
    root, base, head = workspace(tmp_path, {"docs/a.md": "a\n"})
    outcome, _ = label(root, base, head)
    assert outcome.outputs["all-labels"] == "source,keep-me,docs,size/XS"


def test_an_xl_pull_request_is_warned_about(tmp_path: Path) -> None:
    root, base, head = workspace(tmp_path, {"src/big.py": "x = 1\n" * 600})
    outcome, console = label(root, base, head)
    assert outcome.outputs["size"] == "size/XL"
    [note] = outcome.annotations
    assert note.level is AnnotationLevel.WARNING
    assert "600 lines" in note.message
    assert "would POST /repos//issues/3/comments" in console.text


def test_as_actions_labeler_it_adds_no_size_labels(tmp_path: Path) -> None:
    root, base, head = workspace(tmp_path, {"src/a.py": "x\n"})
    outcome, _ = label(root, base, head, uses="actions/labeler@v5")
    assert outcome.outputs["new-labels"] == ""  # 'source' is already there
    assert outcome.outputs["size"] == ""


def test_standing_for_another_marketplace_action_it_adds_size_labels(tmp_path: Path) -> None:
    """Only actions/labeler has no size labels: a size labeler mapped to conveyor/labeler in
    conveyor.toml (codelytv/pr-size-labeler) adds them without a conveyor-only input."""
    root, base, head = workspace(tmp_path, {"src/a.py": "x\n"})
    outcome, _ = label(root, base, head, uses="codelytv/pr-size-labeler@v1")
    assert outcome.outputs["size"] == "size/XS"
    upper, _ = label(root, base, head, uses="Actions/Labeler@v5")
    assert upper.outputs["size"] == ""


def test_bad_configuration_and_inputs_fail_clearly(tmp_path: Path) -> None:
    root, base, head = workspace(tmp_path, {"src/a.py": "x\n"})
    (root / ".github/labeler.yml").write_text("docs: [")
    broken, _ = label(root, base, head)
    assert broken.error is not None
    assert broken.error.startswith("labeler: .github/labeler.yml:")
    missing, _ = label(
        root, base, head, uses="actions/labeler@v5", **{"configuration-path": "x.yml"}
    )
    assert missing.error == "labeler: no configuration at x.yml (in the workspace: check out first)"
    sizes, _ = label(root, base, head, **{"size-thresholds": "5,3,8,9"})
    assert sizes.error is not None
    assert "increasing" in sizes.error


def test_thresholds_and_names_are_configurable() -> None:
    policy = SizePolicy((5, 20), ("small", "medium", "large"))
    assert [policy.label(n) for n in (0, 5, 19, 20, 10_000)] == [
        "small", "medium", "medium", "large", "large",
    ]  # fmt: skip
