"""git against the Git base URL of remote actions: resolve a ref, fetch one commit's tree.

`<base>/<owner>/<repo>` must be cloneable by git (https, ssh, file://). A token is handed to git
in its environment as an `http.extraHeader` (GIT_CONFIG_COUNT/KEY/VALUE): never in argv, never
in a repository's config, and every message from git is masked before anyone sees it.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from conveyor.errors import InfrastructureError

DEFAULT_URL = "https://github.com"
_SHA = re.compile(r"^[0-9a-fA-F]{40}$")
_RESOLVE_TIMEOUT = 120.0
_FETCH_TIMEOUT = 600.0


def is_commit_id(ref: str) -> bool:
    """A full 40-hex commit id (never taken as a tag or a branch name)."""
    return _SHA.match(ref) is not None


@dataclass(frozen=True, slots=True)
class GitRemote:
    """The Git base URL, and the token for private repositories ('' for none)."""

    base_url: str = DEFAULT_URL
    token: str = field(default="", repr=False)

    def url(self, owner: str, repo: str) -> str:
        return f"{self.base_url.rstrip('/')}/{owner}/{repo}"

    def shown_url(self, owner: str, repo: str) -> str:
        """The repository's URL without any password it holds."""
        return self.mask(self.url(owner, repo))

    def resolve(self, owner: str, repo: str, ref: str) -> str:
        """The commit the tag (preferred) or branch `ref` names now (`git ls-remote`)."""
        wanted = [f"refs/tags/{ref}^{{}}", f"refs/tags/{ref}", f"refs/heads/{ref}"]
        try:
            listed = self._git(["ls-remote", "--", self.url(owner, repo), *wanted[1:]], None)
        except InfrastructureError as exc:
            raise InfrastructureError(f"{owner}/{repo}@{ref} cannot be resolved: {exc}") from None
        found: dict[str, str] = {}
        for line in listed.splitlines():
            commit, _, name = line.partition("\t")
            found[name.strip()] = commit.strip()
        for name in wanted:
            if name in found:
                return found[name]
        where = self.shown_url(owner, repo)
        raise InfrastructureError(f"{owner}/{repo} has no tag or branch '{ref}' (at {where})")

    def fetch_tree(self, owner: str, repo: str, commit: str, destination: Path) -> None:
        """Write the tree of `commit` into the existing empty directory `destination`."""
        with tempfile.TemporaryDirectory(prefix=".fetch-", dir=destination.parent) as scratch:
            repository = Path(scratch)
            self._git(["init", "-q", "--bare", str(repository)], None)
            fetch = ["fetch", "-q", "--depth=1", "--no-tags", self.url(owner, repo), commit]
            try:
                self._git(fetch, repository)
            except InfrastructureError as exc:
                raise InfrastructureError(
                    f"{owner}/{repo}@{commit}: the commit could not be fetched from "
                    f"{self.shown_url(owner, repo)}: {exc}"
                ) from None
            checkout = ["--work-tree", str(destination), "checkout", "-q", "-f", commit, "--", "."]
            self._git(checkout, repository)

    def _git(self, args: list[str], repository: Path | None) -> str:
        prefix = ["git", "--git-dir", str(repository)] if repository is not None else ["git"]
        timeout = _RESOLVE_TIMEOUT if args[0] == "ls-remote" else _FETCH_TIMEOUT
        try:
            done = subprocess.run(
                [*prefix, "-c", "advice.detachedHead=false", *args],
                env=self._environment(),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise InfrastructureError(f"git {args[0]} took more than {timeout:.0f}s") from None
        except OSError as exc:
            raise InfrastructureError(f"cannot run git: {exc.strerror or exc}") from None
        if done.returncode != 0:
            raise InfrastructureError(self.mask(_reason(done.stderr) or f"git {args[0]} failed"))
        return done.stdout

    def _environment(self) -> dict[str, str]:
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_ASKPASS": ""}
        env.pop("GIT_DIR", None)
        if self.token:
            count = int(env.get("GIT_CONFIG_COUNT", "0") or 0)
            env["GIT_CONFIG_COUNT"] = str(count + 1)
            env[f"GIT_CONFIG_KEY_{count}"] = "http.extraHeader"
            env[f"GIT_CONFIG_VALUE_{count}"] = f"Authorization: Basic {self._credentials()}"
        return env

    def _credentials(self) -> str:
        return base64.b64encode(f"x-access-token:{self.token}".encode()).decode()

    def mask(self, text: str) -> str:
        """`text` without the token (raw or as sent) nor a password in the base URL."""
        secrets = [self.token, self._credentials()] if self.token else []
        password = urlsplit(self.base_url).password
        if password:
            secrets.append(password)
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


def _reason(text: str) -> str:
    """git's first `fatal:`/`error:` line (else its last line), without the prefix."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                return line.removeprefix(prefix)
    return lines[-1] if lines else ""


__all__ = ["DEFAULT_URL", "GitRemote", "is_commit_id"]
