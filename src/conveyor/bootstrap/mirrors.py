"""The server's copies of its repositories, under CONVEYOR_HOME/server (private directories):

mirrors/OWNER/REPO.git   a bare mirror of the registered URL or path; an event's commits are
                         fetched into it (push `after` and `before`, a pull request's head
                         and base) before anything reads them
views/OWNER/REPO         a `git clone --shared --no-checkout` of the mirror: a repository
                         with a `.git` that `conveyor run`'s pieces read workflows from (at
                         the event's commit) and clone job workspaces from; no working files

A worker (`conveyor worker`) keeps the same layout under CONVEYOR_HOME/worker, its mirrors
fetched from the server (`conveyor.bootstrap.worker_source`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from conveyor.errors import UsageError
from conveyor.git import GitRepository
from conveyor.private_files import private_directory

REFSPECS = ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*", "+refs/pull/*:refs/pull/*")
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock(name: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(name, threading.Lock())


class Mirror:
    """The mirror and the view of one served repository."""

    def __init__(self, home: Path, name: str, url: str, *, root: str = "server") -> None:
        owner, _, repo = name.partition("/")
        if not owner or not repo or {owner, repo} & {".", ".."} or "/" in repo:
            raise UsageError(f"{name!r} is not a repository name (OWNER/REPO)")
        self.name = name
        self.url = url
        self.bare = home / root / "mirrors" / owner / f"{repo}.git"
        self.view = home / root / "views" / owner / repo
        self.default_branch = "main"
        self._ready = False
        self._known: set[str] = set()
        # git's environment to reach `url` (a forge's token as an http.extraHeader: never in
        # the URL, argv or the mirror's config)
        self.git_env: Callable[[], Mapping[str, str]] = dict
        # where `fetch` fetches from: the remote `origin`, or a URL (a worker's: one per job,
        # so that jobs fetching at once never use each other's URL)
        self.source = "origin"

    def ensure(self) -> None:
        """Make the mirror and the view when they are not there yet (once per process: the
        mirror's origin is set to the registered URL, which may have changed)."""
        if self._ready:
            return
        with _lock(self.name):
            if not (self.bare / "HEAD").exists():
                private_directory(self.bare)
                _git(self.bare, "init", "--quiet", "--bare")
                _git(self.bare, "remote", "add", "origin", self.url)
            else:
                _git(self.bare, "remote", "set-url", "origin", self.url)
            if not (self.view / ".git").exists():
                private_directory(self.view.parent)
                clone = ("clone", "--quiet", "--shared", "--no-checkout")
                _git(self.view.parent, *clone, str(self.bare), str(self.view))
            self._ready = True

    def has(self, sha: str) -> bool:
        if sha in self._known:
            return True
        found = GitRepository(self.bare).find_commit(sha) is not None
        if found and len(sha) in (40, 64):  # a full commit id stays in the mirror
            self._known.add(sha)
        return found

    def fetch(self, wanted: Iterable[str] = ()) -> bool:
        """Fetch the branches, tags and pull requests when a wanted commit is missing (or when
        none is named: a ref's head is asked); whether it fetched."""
        wanted = tuple(sha for sha in wanted if sha)
        missing = [sha for sha in wanted if not self.has(sha)]
        if wanted and not missing:
            return False
        with _lock(self.name):
            env = dict(self.git_env())
            _git(self.bare, "fetch", "--quiet", "--prune", self.source, *REFSPECS, env=env)
            for sha in missing:
                if not self.has(sha):  # not on any ref: ask for the commit itself
                    GitRepository(self.bare).try_git("fetch", "--quiet", self.source, sha, env=env)
            # The view's refs follow the mirror's (events name refs: a release's tag).
            _git(self.view, "fetch", "--quiet", "--update-head-ok", "--prune", "origin", *REFSPECS)
        return True

    def resolve(self, ref: str) -> str:
        """The commit `ref` (refs/heads/x, refs/tags/v1) names in the mirror."""
        found = GitRepository(self.bare).find_commit(ref)
        if found is None:
            raise UsageError(f"{self.name} has no {ref} (after fetching {self.url})")
        return found


def _git(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    return GitRepository(cwd).git(*args, env=env or None)
