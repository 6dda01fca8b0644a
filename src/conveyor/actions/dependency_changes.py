"""The dependency changes between two commits of the workspace's git repository, read with git
(`git show rev:path`, no checkout): the manifests `git diff` names, parsed at both commits, and
their packages compared by name. A version change is, as in GitHub's dependency review, the old
version removed and the new one added."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.actions.dependency_manifests import Dependency, is_manifest, parse_manifest
from conveyor.actions.dependency_osv import Advisory
from conveyor.errors import UsageError


@dataclass(slots=True)
class Change:
    change_type: str  # added | removed
    manifest: str
    dependency: Dependency
    previous: str | None = None  # the version it replaces (a version change)
    licence: str | None = None  # SPDX expression, canonical
    licence_source: str = ""
    advisories: list[Advisory] = field(default_factory=list)
    licence_problem: str = ""  # "" | forbidden | unresolved | unlicensed


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)


def comparison_base(root: Path, base: str, head: str) -> str:
    """Where head's changes start: the merge base of base and head (GitHub's base...head)."""
    for rev in (base, head):
        if _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode:
            raise UsageError(
                f"commit {rev} is not in the workspace's repository (the checkout needs both "
                "commits: actions/checkout with fetch-depth: 0)"
            )
    found = _git(root, "merge-base", base, head)
    return found.stdout.strip() if found.returncode == 0 else base


def changed_manifests(root: Path, base: str, head: str) -> list[str]:
    done = _git(root, "diff", "--name-only", "--no-renames", "-z", base, head)
    if done.returncode != 0:
        raise UsageError(f"git diff {base} {head}: {done.stderr.strip() or 'failed'}")
    return sorted(name for name in done.stdout.split("\0") if name and is_manifest(name))


def _read(root: Path, rev: str, path: str) -> list[Dependency]:
    done = _git(root, "show", f"{rev}:{path}")
    return parse_manifest(path, done.stdout, f" (at {rev[:12]})") if done.returncode == 0 else []


def manifest_changes(root: Path, base: str, head: str, path: str) -> list[Change]:
    """Packages compared by name and version: a version gone is removed, a new one added
    (replacing the name's removed version, if one is)."""
    before, after = _read(root, base, path), _read(root, head, path)
    old = {(d.key, d.version) for d in before}
    new = {(d.key, d.version) for d in after}
    removed = _unique(d for d in before if (d.key, d.version) not in new)
    replaced = {d.key: d.version for d in removed}
    changes = [Change("removed", path, d) for d in removed]
    for added in _unique(d for d in after if (d.key, d.version) not in old):
        changes.append(Change("added", path, added, previous=replaced.get(added.key)))
    return changes


def _unique(dependencies: Iterable[Dependency]) -> list[Dependency]:
    """One of each (name, version): the first, at its line."""
    seen: dict[tuple[str, str], Dependency] = {}
    for dependency in dependencies:
        seen.setdefault((dependency.key, dependency.version), dependency)
    return list(seen.values())


def dependency_changes(root: Path, base: str, head: str) -> list[Change]:
    start = comparison_base(root, base, head)
    changes: list[Change] = []
    for path in changed_manifests(root, start, head):
        changes += manifest_changes(root, start, head, path)
    return changes
