"""actions/checkout: the workspace already is the repository at the job's commit.

- no `path`, no `ref`: nothing to do (the executor cloned the repository into the workspace,
  with uncommitted changes when asked to) — the step only reports the commit;
- `ref`: the workspace (or `path`) is switched to that branch, tag or commit of the repository;
- `path`: a clone of the repository at the commit (or `ref`) is made under the workspace;
- `repository` naming another repository cannot be served offline: the step fails and says so;
- `fetch-depth`: the clone always holds the full history (0 = everything is the only depth that
  changes behaviour on GitHub); `clean`, `lfs`, `submodules`, `token`... are accepted.
Outputs: `ref`, `commit`.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conveyor.engine.ports.actions import (
    ActionConsole,
    ActionInvocation,
    ActionOutcome,
    failed,
)


class Checkout:
    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        other = _other_repository(invocation)
        if other:
            return failed(
                f"actions/checkout: repository '{other}' is not this repository and cannot be "
                "fetched here. Clone it yourself in a `run:` step, or check out only this one."
            )
        target = _target(invocation)
        if target is None:
            return failed("actions/checkout: `path` must stay inside the workspace")
        ref = invocation.input("ref")
        if target != Path(invocation.workspace) and not (target / ".git").exists():
            problem = _clone(invocation, console, target)
            if problem:
                return failed(problem)
        if ref or target != Path(invocation.workspace):
            problem = _switch(invocation, console, target, ref)
            if problem:
                return failed(problem)
        commit = _head_commit(target)
        console.log(f"Workspace {target} is at {commit or 'an unknown commit'}")
        return ActionOutcome(
            outputs={"ref": ref or str(invocation.github.get("ref") or ""), "commit": commit}
        )


def _other_repository(invocation: ActionInvocation) -> str | None:
    wanted = invocation.input("repository").strip()
    own = str(invocation.github.get("repository") or "")
    if wanted and own and wanted.lower() != own.lower():
        return wanted
    return None


def _target(invocation: ActionInvocation) -> Path | None:
    workspace = Path(invocation.workspace).resolve()
    relative = invocation.input("path")
    if not relative:
        return Path(invocation.workspace)
    target = (workspace / relative).resolve()
    if target != workspace and workspace not in target.parents:
        return None
    return target


def _clone(invocation: ActionInvocation, console: ActionConsole, target: Path) -> str | None:
    if target.exists() and any(target.iterdir()):
        return f"actions/checkout: '{target}' exists and is not empty"
    argv = [
        "git",
        "clone",
        "--quiet",
        "--shared",
        "--no-checkout",
        invocation.repository,
        str(target),
    ]
    if console.run(argv, cwd=invocation.workspace) != 0:
        return f"actions/checkout: cloning {invocation.repository} into {target} failed"
    return None


def _switch(
    invocation: ActionInvocation, console: ActionConsole, target: Path, ref: str
) -> str | None:
    commit = _resolve(invocation, target, ref) if ref else (invocation.sha or "HEAD")
    if not commit:
        return (
            f"actions/checkout: '{ref}' is not a branch, tag or commit of {invocation.repository}"
        )
    argv = [
        "git",
        "-c",
        "advice.detachedHead=false",
        "checkout",
        "--quiet",
        "--force",
        "--detach",
        commit,
    ]
    if console.run(argv, cwd=str(target)) != 0:
        return f"actions/checkout: checking out {ref or commit} failed"
    return None


def _resolve(invocation: ActionInvocation, target: Path, ref: str) -> str:
    """A commit for `ref`, looked up in the source repository (branches, tags, commits)."""
    short = ref.removeprefix("refs/heads/").removeprefix("refs/tags/")
    for candidate in (
        ref,
        f"refs/heads/{short}",
        f"refs/tags/{short}",
        f"refs/remotes/origin/{short}",
    ):
        commit = _git_output(
            Path(invocation.repository),
            "rev-parse",
            "--verify",
            "--quiet",
            f"{candidate}^{{commit}}",
        )
        if commit:
            if _git_output(target, "cat-file", "-t", commit) != "commit":
                _git_output(target, "fetch", "--quiet", invocation.repository, commit)
            return commit
    return ""


def _head_commit(target: Path) -> str:
    """The commit a detached HEAD names, read from `.git/HEAD` (as the executor and this action
    leave it), else as git resolves HEAD."""
    try:
        head = (target / ".git" / "HEAD").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        head = ""
    if len(head) in (40, 64) and all(c in "0123456789abcdef" for c in head):
        return head
    return _git_output(target, "rev-parse", "HEAD")


def _git_output(directory: Path, *args: str) -> str:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    try:
        result = subprocess.run(
            ["git", "-C", str(directory), *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    except OSError:
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""
