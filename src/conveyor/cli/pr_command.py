"""`conveyor pr create|list|view|merge|close`: the local forge's pull requests, through its
GitHub-shaped API (`/api/v3/repos/OWNER/REPO/pulls`) — on a server (`--server URL --token T`, a
write token to change anything) or, without `--server`, on the local store of the server's
machine (the same API answered in this process; the `pull_request` runs it starts are queued
for the running server's pool).

    conveyor pr create --repo acme/app --head feature --base main --title T --body-file F
    conveyor pr list [--repo acme/app] [--state open|closed|all] [--json]
    conveyor pr merge 1 --repo acme/app [--method merge|squash|rebase]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from conveyor.cli.pr_client import PullsClient, open_client
from conveyor.cli.server_client import server_options
from conveyor.errors import UsageError

REPO = click.option("--repo", "repo", required=True, metavar="OWNER/REPO", help="The repository.")


@click.group("pr")
def pr_command() -> None:
    """Pull requests of the repositories the server hosts (the local forge)."""


@pr_command.command("create")
@REPO
@click.option("--head", required=True, metavar="BRANCH", help="The branch to merge.")
@click.option("--base", required=True, metavar="BRANCH", help="The branch to merge into.")
@click.option("--title", required=True)
@click.option("--body", help="The description (Markdown).")
@click.option(
    "--body-file", type=click.Path(dir_okay=False, path_type=Path), help="Read it from a file."
)
@click.option("--draft", is_flag=True, help="Open it as a draft.")
@server_options
def create_pr(
    repo: str, head: str, base: str, title: str, body: str | None, body_file: Path | None,
    draft: bool, server: str | None, token: str | None,
) -> None:  # fmt: skip
    """Open a pull request (its `pull_request: opened` runs start)."""
    text = _body(body, body_file)
    fields = {"head": head, "base": base, "title": title, "body": text, "draft": draft}
    with open_client(server, token, repo) as client:
        made = client.call("POST", f"/repos/{repo}/pulls", what=repo, json=fields)
    click.echo(f"opened {repo}#{made['number']}: {title} ({head} -> {base})")
    click.echo(str(made["html_url"]))


def _body(given: str | None, path: Path | None) -> str | None:
    if given is not None and path is not None:
        raise UsageError("--body and --body-file cannot be used together")
    if path is None:
        return given
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read the body: {error}") from None


@pr_command.command("list")
@click.option("--repo", metavar="OWNER/REPO", help="One repository (default: every hosted one).")
@click.option(
    "--state", type=click.Choice(["open", "closed", "all"]), default="open", show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@server_options
def list_prs(
    repo: str | None, state: str, as_json: bool, server: str | None, token: str | None
) -> None:
    """The pull requests."""
    with open_client(server, token, repo) as client:
        names = [repo] if repo else client.hosted_repositories()
        rows = [row(name, pull) for name in names for pull in client.pulls(name, state)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(f"no {'' if state == 'all' else state + ' '}pull requests")
    for one in rows:
        where = f"{one['head']} -> {one['base']}"
        click.echo(f"{one['repository']}#{one['number']}\t{one['state']}\t{where}\t{one['title']}")


def row(repository: str, pull: dict[str, Any]) -> dict[str, object]:
    merged = pull.get("merged_at") is not None
    return {
        "repository": repository,
        "number": pull["number"],
        "title": pull["title"],
        "state": "merged" if merged else pull["state"],
        "head": pull["head"]["ref"],
        "base": pull["base"]["ref"],
        "author": (pull.get("user") or {}).get("login"),
        "url": pull["html_url"],
    }


@pr_command.command("view")
@click.argument("number", type=click.IntRange(min=1))
@REPO
@click.option("--json", "as_json", is_flag=True, help="As GitHub's JSON.")
@server_options
def view_pr(number: int, repo: str, as_json: bool, server: str | None, token: str | None) -> None:
    """One pull request: its title, state, branches and description."""
    with open_client(server, token, repo) as client:
        pull = client.pull(repo, number)
    if as_json:
        click.echo(json.dumps(pull, indent=2))
        return
    shown = row(repo, pull)
    click.echo(f"{repo}#{number}: {shown['title']}")
    click.echo(f"{shown['state']}\t{shown['head']} -> {shown['base']}\tby {shown['author']}")
    click.echo(str(shown["url"]))
    if pull.get("body"):
        click.echo("")
        click.echo(str(pull["body"]))


@pr_command.command("merge")
@click.argument("number", type=click.IntRange(min=1))
@REPO
@click.option(
    "--method", type=click.Choice(["merge", "squash", "rebase"]), default="merge",
    show_default=True, help="A merge commit, one squashed commit, or the commits rebased.",
)  # fmt: skip
@server_options
def merge_pr(number: int, repo: str, method: str, server: str | None, token: str | None) -> None:
    """Merge a pull request into its base branch (its required checks must have passed)."""
    with open_client(server, token, repo) as client:
        done = client.call(
            "PUT", f"/repos/{repo}/pulls/{number}/merge", what=f"{repo}#{number}",
            json={"merge_method": method},
        )  # fmt: skip
    click.echo(f"merged {repo}#{number} ({method}): {done['sha']}")


@pr_command.command("close")
@click.argument("number", type=click.IntRange(min=1))
@REPO
@server_options
def close_pr(number: int, repo: str, server: str | None, token: str | None) -> None:
    """Close a pull request without merging it."""
    with open_client(server, token, repo) as client:
        client.call(
            "PATCH", f"/repos/{repo}/pulls/{number}", what=f"{repo}#{number}",
            json={"state": "closed"},
        )  # fmt: skip
    click.echo(f"closed {repo}#{number}")


__all__ = ["PullsClient", "pr_command"]
