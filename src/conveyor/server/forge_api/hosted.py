"""`Hosted`: the repository a request names (`/repos/{owner}/{repo}/...`), as the server
serves it — its record, the local forge's rows, its GitHub identity at this server's address,
and its bare git repository when its URL is a local path (hosted repositories are)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from conveyor.git.identity import RepositoryIdentity
from conveyor.git.repository import GitRepository
from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.forge_api.errors import not_found
from conveyor.store.forge_data import ForgeData, forge_data
from conveyor.store.served_repositories import ServedRepository


@dataclass(frozen=True, slots=True)
class Hosted:
    record: ServedRepository
    data: ForgeData
    identity: RepositoryIdentity
    context: ServerContext

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def api(self) -> str:
        """`.../api/v3/repos/owner/repo`"""
        return f"{self.identity.api_url}/repos/{self.name}"

    @property
    def html(self) -> str:
        return self.identity.html_url

    def git(self) -> GitRepository:
        """The bare repository; 404 when the repository is not on this machine."""
        path = Path(self.record.url)
        if not path.is_absolute() or not (path / "HEAD").is_file():
            raise not_found()
        return GitRepository(path)


def server_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def hosted(
    owner: str, repo: str, request: Request, ctx: Annotated[ServerContext, Depends(context)]
) -> Hosted:
    record = ctx.served().get(f"{owner}/{repo}")
    if record is None:
        raise not_found()
    identity = RepositoryIdentity(owner, repo, record.default_branch, server_url(request))
    return Hosted(record, forge_data(ctx.store), identity, ctx)
