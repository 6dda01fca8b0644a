"""The per-job directory: a workspace holding the repository at the job's commit, and RUNNER_TEMP.

Layout (`CONVEYOR_HOME/runs/<run_id>/jobs/<job slug>/`):

    <repository name>/   GITHUB_WORKSPACE: a `git clone --shared` checked out (detached) at the
                         document's sha, so `.git` works as after actions/checkout; with
                         `include_uncommitted`, the working tree's changes and untracked
                         (not ignored) files are copied over it, like act does. Empty for a
                         job that neither checks out nor uses a `./` action (as on GitHub).
    _temp/               RUNNER_TEMP (event.json, scripts, file-command files)
    _tmp/                TMPDIR: the job's own temporary directory, removed with the job
    _home/               HOME with `--isolate-home` (made then only; see job_home)
    _job/                per-job tools (setup-python's installation, setup-node's npm prefix)

RUNNER_TOOL_CACHE is `CONVEYOR_HOME/toolcache`, shared by all jobs. A repository that is not a git
repository (or has no commit yet) is copied as it is.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

try:  # hashlib would load OpenSSL (megabytes of memory) for this one digest
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

from conveyor.errors import InfrastructureError
from conveyor.executors.local.file_commands import StepFiles
from conveyor.private_files import make_tree_private, private_directory

_HEX = frozenset("0123456789abcdef")
EVENT_FOLDER = "_github_workflow"  # under RUNNER_TEMP: event.json (GITHUB_EVENT_PATH)


@dataclass(frozen=True, slots=True)
class JobWorkspace:
    root: Path
    workspace: Path
    temp: Path
    job_dir: Path
    tool_cache: Path

    @property
    def tmp(self) -> Path:
        """TMPDIR: so that jobs running at once do not collide in /tmp."""
        return self.root / "_tmp"

    @property
    def home(self) -> Path:
        """HOME with `--isolate-home`."""
        return self.root / "_home"

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def job_slug(instance_key: str) -> str:
    """A directory name for a job instance: readable, and unique by a short hash."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", instance_key).strip("-.")[:60] or "job"
    digest = blake2b(instance_key.encode("utf-8"), digest_size=4).hexdigest()
    return f"{readable}-{digest}"


def workspace_layout(home: Path, run_id: str, instance_key: str, repository: str) -> JobWorkspace:
    root = home / "runs" / _safe(run_id) / "jobs" / job_slug(instance_key)
    return layout_at(root, resolved(repository), home)


def resolved(repository: str) -> Path:
    """`Path(repository).resolve()`, remembered (each job asks twice, on two threads); a
    relative path is remembered with the working directory it was resolved from."""
    base = "" if os.path.isabs(repository) else os.getcwd()
    return _resolved(repository, base)


@functools.lru_cache(maxsize=64)
def _resolved(repository: str, base: str) -> Path:
    return (Path(base) / repository).resolve()


def layout_at(root: Path, source: Path, home: Path) -> JobWorkspace:
    """The layout of a job directory at `root` for the (resolved) repository `source`."""
    return JobWorkspace(
        root=root,
        workspace=root / (_safe(source.name) or "workspace"),
        temp=root / "_temp",
        job_dir=root / "_job",
        tool_cache=home / "toolcache",
    )


def make_job_directories(layout: JobWorkspace) -> None:
    """RUNNER_TEMP (with the event's folder and the steps' file-command files), the job's tools
    folder and the shared tool cache; the workspace is made by its checkout or copy."""
    for folder in (layout.temp / EVENT_FOLDER, layout.tmp, layout.job_dir, layout.tool_cache):
        private_directory(folder)
    StepFiles.fresh(layout.temp)


def make_empty_job_directory(layout: JobWorkspace) -> None:
    """The directory of a job that does not read the repository: its folders and an empty
    workspace, as on GitHub before actions/checkout."""
    make_job_directories(layout)
    private_directory(layout.workspace)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._ -]+", "-", name).strip() or "run"


class WorkspaceSupply(Protocol):
    """Job directories made ahead of time (conveyor.executors.local.workspace_pool)."""

    def take(self, source: Path, commit: str, layout: JobWorkspace) -> bool:
        """Move a ready job directory (its workspace checked out at `commit`, its folders made)
        to `layout.root`; False when none is ready."""

    def check_out(self, source: Path, commit: str, target: Path) -> None:
        """Make a checkout now, as the supply makes them (see `check_out` below)."""

    def take_empty(self, source: Path, layout: JobWorkspace) -> bool:
        """Move a ready empty job directory (`make_empty_job_directory`'s) to `layout.root`
        (whose parent exists); False when none is ready."""


def prepare_workspace(
    layout: JobWorkspace,
    repository: str,
    sha: str | None,
    include_uncommitted: bool,
    supply: WorkspaceSupply | None = None,
    *,
    fill: bool = True,
) -> str | None:
    """Create the directories and fill the workspace; returns the commit checked out (or None).

    A checkout of a commit (without uncommitted changes) comes from `supply` when it has one.
    Without `fill` the workspace is left empty, as on GitHub before actions/checkout (and the
    commit is `sha`, looked up only when it is not a full SHA)."""
    if layout.root.exists():
        shutil.rmtree(layout.root)
    source = resolved(repository)
    if not fill:
        if supply is None or not supply.take_empty(source, layout):
            make_empty_job_directory(layout)
        return sha if is_full_sha(sha) else resolve_commit(source, sha)
    if supply is not None and is_full_sha(sha) and not include_uncommitted:
        assert sha is not None
        private_directory(layout.root.parent)
        if supply.take(source, sha, layout):
            private_directory(layout.tool_cache)
            return sha
    make_job_directories(layout)
    commit = resolve_commit(source, sha)
    if commit is None:
        _copy_tree(source, layout.workspace)
        return None
    if supply is not None:
        supply.check_out(source, commit, layout.workspace)
    else:
        check_out(source, commit, layout.workspace)
    if include_uncommitted:
        _overlay_working_tree(source, layout.workspace, commit)
    return commit


def is_full_sha(sha: str | None) -> bool:
    return sha is not None and len(sha) in (40, 64) and all(c in _HEX for c in sha)


def check_out(
    source: Path,
    commit: str,
    target: Path,
    template: Path | None = None,
    *,
    cloned: bool = False,
) -> None:
    """`target` becomes a shared clone of `source`, checked out (detached) at `commit` (its
    `.git` made from `template` when given, else from git's own). `cloned`: `target` already is
    that clone (not checked out yet)."""
    if not cloned:
        clone_for_checkout(source, target, template)
    git_command(["-C", str(target), "checkout", "--quiet", "--detach", commit])


def clone_for_checkout(source: Path, target: Path, template: Path | None = None) -> None:
    """`git clone --shared --no-checkout` of `source` into `target`."""
    chosen = [f"--template={template}"] if template is not None else []
    git_command(
        ["clone", "--quiet", *chosen, "--shared", "--no-checkout", "--", str(source), str(target)]
    )


def resolve_commit(source: Path, sha: str | None) -> str | None:
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
            make_tree_private(target)  # copies keep their modes: private in CONVEYOR_HOME
        elif origin.is_symlink() or origin.exists():
            private_directory(target.parent)
            if target.is_symlink() or target.is_file():
                target.unlink()
            shutil.copy2(origin, target, follow_symlinks=False)
            make_tree_private(target)
        elif target.is_symlink() or target.exists():
            target.unlink()


def _git_paths(source: Path, args: list[str]) -> list[str]:
    output = git_command(["-C", str(source), *args])
    return [path for path in output.split("\0") if path]


def _copy_tree(source: Path, target: Path) -> None:
    if not source.is_dir():
        raise InfrastructureError(f"repository {source} is not a directory")
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    make_tree_private(target)


def git_command(args: list[str]) -> str:
    """`git <args>` (no prompt, no advice); its stdout, an InfrastructureError when it fails."""
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
