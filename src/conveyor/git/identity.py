"""Who and where: the repository's GitHub identity (from its `origin` remote) and the local user.

A repository without a GitHub-like remote is `local/<directory name>` on https://github.com.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from conveyor.git.repository import GitRepository

GITHUB_SERVER_URL = "https://github.com"
_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")


@dataclass(frozen=True, slots=True)
class RepositoryIdentity:
    owner: str
    name: str
    default_branch: str
    server_url: str = GITHUB_SERVER_URL

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def html_url(self) -> str:
        return f"{self.server_url}/{self.full_name}"

    @property
    def api_url(self) -> str:
        if self.server_url == GITHUB_SERVER_URL:
            return "https://api.github.com"
        return f"{self.server_url}/api/v3"

    @property
    def host(self) -> str:
        return urlsplit(self.server_url).netloc


@dataclass(frozen=True, slots=True)
class LocalUser:
    login: str
    name: str
    email: str


def identify(repo: GitRepository) -> RepositoryIdentity:
    parsed = parse_remote_url(repo.config("remote.origin.url") or "")
    if parsed is None:
        return RepositoryIdentity("local", repo.root.name or "repository", repo.default_branch)
    server_url, owner, name = parsed
    return RepositoryIdentity(owner, name, repo.default_branch, server_url)


def local_user(repo: GitRepository) -> LocalUser:
    name = repo.config("user.name") or "conveyor"
    email = repo.config("user.email") or f"{name}@localhost"
    return LocalUser(re.sub(r"\s+", "-", name.strip()) or "conveyor", name, email)


def parse_remote_url(url: str) -> tuple[str, str, str] | None:
    """(server URL, owner, name) of a GitHub-style remote URL, or None (e.g. a local path)."""
    url = url.strip()
    if not url:
        return None
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme == "file" or not parts.hostname:
            return None
        host, path = parts.hostname, parts.path
    else:
        match = _SCP_LIKE.match(url)
        if match is None:
            return None
        host, path = match["host"], match["path"]
    segments = [s for s in path.strip("/").removesuffix(".git").split("/") if s]
    if len(segments) < 2:
        return None
    return f"https://{host}", segments[-2], segments[-1]
