"""The per-job directory: a workspace holding the repository at the job's commit, and RUNNER_TEMP.

Layout (`CONVEYOR_HOME/runs/<run_id>/jobs/<job slug>/`):

    <repository name>/   GITHUB_WORKSPACE: a `git clone --shared` checked out (detached) at the
                         document's sha, so `.git` works as after actions/checkout; with
                         `include_uncommitted`, the working tree's changes and untracked
                         (not ignored) files are copied over it, like act does.
    _temp/               RUNNER_TEMP (event.json, scripts, file-command files)
    _job/                per-job tools (setup-python's virtualenv, setup-node's npm prefix)

RUNNER_TOOL_CACHE is `CONVEYOR_HOME/toolcache`, shared by all jobs. A repository that is not a git
repository (or has no commit yet) is copied as it is.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from conveyor.errors import InfrastructureError


@dataclass(frozen=True, slots=True)
class JobWorkspace:
    root: Path
    workspace: Path
    temp: Path
    job_dir: Path
    tool_cache: Path

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def job_slug(instance_key: str) -> str:
    """A directory name for a job instance: readable, and unique by a short hash."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", instance_key).strip("-.")[:60] or "job"
    digest = hashlib.sha1(instance_key.encode("utf-8")).hexdigest()[:8]
    return f"{readable}-{digest}"


def workspace_layout(home: Path, run_id: str, instance_key: str, repository: str) -> JobWorkspace:
    root = home / "runs" / _safe(run_id) / "jobs" / job_slug(instance_key)
    name = _safe(Path(repository).resolve().name) or "workspace"
    return JobWorkspace(
        root=root,
        workspace=root / name,
        temp=root / "_temp",
        job_dir=root / "_job",
        tool_cache=home / "toolcache",
    )


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._ -]+", "-", name).strip() or "run"


def prepare_workspace(
    layout: JobWorkspace, repository: str, sha: str | None, include_uncommitted: bool
) -> str | None:
    """Create the directories and fill the workspace; returns the commit checked out (or None)."""
    if layout.root.exists():
        shutil.rmtree(layout.root)
    for folder in (layout.temp, layout.job_dir, layout.tool_cache):
        folder.mkdir(parents=True, exist_ok=True)
    source = Path(repository).resolve()
    commit = _resolve_commit(source, sha)
    if commit is None:
        _copy_tree(source, layout.workspace)
        return None
    _git(
        ["clone", "--quiet", "--shared", "--no-checkout", "--", str(source), str(layout.workspace)]
    )
    _git(["-C", str(layout.workspace), "checkout", "--quiet", "--detach", commit])
    if include_uncommitted:
        _overlay_working_tree(source, layout.workspace, commit)
    return commit


def _resolve_commit(source: Path, sha: str | None) -> str | None:
    if not (source / ".git").exists():
        if sha:
            raise InfrastructureError(f"{source} is not a git repository: cannot check out {sha}")
        return None
    result = _run_git(
        ["-C", str(source), "rev-parse", "--verify", "--quiet", f"{sha or 'HEAD'}^{{commit}}"]
    )
    if result.returncode != 0:
        if sha:
            raise InfrastructureError(f"commit {sha} is not in the repository {source}")
        return None
    return result.stdout.strip()


def _overlay_working_tree(source: Path, workspace: Path, commit: str) -> None:
    changed = _git_paths(source, ["diff", "--name-only", "-z", "--no-renames", commit])
    untracked = _git_paths(source, ["ls-files", "-z", "--others", "--exclude-standard"])
    for relative in dict.fromkeys([*changed, *untracked]):
        origin, target = source / relative, workspace / relative
        if origin.is_dir() and not origin.is_symlink():
            shutil.copytree(origin, target, symlinks=True, dirs_exist_ok=True)
        elif origin.is_symlink() or origin.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or target.is_file():
                target.unlink()
            shutil.copy2(origin, target, follow_symlinks=False)
        elif target.is_symlink() or target.exists():
            target.unlink()


def _git_paths(source: Path, args: list[str]) -> list[str]:
    output = _git(["-C", str(source), *args])
    return [path for path in output.split("\0") if path]


def _copy_tree(source: Path, target: Path) -> None:
    if not source.is_dir():
        raise InfrastructureError(f"repository {source} is not a directory")
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(".git"))


def _git(args: list[str]) -> str:
    result = _run_git(args)
    if result.returncode != 0:
        detail = result.stderr.strip() or f"exit status {result.returncode}"
        raise InfrastructureError(f"git {' '.join(args[:3])}... failed: {detail}")
    return result.stdout


def _run_git(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ADVICE": "0"}
    try:
        return subprocess.run(
            ["git", "-c", "advice.detachedHead=false", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    except FileNotFoundError as exc:
        raise InfrastructureError("git is not installed: conveyor needs it for workspaces") from exc
