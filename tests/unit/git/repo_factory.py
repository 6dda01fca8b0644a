"""Small real git repositories for tests, isolated from the user's git configuration."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

_ISOLATION = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}


class TestRepo:
    """A work tree with helpers to commit, branch and tag (dates advance one minute a commit)."""

    __test__ = False  # not a pytest class

    def __init__(self, root: Path) -> None:
        self.root = root
        self._clock = 0

    def git(self, *args: str) -> str:
        self._clock += 60
        stamp = f"{1_700_000_000 + self._clock} +0000"
        env = {**os.environ, **_ISOLATION, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        result = subprocess.run(
            ["git", *args], cwd=self.root, env=env, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
        return result.stdout.strip()

    def commit(self, files: Mapping[str, str | None], message: str) -> str:
        """Write (or, for None, delete) files and commit them; returns the new SHA."""
        for name, content in files.items():
            path = self.root / name
            if content is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.sha("HEAD")

    def sha(self, rev: str) -> str:
        return self.git("rev-parse", f"{rev}^{{commit}}")

    def checkout(self, branch: str, *, create: bool = False, start: str | None = None) -> None:
        args = ["checkout", "-q"] + (["-b", branch] if create else [branch])
        self.git(*args, *([start] if start else []))

    def tag(self, name: str, message: str | None = None, rev: str = "HEAD") -> None:
        self.git("tag", *(["-a", "-m", message] if message else []), name, rev)


def make_repo(root: Path, *, user: str = "Jane Doe", remote: str | None = None) -> TestRepo:
    root.mkdir(parents=True, exist_ok=True)
    repo = TestRepo(root)
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "user.name", user)
    repo.git("config", "user.email", "jane@example.com")
    repo.git("config", "commit.gpgsign", "false")
    repo.git("config", "tag.gpgsign", "false")
    if remote:
        repo.git("remote", "add", "origin", remote)
    return repo


def write_workflow(repo: TestRepo, name: str, text: str) -> None:
    path = repo.root / ".github" / "workflows" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
