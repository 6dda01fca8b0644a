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
from conveyor.git.snapshot import (
    ORIGIN_HEAD,
    REF_NAMESPACES,
    RefEntry,
    Snapshot,
    commands,
    config_key,
    read_snapshot,
    run_together,
)

GIT_TIMEOUT_SECONDS = 120
_BRANCHES = "refs/heads/"
_TAGS = "refs/tags/"


class GitRepository:
    """A work tree (or bare repository) at `root`.

    Opened with `prefetch=True`, it reads a `Snapshot` (configuration, refs, HEAD's branch and
    commit) with all its git processes at once, and answers from it what it can.
    """

    def __init__(self, root: Path, snapshot: Snapshot | None = None) -> None:
        self.root = root
        self._snapshot = snapshot
        self._commits: dict[str, CommitInfo] = snapshot.commits if snapshot else {}

    @classmethod
    def open(cls, path: Path, *, prefetch: bool = False, push: bool = False) -> GitRepository:
        """The repository containing `path`; UsageError when there is none. With `prefetch`, the
        snapshot is read too (`push`: with what a push of HEAD asks)."""
        if not path.is_dir():
            raise UsageError(f"{path} is not a directory")
        top_level = ("rev-parse", "--is-bare-repository", "--show-toplevel")
        outputs: list[subprocess.CompletedProcess[str]] = []
        if prefetch:
            result, *outputs = _run_together(path, (top_level, *commands(push=push)))
        else:
            result = _run_git(path, top_level)
        if result.returncode != 0:
            raise UsageError(f"{path} is not a git repository")
        lines = result.stdout.splitlines()
        bare = bool(lines) and lines[0] == "true"
        root = path.resolve() if bare or len(lines) < 2 else Path(lines[1])
        return cls(root, read_snapshot(outputs) if outputs else None)

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
        known = self._known_commit(rev)
        if known is not None:
            return known
        found = self.try_git(
            "rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"
        )
        if not found:
            raise UsageError(f"unknown ref or SHA '{rev}' in {self.root}")
        return found.strip()

    def find_commit(self, rev: str) -> str | None:
        """The commit `rev` names, or None (`rev-parse --verify --quiet rev^{commit}`)."""
        refs = self._refs_for(rev)
        if refs is not None:
            entry = refs.get(rev)
            return entry.commit if entry is not None else None
        found = self.try_git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        return found.strip() if found else None

    def find_object(self, ref: str) -> str | None:
        """The object a ref names, or None (`rev-parse --verify --quiet ref`)."""
        refs = self._refs_for(ref)
        if refs is not None:
            entry = refs.get(ref)
            return entry.object_id if entry is not None else None
        found = self.try_git("rev-parse", "--verify", "--quiet", ref)
        return found.strip() if found else None

    def full_ref(self, name: str) -> str | None:
        """`refs/heads/x` or `refs/tags/x` for a local branch or tag named by its short or full
        name (a branch wins over a tag of the same name); None when there is none."""
        candidates = [name] if name.startswith("refs/") else [_BRANCHES + name, _TAGS + name]
        refs = self._refs_for(*candidates)
        if refs is not None:
            return next((candidate for candidate in candidates if candidate in refs), None)
        listed = self.git("for-each-ref", "--format=%(refname)", *candidates).splitlines()
        return next((candidate for candidate in candidates if candidate in listed), None)

    def current_branch(self) -> str | None:
        if self._snapshot is not None and self._snapshot.head_branch is not None:
            return self._snapshot.head_branch
        found = self.try_git("symbolic-ref", "--quiet", "--short", "HEAD")
        return found.strip() if found else None

    @functools.cached_property
    def default_branch(self) -> str:
        """origin's HEAD branch, else `main` or `master` if present, else the current branch."""
        origin_head = self._origin_head()
        if origin_head and origin_head.strip().startswith("origin/"):
            return origin_head.strip().removeprefix("origin/")
        branches = self._branch_names()
        for name in ("main", "master"):
            if name in branches:
                return name
        return self.current_branch() or (branches[0] if branches else "main")

    def branches_at(self, sha: str) -> list[str]:
        """Local branches whose tip is `sha`."""
        out = self.git("for-each-ref", "--format=%(refname:short)", "--points-at", sha, _BRANCHES)
        return out.split()

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        known = self._commits.get(descendant)
        if known is not None and ancestor in known.parents:
            return True
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
        known = self._commits.get(rev)
        if known is not None:
            return known
        found = self.commits(rev, limit=1)[0]
        if found.sha == rev:  # a full SHA names the same commit for ever
            self._commits[rev] = found
        return found

    def new_commits(self, sha: str, branch: str) -> list[tuple[str, tuple[str, ...]]]:
        """(commit, parents) reachable from `sha` but from no branch, tag or remote branch other
        than `branch`, oldest first: what pushing `branch` as a new branch would send."""
        alone = self._lone_root(sha, branch)
        if alone is not None:
            return alone
        out = self.git("rev-list", "--reverse", "--parents", sha, *other_refs(branch))
        return [(line.split()[0], tuple(line.split()[1:])) for line in out.splitlines() if line]

    # -- changes -------------------------------------------------------------------------------

    def changed_files(self, old: str | None, new: str) -> tuple[str, ...]:
        """Files that differ between `old` and `new` (renames count as delete + add);
        `old=None` means from nothing (every file of `new`)."""
        known = self._known_changes(old, new)
        if known is not None:
            return known
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
        if self._snapshot is not None:
            value = self._snapshot.config.get(config_key(key))
            return value.strip() if value is not None else None
        found = self.try_git("config", "--get", key)
        return found.strip() if found else None

    def tag_message(self, tag: str) -> str | None:
        """The message of an annotated tag; None for a lightweight tag."""
        out = self.git("for-each-ref", "--format=%(objecttype)%00%(contents)", _TAGS + tag)
        kind, _, contents = out.partition("\0")
        return contents.rstrip("\n") if kind == "tag" else None

    # -- the snapshot ----------------------------------------------------------------------------

    def _refs_for(self, *names: str) -> Mapping[str, RefEntry] | None:
        """The snapshot's refs when they settle questions about `names` (all listed namespaces)."""
        if self._snapshot is None or self._snapshot.refs_incomplete:
            return None
        if all(name.startswith(REF_NAMESPACES) for name in names):
            return self._snapshot.refs
        return None

    def _known_commit(self, rev: str) -> str | None:
        refs = self._refs_for(rev)
        entry = refs.get(rev) if refs is not None else None
        if entry is not None and entry.commit is not None:
            return entry.commit
        return rev if rev in self._commits else None

    def _known_changes(self, old: str | None, new: str) -> tuple[str, ...] | None:
        head = self._snapshot.head if self._snapshot is not None else None
        if self._snapshot is None or head is None or new != head.sha:
            return None
        if old is None:
            return self._snapshot.head_files
        return self._snapshot.head_changes if head.parents == (old,) else None

    def _lone_root(self, sha: str, branch: str) -> list[tuple[str, tuple[str, ...]]] | None:
        """A root commit when no other branch, tag or remote ref exists: it alone is new."""
        commit = self._commits.get(sha)
        refs = self._refs_for(_BRANCHES)
        if commit is None or commit.parents or refs is None or any(c in branch for c in "*?[\\"):
            return None
        others = [name for name in refs if name != _BRANCHES + branch]
        return None if others else [(sha, ())]

    def _origin_head(self) -> str | None:
        if self._snapshot is not None:
            return self._snapshot.origin_head
        return self.try_git("symbolic-ref", "--quiet", "--short", ORIGIN_HEAD)

    def _branch_names(self) -> list[str]:
        refs = self._refs_for(_BRANCHES)
        if refs is None:
            return self.git("for-each-ref", "--format=%(refname:short)", _BRANCHES).split()
        return [entry.short for name, entry in refs.items() if name.startswith(_BRANCHES)]


def _environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", **(env or {})}


def _not_found(cwd: Path) -> InfrastructureError:
    """What a FileNotFoundError from starting git means: its directory is gone, or no git."""
    if not cwd.is_dir():
        return InfrastructureError(f"the repository directory {cwd} does not exist")
    return InfrastructureError("git is not installed (no 'git' on PATH)")


def _run_together(
    cwd: Path, commands: Sequence[Sequence[str]]
) -> list[subprocess.CompletedProcess[str]]:
    try:
        return run_together(cwd, commands, _environment(), GIT_TIMEOUT_SECONDS)
    except FileNotFoundError:
        raise _not_found(cwd) from None
    except subprocess.TimeoutExpired as exc:
        raise InfrastructureError(f"git {' '.join(exc.cmd)} took over {exc.timeout}s") from None


def _run_git(
    cwd: Path, args: Sequence[str], env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = _environment(env)
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
        raise _not_found(cwd) from None
    except subprocess.TimeoutExpired:
        raise InfrastructureError(
            f"git {' '.join(args)} took over {GIT_TIMEOUT_SECONDS}s"
        ) from None


def other_refs(branch: str) -> tuple[str, ...]:
    """`git rev-list` arguments excluding everything reachable from refs other than `branch`."""
    return ("--not", f"--exclude={branch}", "--branches", "--tags", "--remotes")


def _count(text: str) -> int:
    return int(text) if text.isdigit() else 0
