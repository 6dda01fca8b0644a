"""The real `git` client against the server's hosted repositories (the local forge), over smart
HTTP with a conveyor token as the Basic password; no credential helper or prompt, a private HOME.

    client = GitClient(tmp_path)
    done = client.run(work, "push", client.url(base, "acme/app", token), "main")
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tests.support.serve_process import cli_ok

IDENTITY = ("-c", "user.name=Mona Lisa", "-c", "user.email=mona@example.com")
NO_HELPERS = ("-c", "credential.helper=", "-c", "commit.gpgsign=false")


@dataclass
class GitClient:
    root: Path  # a private HOME for git

    def env(self) -> dict[str, str]:
        home = self.root / "git-home"
        home.mkdir(exist_ok=True)
        return {
            "PATH": os.environ["PATH"],
            "HOME": str(home),
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_CONFIG_NOSYSTEM": "1",
            "LANG": "C",
        }

    def run(self, cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *IDENTITY, *NO_HELPERS, *args],
            cwd=cwd, env=self.env(), capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip

    def ok(self, cwd: Path, *args: str) -> str:
        done = self.run(cwd, *args)
        assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
        return done.stdout.strip()

    @staticmethod
    def url(base: str, name: str, token: str | None, user: str = "x-access-token") -> str:
        parts = urlsplit(base)
        auth = f"{user}:{token}@" if token else ""
        return f"{parts.scheme}://{auth}{parts.netloc}/{name}.git"

    def commit(self, work: Path, files: dict[str, str | bytes], message: str) -> str:
        for relative, content in files.items():
            path = work / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        self.ok(work, "add", "-A")
        self.ok(work, "commit", "-q", "--allow-empty", "-m", message)
        return self.ok(work, "rev-parse", "HEAD")


def hosted_app(
    tmp_path: Path, files: dict[str, str], message: str = "the workflow"
) -> tuple[Path, str, GitClient, Path]:
    """A conveyor home (`tmp_path/home`) with an admin token of `mona` and the hosted repository
    `acme/app`; a work tree (`tmp_path/work`) whose `main` holds `files` in one commit. Returns
    the home, the token, the git client and the work tree."""
    home = tmp_path / "home"
    token = cli_ok(home, "tokens", "create", "--name", "mona", "--role", "admin").strip()
    cli_ok(home, "repos", "create", "acme/app")
    git, work = GitClient(tmp_path), tmp_path / "work"
    git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
    git.commit(work, files, message)
    return home, token, git, work
