"""`conveyor pr create|list|view|merge|close` on the local store (the server's machine) and on a
server (`--server URL --token T`, real HTTP): the local forge's pull requests, opened with their
`pull_request` event; bad input is one line and exit 2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.engine.ports.run_history import RunQuery
from conveyor.server.hosting import create_hosted
from conveyor.server.token_verifier import StoreTokenVerifier
from conveyor.store.api_tokens import SqlTokenStore
from conveyor.store.handle import StoreHandle, open_store
from conveyor.store.served_repositories import served_repositories
from tests.support.hosted_git import GitClient
from tests.unit.server.served import served_app
from tests.unit.store.cli_helpers import Cli, make_cli

cli_fixture = pytest.fixture(name="cli")(make_cli)
CI = (
    "on: pull_request\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: true\n"
)


@pytest.fixture
def hosted(conveyor_home: Path, tmp_path: Path) -> Iterator[StoreHandle]:
    """acme/app hosted, with `main` and a `feature` one commit ahead."""
    store = open_store(conveyor_home)
    made = create_hosted(conveyor_home, served_repositories(store), "acme/app")
    git, work = GitClient(tmp_path), tmp_path / "work"
    git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
    git.commit(work, {".github/workflows/ci.yml": CI}, "CI")
    git.ok(work, "switch", "-q", "-c", "feature")
    git.commit(work, {"app.py": "print(1)\n"}, "feature")
    git.ok(work, "push", "-q", made.url, "main", "feature")
    try:
        yield store
    finally:
        store.close()


def pr_flow(cli: Cli, tmp_path: Path, *remote: str) -> list[str]:
    body = tmp_path / "body.md"
    body.write_text("Adds **app.py**\n")
    made = cli("pr", "create", "--repo", "acme/app", "--head", "feature", "--base", "main",
               "--title", "Add app", "--body-file", str(body), *remote)  # fmt: skip
    assert made.code == 0, made.err
    listed = cli("pr", "list", "--repo", "acme/app", "--json", *remote)
    assert listed.code == 0, listed.err
    (row,) = json.loads(listed.out)
    assert (row["number"], row["title"], row["state"]) == (1, "Add app", "open")
    assert (row["head"], row["base"]) == ("feature", "main")
    viewed = cli("pr", "view", "1", "--repo", "acme/app", *remote)
    assert viewed.code == 0, viewed.err
    assert "Adds **app.py**" in viewed.out
    merged = cli("pr", "merge", "1", "--repo", "acme/app", "--method", "squash", *remote)
    assert merged.code == 0, merged.err
    closed = cli("pr", "list", "--state", "closed", *remote)
    assert "acme/app#1" in closed.out
    again = cli("pr", "merge", "1", "--repo", "acme/app", *remote)
    return [made.out, merged.out, f"{again.code} {again.err}"]


def test_pr_commands_on_the_local_store(hosted: StoreHandle, cli: Cli, tmp_path: Path) -> None:
    made, merged, again = pr_flow(cli, tmp_path)
    assert "opened acme/app#1" in made
    assert "merged acme/app#1 (squash)" in merged
    assert again.startswith("2 ")
    assert "Pull Request is not mergeable" in again
    events = [(r.event, r.sha) for r in hosted.runs.list_runs(RunQuery())]
    assert [event for event, _ in events] == ["pull_request"]  # queued for the server's pool


def test_pr_commands_on_a_server(
    hosted: StoreHandle, cli: Cli, conveyor_home: Path, tmp_path: Path
) -> None:
    token = SqlTokenStore(hosted.database).create("mona", "write")  # type: ignore[arg-type]
    with served_app(conveyor_home, hosted, pool=False) as (wired, url):
        wired.context.tokens = StoreTokenVerifier.of(hosted)
        made, merged, again = pr_flow(cli, tmp_path, "--server", url, "--token", token)
        refused = cli("pr", "list", "--server", url, "--token", "nope")
    assert "opened acme/app#1" in made
    assert f"{url}/acme/app/pull/1" in made
    assert "merged acme/app#1" in merged
    assert again.startswith("2 ")
    assert "Pull Request is not mergeable" in again
    assert refused.code == 2
    assert token not in refused.err


def test_bad_input_is_one_line_and_exit_2(hosted: StoreHandle, cli: Cli, tmp_path: Path) -> None:
    base = ("pr", "create", "--repo", "acme/app", "--base", "main", "--title", "T")
    missing = cli(*base, "--head", "feature", "--body-file", str(tmp_path / "absent.md"))
    assert missing.code == 2
    assert "absent.md" in missing.err
    same = cli(*base, "--head", "main")
    assert same.code == 2
    assert "No commits between main and main" in same.err
    unknown = cli("pr", "view", "1", "--repo", "acme/nope")
    assert unknown.code == 2
    assert "acme/nope" in unknown.err
    nothing = cli("pr", "view", "7", "--repo", "acme/app")
    assert nothing.code == 2
    assert "#7" in nothing.err
    for outcome in (missing, same, unknown, nothing):
        assert "Traceback" not in outcome.err


def test_a_protected_branch_refuses_the_merge_until_its_checks_pass(
    hosted: StoreHandle, cli: Cli, conveyor_home: Path, tmp_path: Path
) -> None:
    from conveyor.store.forge_data import forge_data
    from conveyor.store.forge_records import CheckRunFields

    protected = cli("repos", "protect", "acme/app", "--branch", "main", "--require-check", "build")
    assert protected.code == 0, protected.err
    assert "main of acme/app requires: build" in protected.out
    assert cli("pr", "create", "--repo", "acme/app", "--head", "feature", "--base", "main",
               "--title", "T").code == 0  # fmt: skip
    refused = cli("pr", "merge", "1", "--repo", "acme/app")
    assert refused.code == 2
    assert 'Required status check "build" is expected.' in refused.err
    data = forge_data(hosted)
    head = data.pulls.get("acme/app", 1).head_sha  # type: ignore[union-attr]
    done = CheckRunFields(status="completed", conclusion="success")
    data.checks.create_run("acme/app", head, "build", done)
    assert cli("pr", "merge", "1", "--repo", "acme/app").code == 0
    token = SqlTokenStore(hosted.database).create("root", "admin")  # type: ignore[arg-type]
    with served_app(conveyor_home, hosted, pool=False) as (wired, url):
        wired.context.tokens = StoreTokenVerifier.of(hosted)
        remote = ("--server", url, "--token", token)
        cleared = cli("repos", "protect", "acme/app", "--branch", "main", "--clear", *remote)
        missing = cli("repos", "protect", "acme/app", "--branch", "nope", "--require-check", "x",
                      *remote)  # fmt: skip
    assert cleared.code == 0, cleared.err
    assert data.protections.get("acme/app", "main") is None
    assert missing.code == 2
    assert "Branch not found" in missing.err


def test_the_local_store_mode_starts_no_background_work(
    hosted: StoreHandle, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`conveyor pr` answers in its own process: the server's schedule and forge loops (its
    lifespan) must not start there, or a `pr list` could fire a scheduled workflow."""
    from tests.unit.cli import background_probe

    monkeypatch.setattr("conveyor.server.app.BACKGROUND", ("tests.unit.cli.background_probe",))
    background_probe.STARTED.clear()
    listed = cli("pr", "list", "--repo", "acme/app")
    assert listed.code == 0, listed.err
    assert background_probe.STARTED == []
