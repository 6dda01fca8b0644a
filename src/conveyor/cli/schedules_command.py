"""`conveyor schedules [REPO]`: when each `schedule:` cron of the default branch's workflows
fires next — of a repository on disk, or (`--server`) of every repository a server schedules,
with when each last fired."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import click

from conveyor.cli.server_client import ServerClient, server_options
from conveyor.errors import UsageError

Row = Mapping[str, object]


@click.command("schedules")
@click.argument("repo", type=click.Path(path_type=Path), default=".")
@click.option("--after", metavar="TIME", help="Fire times after TIME (ISO 8601; default: now).")
@click.option("--repo", "repository", metavar="OWNER/REPO", help="With --server: only this one.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@server_options
def schedules_command(
    repo: Path,
    after: str | None,
    repository: str | None,
    as_json: bool,
    server: str | None,
    token: str | None,
) -> None:
    """List the scheduled workflows and their next fire times (UTC)."""
    if server:
        rows, empty = remote_rows(ServerClient(server.rstrip("/"), token), repository), "the server"
    else:
        rows, empty = local_rows(repo, parse_after(after))
    if as_json:
        click.echo(json.dumps(list(rows), indent=2))
    elif not rows:
        click.echo(f"no scheduled workflows on {empty}", err=True)
    else:
        click.echo(render_table(rows, remote=bool(server)))


def parse_after(text: str | None) -> float:
    if text is None:
        return time.time()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--after expects an ISO 8601 time, got {text!r}") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def local_rows(path: Path, now: float) -> tuple[list[Row], str]:
    """The schedules of the repository containing `path`, at its default branch."""
    from conveyor.git import GitRepository
    from conveyor.server.repository_workflows import GitRepositoryWorkflows
    from conveyor.server.schedules import iso_utc, schedule_entries

    git = GitRepository.open(path)
    name = f"local/{git.root.name}"
    source = GitRepositoryWorkflows({name: (git.root, None)})
    rows: list[Row] = [
        {
            "repository": entry.repository,
            "workflow": entry.path,
            "name": entry.name,
            "cron": entry.cron,
            "timezone": entry.timezone,
            "next": iso_utc(entry.next),
            "last": None,
        }
        for entry in schedule_entries(source, now)
    ]
    return rows, f"the default branch ({git.default_branch})"


def remote_rows(client: ServerClient, repository: str | None) -> list[Row]:
    params = {"repo": repository} if repository else {}
    answer = client.request("GET", "/api/v1/schedules", what="the listing", params=params)
    found = answer.json().get("schedules", [])
    return [row for row in found if isinstance(row, dict)]


def render_table(rows: Sequence[Row], *, remote: bool) -> str:
    header = ["WORKFLOW", "NAME", "CRON", "NEXT (UTC)"]
    if remote:
        header = ["REPOSITORY", *header, "LAST (UTC)"]
    lines = [header] + [_cells(row, remote=remote) for row in rows]
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def _cells(row: Row, *, remote: bool) -> list[str]:
    cron = str(row["cron"]) + (f" ({row['timezone']})" if row.get("timezone") else "")
    cells = [str(row["workflow"]), str(row["name"]), cron, _shown(row.get("next"))]
    return [str(row["repository"]), *cells, _shown(row.get("last"))] if remote else cells


def _shown(iso: object) -> str:
    return "-" if not isinstance(iso, str) else iso.replace("T", " ")[:16]
