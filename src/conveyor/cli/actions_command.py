"""`conveyor actions pull|list|prune`: the cache of remote actions (docs/actions.md)."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from conveyor.bootstrap.actions_wiring import actions_settings, remote_actions
from conveyor.bootstrap.settings import load_settings
from conveyor.cli.runs_command import iso
from conveyor.cli.secrets_command import REPO
from conveyor.errors import UsageError

if TYPE_CHECKING:
    from conveyor.git.action_cache import ActionCache, CachedAction

_DAY = 86400.0


@click.group("actions")
def actions_command() -> None:
    """Fetch, list and prune the cached remote actions and reusable workflows."""


@actions_command.command("pull")
@click.argument("actions", nargs=-1, metavar="OWNER/REPO@REF...")
@click.option(
    "--all", "every", is_flag=True, help="Every remote `uses:` of the repository's workflows."
)
@REPO
def pull_command(actions: tuple[str, ...], every: bool, repo: Path) -> int:
    """Fetch OWNER/REPO@REF... (or, with --all, every remote action and reusable workflow the
    workflows of --repo use, and what those use) into the cache for offline runs."""
    from conveyor.actions import default_registry
    from conveyor.bootstrap.action_pulls import parse_pull, pull
    from conveyor.bootstrap.repositories import repository_root

    wanted = list(actions)
    if every:
        wanted += _workflow_uses(repo)
    if not wanted:
        raise UsageError("name the actions to pull (owner/repo@ref), or give --all")
    for uses in wanted:
        parse_pull(uses)
    root = repository_root(repo)
    settings = dataclasses.replace(actions_settings(root), offline=False)  # pull fetches
    resolver = remote_actions(load_settings().home, settings)
    failed = 0
    for result in pull(resolver, default_registry(), wanted, follow=every):
        if result.state == "failed":
            failed += 1
            click.echo(f"{result.uses}: {result.error}", err=True)
        else:
            click.echo(" ".join(filter(None, (result.uses, result.commit[:12], result.state))))
    return 1 if failed else 0


def _workflow_uses(repo: Path) -> list[str]:
    from conveyor.bootstrap.action_pulls import remote_uses
    from conveyor.bootstrap.repositories import repository_root
    from conveyor.bootstrap.workflow_files import load_workflow_files

    files = load_workflow_files(repository_root(repo), None)
    return remote_uses(file.workflow for file in files if file.workflow is not None)


@actions_command.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per entry.")
def list_command(as_json: bool) -> None:
    """The cached actions: repository, refs, commit, size, when fetched and last used."""
    entries = _cache().entries()
    if as_json:
        for entry in entries:
            click.echo(json.dumps(_entry_json(entry)))
        return
    if not entries:
        click.echo("no cached actions")
        return
    click.echo(f"{'ACTION':30} {'REFS':16} {'COMMIT':12} {'SIZE':>9}  {'FETCHED':20}  LAST USED")
    for entry in entries:
        refs = ",".join(entry.refs) or "-"
        click.echo(
            f"{entry.repository:30} {refs:16} {entry.commit[:12]:12} {_size(entry.size):>9}  "
            f"{iso(entry.fetched):20}  {iso(entry.used)}"
        )


@actions_command.command("prune")
@click.option("--all", "every", is_flag=True, help="Remove every cached action.")
@click.option(
    "--older-than",
    "days",
    type=click.FloatRange(min=0),
    metavar="DAYS",
    help="Remove the entries no run used for DAYS days.",
)
def prune_command(every: bool, days: float | None) -> None:
    """Remove cached actions: by default those no tag or branch names any more (a moved tag's
    old commit); --older-than DAYS those unused that long; --all everything."""
    cache = _cache()
    now = time.time()
    removed = [entry for entry in cache.entries() if _prunable(entry, every, days, now)]
    for entry in removed:
        cache.remove(entry)
    click.echo(f"removed {len(removed)} cached action(s), {_size(sum(e.size for e in removed))}")


def _prunable(entry: CachedAction, every: bool, days: float | None, now: float) -> bool:
    if every:
        return True
    if days is not None:
        return now - entry.used > days * _DAY
    return not entry.refs  # no tag or branch names it any more


def _cache() -> ActionCache:
    from conveyor.git.action_cache import ActionCache, cache_root

    return ActionCache(cache_root(load_settings().home))


def _entry_json(entry: CachedAction) -> dict[str, object]:
    return {
        "repository": entry.repository,
        "commit": entry.commit,
        "refs": list(entry.refs),
        "size": entry.size,
        "fetched_at": iso(entry.fetched),
        "used_at": iso(entry.used),
        "path": str(entry.directory),
    }


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    scaled = size / 1024
    for unit in ("KiB", "MiB"):
        if scaled < 1024:
            return f"{scaled:.1f} {unit}"
        scaled /= 1024
    return f"{scaled:.1f} GiB"
