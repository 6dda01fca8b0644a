"""The bare repositories the server hosts (the local forge): made empty, their refs read before and
after a push, and what a push changed, as (ref, before, after) updates."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from conveyor.git.repository import GitRepository
from conveyor.model.events import ZERO_SHA
from conveyor.private_files import private_directory

Refs = Mapping[str, str]  # full ref name -> object id


@dataclass(frozen=True, slots=True)
class RefUpdate:
    """One ref a push changed: created (`before` is zeros), deleted (`after` is zeros) or moved."""

    repository: str  # owner/repo
    ref: str  # refs/heads/main, refs/tags/v1
    before: str
    after: str
    pusher: str  # the principal that pushed (a token's name)

    @property
    def created(self) -> bool:
        return self.before == ZERO_SHA

    @property
    def deleted(self) -> bool:
        return self.after == ZERO_SHA


def hosted_root(home: Path) -> Path:
    """Where the server keeps the repositories it hosts (CONVEYOR_HOME/server/hosted)."""
    return home / "server" / "hosted"


def hosted_repository(home: Path, name: str) -> Path:
    """The bare repository of the hosted OWNER/REPO `name` (a name checked by the caller)."""
    owner, _, repo = name.partition("/")
    return hosted_root(home) / owner / f"{repo}.git"


def init_bare(path: Path, default_branch: str) -> None:
    """An empty bare repository at `path` (private directories) whose HEAD is `default_branch`;
    pushes over HTTP are allowed (the server checks who may push before git runs)."""
    private_directory(path)
    repository = GitRepository(path)
    # --shared=0600: git makes every file 0600 and directory 0700, whatever the umask
    init = ("init", "--quiet", "--bare", "--shared=0600", f"--initial-branch={default_branch}")
    repository.git(*init)
    repository.git("config", "http.receivepack", "true")
    # --shared also denies forced pushes; GitHub takes them
    repository.git("config", "receive.denyNonFastForwards", "false")
    repository.git("config", "receive.denyDeleteCurrent", "warn")


def is_branch_name(name: str) -> bool:
    """Whether git takes `name` as a branch (`git check-ref-format refs/heads/NAME`)."""
    if not name or name.startswith("-"):
        return False
    return GitRepository(Path("/")).try_git("check-ref-format", f"refs/heads/{name}") is not None


def delete_bare(path: Path) -> bool:
    """Remove a hosted repository's data; whether there was any."""
    if not path.is_dir():
        return False
    shutil.rmtree(path)
    return True


def read_refs(path: Path) -> dict[str, str]:
    """The branches and tags of the repository at `path`."""
    out = GitRepository(path).git(
        "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags"
    )
    pairs = (line.partition(" ") for line in out.splitlines())
    return {name: sha for name, _, sha in pairs if sha}


def ref_updates(repository: str, pusher: str, before: Refs, after: Refs) -> list[RefUpdate]:
    """What changed between two readings of the refs, branches first, in name order."""
    names = sorted(set(before) | set(after), key=lambda ref: (not _is_branch(ref), ref))
    return [
        RefUpdate(repository, ref, before.get(ref, ZERO_SHA), after.get(ref, ZERO_SHA), pusher)
        for ref in names
        if before.get(ref) != after.get(ref)
    ]


def _is_branch(ref: str) -> bool:
    return ref.startswith("refs/heads/")
