"""The forge `conveyor serve` reports to, from the settings: `CONVEYOR_FORGE_*` variables, then
the `[forge]` table of the user's config.toml.

    [forge]
    kind = "github"
    api_url = "https://api.github.com"        # GHES: https://HOST/api/v3
    app_id = "12345"
    private_key_file = "/etc/conveyor/app.pem"
    installation_id = "678"
    # or: token = "ghp_..."  (CONVEYOR_FORGE_TOKEN)
    conveyor_url = "https://ci.example.com"   # this server, for the checks' details links

`wire_forge` makes the GitHub adapter and the reporting pipeline (None when no forge is set):
the server's forge loop drains the queue; served runs of repositories registered with
`--forge github` report through a `ForgeObserver`."""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from conveyor.bootstrap.forge_observer import ForgeObserver, ReportTarget
from conveyor.bootstrap.forge_reports import ForgeReports
from conveyor.bootstrap.forge_tokens import ForgeJobs, from_fork, token_jobs
from conveyor.bootstrap.settings import read_config, user_config_path
from conveyor.engine.ports.forge import Forge
from conveyor.engine.ports.store import StoredRequest, StoredRun
from conveyor.errors import ConveyorError, UsageError
from conveyor.forge.github import GitHubForge
from conveyor.forge.github_config import GITHUB_API, GitHubConfig
from conveyor.store.database import Database
from conveyor.store.forge_outbox import SqlCheckRunIds, SqlForgeOutbox
from conveyor.store.served_repositories import ServedRepositories

log = logging.getLogger("conveyor.forge")
PREFIX = "CONVEYOR_FORGE_"
FIELDS = ("kind", "api_url", "app_id", "private_key_file", "installation_id", "token")


@dataclass(frozen=True, slots=True)
class ForgeSettings:
    config: GitHubConfig
    conveyor_url: str


def forge_values(environ: Mapping[str, str], table: Mapping[str, object]) -> dict[str, str]:
    """The `[forge]` values, each variable `CONVEYOR_FORGE_<NAME>` over the file's `name`."""
    names = (*FIELDS, "conveyor_url", "timeout")
    values = {name: str(table[name]) for name in names if name in table}
    values |= {
        name: environ[PREFIX + name.upper()] for name in names if environ.get(PREFIX + name.upper())
    }
    return values


def forge_settings(
    environ: Mapping[str, str] | None = None, table: Mapping[str, object] | None = None
) -> ForgeSettings | None:
    """The configured forge; None when `kind` is unset; a UsageError for a bad setting."""
    env = os.environ if environ is None else environ
    if table is None:
        forge_table = read_config(user_config_path()).data.get("forge", {})
        table = forge_table if isinstance(forge_table, Mapping) else {}
    values = forge_values(env, table)
    kind = values.get("kind", "")
    if not kind:
        return None
    if kind != "github":
        raise UsageError(f"forge.kind: unknown forge {kind!r} (known: github)")
    return ForgeSettings(_github(values), values.get("conveyor_url", "").rstrip("/"))


def _github(values: Mapping[str, str]) -> GitHubConfig:
    key_file = values.get("private_key_file", "")
    app_id, installation = values.get("app_id", ""), values.get("installation_id", "")
    api_url = values.get("api_url", GITHUB_API)
    if key_file and app_id and installation:
        key = _read_key(Path(key_file))
        return GitHubConfig(api_url, app_id, key, installation)
    if values.get("token"):
        return GitHubConfig(api_url, token=values["token"])
    raise UsageError(
        "forge: a GitHub App (app_id, private_key_file, installation_id) or a token is required"
    )


def _read_key(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise UsageError(f"{path}: cannot read the GitHub App's private key: {error}") from None


@dataclass
class ForgeWiring:
    """The reporting pipeline of a server: the queue the forge loop drains, and an observer
    per served run of a repository that reports to the forge."""

    reports: ForgeReports
    repositories: ServedRepositories
    conveyor_url: str
    forge: Forge

    def observer(self, run: StoredRun, attempt: int) -> ForgeObserver | None:
        if not self._reported(run.repository) or not run.sha:
            return None
        target = ReportTarget(
            run.repository, run.sha, run.id, attempt, run.workflow, self.conveyor_url
        )
        return ForgeObserver(self.reports, target)

    def jobs(self, request: StoredRequest) -> ForgeJobs | None:
        """The forge's job tokens for a run of a `--forge github` repository."""
        if not self._reported(request.run.repository):
            return None
        fork = from_fork(request.run.event, request.event_payload)
        return token_jobs(self.forge, request.run.repository, fork)

    def git_env(self, name: str) -> dict[str, str]:
        """git's environment to fetch `name` from the forge: a read token as extraHeader."""
        if not self._reported(name):
            return {}
        try:
            token = self.forge.job_token(name, {"contents": "read"}).value
        except ConveyorError as error:  # git says what it cannot fetch
            log.warning("no token to fetch %s: %s", name, error)
            return {}
        return token_header(token) if token else {}

    def _reported(self, name: str) -> bool:
        repository = self.repositories.get(name)
        return repository is not None and repository.forge == "github"


def token_header(token: str) -> dict[str, str]:
    """GIT_CONFIG_* variables giving git the token as an http.extraHeader (as remote actions
    do: never in a URL, argv or a config file)."""
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    count = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
    return {
        "GIT_CONFIG_COUNT": str(count + 1),
        f"GIT_CONFIG_KEY_{count}": "http.extraHeader",
        f"GIT_CONFIG_VALUE_{count}": f"Authorization: Basic {basic}",
    }


def wire_forge(
    database: Database,
    repositories: ServedRepositories,
    settings: ForgeSettings | None,
    listening_url: str,
) -> ForgeWiring | None:
    if settings is None:
        return None
    forge = GitHubForge(settings.config, check_ids=SqlCheckRunIds(database))
    reports = ForgeReports(forge, SqlForgeOutbox(database))
    return ForgeWiring(reports, repositories, settings.conveyor_url or listening_url, forge)
