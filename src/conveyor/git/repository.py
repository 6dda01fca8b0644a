"""A local git repository, read through `git` subprocesses (the only place conveyor runs git).

Every question a git event needs: resolving refs and SHAs, the default branch, merge bases,
changed files, commit metadata, the local user, and the test merge commit of a pull request.
Unknown refs are a UsageError; git itself missing or failing unexpectedly is an
InfrastructureError.
"""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from conveyor.errors import InfrastructureError, UsageError
from conveyor.git.commits import LOG_FORMAT, CommitInfo, parse_log

GIT_TIMEOUT_SECONDS = 120
_BRANCHES = "refs/heads/"
_TAGS = "refs/tags/"


class GitRepository:
    """A work tree (or bare repository) at `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def open(cls, path: Path) -> GitRepository:
        """The repository containing `path`; UsageError when there is none."""
        if not path.is_dir():
            raise UsageError(f"{path} is not a directory")
        result = _run_git(path, ["rev-parse", "--is-bare-repository", "--show-toplevel"])
        if result.returncode != 0:
            raise UsageError(f"{path} is not a git repository")
        lines = result.stdout.splitlines()
        bare = bool(lines) and lines[0] == "true"
        return cls(path.resolve() if bare or len(lines) < 2 else Path(lines[1]))

    # -- running git ---------------------------------------------------------------------------

    def git(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        """Run git and return its stdout; a failure is an InfrastructureError."""
        result = _run_git(self.root, args, env)
        if result.returncode != 0:
            command = " ".join(("git", *args))
            raise InfrastructureError(f"'{command}' failed: {result.stderr.strip()}")
        return result.stdout

    def try_git(self, *args: str, env: Mapping[str, str] | None = None) -> str | None:
        """Run git; stdout on success, None on a non-zero exit."""
        result = _run_git(self.root, args, env)
        return result.stdout if result.returncode == 0 else None

    # -- refs and commits ----------------------------------------------------------------------

    def resolve_commit(self, rev: str) -> str:
        """The commit SHA `rev` names (branch, tag, SHA, `HEAD~2`…); UsageError if none."""
        found = self.try_git(
            "rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"
        )
        if not found:
            raise UsageError(f"unknown ref or SHA '{rev}' in {self.root}")
        return found.strip()

    def full_ref(self, name: str) -> str | None:
        """`refs/heads/x` or `refs/tags/x` for a local branch or tag named by its short or full
        name (a branch wins over a tag of the same name); None when there is none."""
        candidates = [name] if name.startswith("refs/") else [_BRANCHES + name, _TAGS + name]
        listed = self.git("for-each-ref", "--format=%(refname)", *candidates).splitlines()
        return next((candidate for candidate in candidates if candidate in listed), None)

    def current_branch(self) -> str | None:
        found = self.try_git("symbolic-ref", "--quiet", "--short", "HEAD")
        return found.strip() if found else None

    @functools.cached_property
    def default_branch(self) -> str:
        """origin's HEAD branch, else `main` or `master` if present, else the current branch."""
        origin_head = self.try_git("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
        if origin_head and origin_head.strip().startswith("origin/"):
            return origin_head.strip().removeprefix("origin/")
        branches = self.git("for-each-ref", "--format=%(refname:short)", _BRANCHES).split()
        for name in ("main", "master"):
            if name in branches:
                return name
        return self.current_branch() or (branches[0] if branches else "main")

    def branches_at(self, sha: str) -> list[str]:
        """Local branches whose tip is `sha`."""
        out = self.git("for-each-ref", "--format=%(refname:short)", "--points-at", sha, _BRANCHES)
        return out.split()

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self.try_git("merge-base", "--is-ancestor", ancestor, descendant) is not None

    def merge_base(self, first: str, second: str) -> str | None:
        found = self.try_git("merge-base", first, second)
        return found.strip() if found else None

    def commits(self, *revisions: str, limit: int | None = None) -> list[CommitInfo]:
        """Commits selected by `git log` revision arguments, oldest first (the newest `limit`)."""
        count = [f"--max-count={limit}"] if limit is not None else []
        out = self.git("log", f"--format={LOG_FORMAT}", "-z", *count, *revisions, "--")
        return list(reversed(parse_log(out)))

    def commit(self, rev: str) -> CommitInfo:
        return self.commits(rev, limit=1)[0]

    def new_commits(self, sha: str, branch: str) -> list[tuple[str, tuple[str, ...]]]:
        """(commit, parents) reachable from `sha` but from no branch, tag or remote branch other
        than `branch`, oldest first: what pushing `branch` as a new branch would send."""
        out = self.git("rev-list", "--reverse", "--parents", sha, *other_refs(branch))
        return [(line.split()[0], tuple(line.split()[1:])) for line in out.splitlines() if line]

    # -- changes -------------------------------------------------------------------------------

    def changed_files(self, old: str | None, new: str) -> tuple[str, ...]:
        """Files that differ between `old` and `new` (renames count as delete + add);
        `old=None` means from nothing (every file of `new`)."""
        if old is None:
            out = self.git("ls-tree", "-r", "-z", "--name-only", new)
        else:
            out = self.git("diff", "--name-only", "-z", "--no-renames", old, new, "--")
        return tuple(name for name in out.split("\0") if name)

    def diff_stats(self, old: str, new: str) -> list[tuple[int, int, str]]:
        """(lines added, lines deleted, path) per changed file; binary files count 0."""
        out = self.git("diff", "--numstat", "-z", "--no-renames", old, new, "--")
        stats: list[tuple[int, int, str]] = []
        for record in out.split("\0"):
            if record:
                added, deleted, path = record.split("\t", 2)
                stats.append((_count(added), _count(deleted), path))
        return stats

    def write_merge_commit(self, base: str, head: str, message: str, date: str) -> str | None:
        """Create (unreferenced) the commit merging `head` into `base`, as GitHub's test merge;
        None when they conflict or this git cannot merge without a work tree."""
        tree = self.try_git("merge-tree", "--write-tree", base, head)
        if tree is None:
            return None
        env = {
            "GIT_AUTHOR_NAME": "GitHub",
            "GIT_AUTHOR_EMAIL": "noreply@github.com",
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": "GitHub",
            "GIT_COMMITTER_EMAIL": "noreply@github.com",
            "GIT_COMMITTER_DATE": date,
        }
        tree_sha = tree.splitlines()[0].strip()
        commit = self.git("commit-tree", tree_sha, "-p", base, "-p", head, "-m", message, env=env)
        return commit.strip()

    # -- configuration -------------------------------------------------------------------------

    def config(self, key: str) -> str | None:
        found = self.try_git("config", "--get", key)
        return found.strip() if found else None

    def tag_message(self, tag: str) -> str | None:
        """The message of an annotated tag; None for a lightweight tag."""
        out = self.git("for-each-ref", "--format=%(objecttype)%00%(contents)", _TAGS + tag)
        kind, _, contents = out.partition("\0")
        return contents.rstrip("\n") if kind == "tag" else None


def _run_git(
    cwd: Path, args: Sequence[str], env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", **(env or {})}
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=full_env,
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError:
        raise InfrastructureError("git is not installed (no 'git' on PATH)") from None
    except subprocess.TimeoutExpired:
        raise InfrastructureError(
            f"git {' '.join(args)} took over {GIT_TIMEOUT_SECONDS}s"
        ) from None


def other_refs(branch: str) -> tuple[str, ...]:
    """`git rev-list` arguments excluding everything reachable from refs other than `branch`."""
    return ("--not", f"--exclude={branch}", "--branches", "--tags", "--remotes")


def _count(text: str) -> int:
    return int(text) if text.isdigit() else 0
