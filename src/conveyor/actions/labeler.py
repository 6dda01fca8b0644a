"""`conveyor/labeler`: actions/labeler v5 (path and branch labels from `.github/labeler.yml`),
plus size labels and a warning comment on an XL pull request.

The changed files come from the API (`pulls/{n}/files`) when a forge is there, else from
`git diff base...head` in the workspace. Labels the configuration names are added when they
match and, with `sync-labels`, removed when they no longer do; of the size labels, the one that
fits is added and the others removed. No other label is touched. Without a forge (no token) or
with `debug-only`, the changes are printed, not made.

Inputs: `configuration-path` (`.github/labeler.yml`), `sync-labels`, `dot` (true), `pr-number`,
`repo-token`/`github-token`, `size-labels` (true — also when it stands for another size
labeler, e.g. codelytv/pr-size-labeler; false when run as actions/labeler),
`size-thresholds`, `size-label-names`, `size-ignore`, `xl-comment` (true).
Outputs: `new-labels`, `all-labels` (comma-separated), `size`, `changed-lines`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from conveyor.actions.forge_rest import ForgeRest, ForgeTarget
from conveyor.actions.labeler_config import (
    Block,
    Change,
    LabelerConfigError,
    label_applies,
    parse_config,
)
from conveyor.actions.labeler_size import FileChange, SizePolicy
from conveyor.actions.native_support import (
    PullRequest,
    can_read,
    current_pull,
    flag,
    pull_request,
    sticky_comment,
    table,
    warning,
)
from conveyor.engine.ports.actions import ActionConsole, ActionInvocation, ActionOutcome, failed
from conveyor.errors import ForgeError
from conveyor.model.results import Annotation

CONFIG = ".github/labeler.yml"
PATHS_ONLY = "actions/labeler"  # the one name standing for it that has no size labels
XL_COMMENT = "labeler-size"


@dataclass(frozen=True, slots=True)
class LabelPlan:
    add: tuple[str, ...]
    remove: tuple[str, ...]
    size: str
    lines: int

    def after(self, current: tuple[str, ...]) -> tuple[str, ...]:
        kept = [label for label in current if label not in self.remove]
        return (*kept, *(label for label in self.add if label not in kept))


@dataclass(frozen=True, slots=True)
class LabelerSetup:
    config: Mapping[str, tuple[Block, ...]]
    size: SizePolicy | None
    sync: bool
    dot: bool


class Labeler:
    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        pull = pull_request(invocation)
        if pull is None:
            return failed("labeler: not a pull request event (set 'pr-number' to label one)")
        setup = labeler_setup(invocation)
        if isinstance(setup, str):
            return failed(setup)
        rest = ForgeRest(ForgeTarget.of(invocation), console)
        try:
            return _label(invocation, console, rest, pull, setup)
        except ForgeError as exc:
            return failed(f"labeler: {exc}")
        except ChangedFilesError as exc:
            return failed(f"labeler: {exc}")
        finally:
            rest.close()


def labeler_setup(invocation: ActionInvocation) -> LabelerSetup | str:
    """The configuration and policies (an error message naming the file or the input)."""
    sizes = invocation.ref.name != PATHS_ONLY  # actions/labeler itself knows no size labels
    size = SizePolicy.of(invocation) if flag(invocation, "size-labels", sizes) else None
    if isinstance(size, str):
        return size
    relative = invocation.input("configuration-path", CONFIG)
    path = Path(invocation.workspace) / relative
    if not path.is_file() and not (sizes and size is not None):
        return f"labeler: no configuration at {relative} (in the workspace: check out first)"
    try:
        config = parse_config(_yaml(path.read_text(encoding="utf-8"))) if path.is_file() else {}
    except (LabelerConfigError, ValueError) as exc:
        return f"labeler: {relative}: {exc}"
    return LabelerSetup(
        config, size, flag(invocation, "sync-labels", False), flag(invocation, "dot", True)
    )


def _yaml(text: str) -> object:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.line + 1}:{mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValueError(f"{where}{problem}") from None


def _label(
    invocation: ActionInvocation,
    console: ActionConsole,
    rest: ForgeRest,
    pull: PullRequest,
    setup: LabelerSetup,
) -> ActionOutcome:
    pull = current_pull(rest, pull)
    files = changed_files(invocation, rest, pull)
    current = pull.labels
    plan = plan_labels(invocation, pull, setup, files, current)
    _apply(rest, pull.number, plan)
    annotations: tuple[Annotation, ...] = ()
    if setup.size is not None and plan.size == setup.size.labels[-1]:
        message = f"This pull request changes {plan.lines} lines: consider splitting it"
        annotations = (warning(message, title="labeler"),)
        if flag(invocation, "xl-comment", True):
            sticky_comment(rest, pull.number, XL_COMMENT, f"⚠️ **{plan.size}**: {message}.")
    for label in plan.add:
        console.log(f"labeler: + {label}")
    for label in plan.remove:
        console.log(f"labeler: - {label}")
    outputs = {
        "new-labels": ",".join(plan.add),
        "all-labels": ",".join(plan.after(current)),
        "size": plan.size,
        "changed-lines": str(plan.lines),
    }
    return ActionOutcome(
        outputs=outputs, summary=_summary(plan, len(files)), annotations=annotations
    )


def plan_labels(
    invocation: ActionInvocation,
    pull: PullRequest,
    setup: LabelerSetup,
    files: list[FileChange],
    current: tuple[str, ...],
) -> LabelPlan:
    head = pull.head_ref or str(invocation.github.get("head_ref") or "")
    base = pull.base_ref or str(invocation.github.get("base_ref") or "")
    change = Change([f.path for f in files], head, base, setup.dot)
    matched = [label for label, blocks in setup.config.items() if label_applies(blocks, change)]
    stale = [name for name in setup.config if name not in matched] if setup.sync else []
    size, lines = "", 0
    if setup.size is not None:
        lines = setup.size.counted_lines(files)
        size = setup.size.label(lines)
        matched.append(size)
        stale += [label for label in setup.size.labels if label != size]
    add = tuple(label for label in matched if label not in current)
    remove = tuple(label for label in stale if label in current)
    return LabelPlan(add, remove, size, lines)


def _apply(rest: ForgeRest, number: int, plan: LabelPlan) -> None:
    if plan.add:
        rest.request(
            "POST", rest.repo_path(f"/issues/{number}/labels"), json={"labels": list(plan.add)}
        )
    for label in plan.remove:
        rest.request("DELETE", rest.repo_path(f"/issues/{number}/labels/{quote(label, safe='')}"))


class ChangedFilesError(Exception):
    """The changed files could not be listed (git's message)."""


def changed_files(
    invocation: ActionInvocation, rest: ForgeRest, pull: PullRequest
) -> list[FileChange]:
    if can_read(rest.target):
        listing = rest.paginate(rest.repo_path(f"/pulls/{pull.number}/files"))
        return [
            FileChange(
                str(f["filename"]), int(f.get("additions") or 0), int(f.get("deletions") or 0)
            )
            for f in listing
        ]
    return git_changes(invocation.workspace, pull.base_sha, pull.head_sha or "HEAD")


def git_changes(workspace: str, base: str, head: str) -> list[FileChange]:
    """`git diff --numstat base...head` in the workspace (binary files count 0 lines)."""
    if not base:
        raise ChangedFilesError("no base commit in the event (pull_request.base.sha)")
    argv = ["git", "diff", "--numstat", "-z", "--no-renames", f"{base}...{head}"]
    done = subprocess.run(argv, cwd=workspace, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ChangedFilesError(f"git diff {base}...{head}: {done.stderr.strip()}")
    changes = []
    for record in done.stdout.split("\0"):
        added, _, rest = record.partition("\t")
        deleted, _, path = rest.partition("\t")
        if path:
            changes.append(FileChange(path, _count(added), _count(deleted)))
    return changes


def _count(text: str) -> int:
    return int(text) if text.isdigit() else 0


def _summary(plan: LabelPlan, files: int) -> str:
    rows = [(label, "added") for label in plan.add] + [(label, "removed") for label in plan.remove]
    size = f" Size: **{plan.size}** ({plan.lines} changed lines)." if plan.size else ""
    text = f"### Labeler\n\n{files} changed files.{size}\n\n"
    return text + (table(("Label", "Change"), rows) if rows else "No label changes.\n")
