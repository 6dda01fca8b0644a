"""`conveyor schedules`: the next fire time of each cron entry, from a repository's default
branch on disk or from a running server's `GET /api/v1/schedules` (real uvicorn)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conveyor.cli.main import run_cli
from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter, FakeTokens
from conveyor.server.principals import Principal, Role
from conveyor.store.database import Database
from conveyor.store.handle import opened_store
from conveyor.store.schedule_claims import SqlScheduleClaims
from tests.support.http_server import running_app
from tests.unit.server.schedule_helpers import CI, NIGHTLY, at, scheduled_repository, source_for

TWICE = NIGHTLY.replace(
    "    - cron: '*/15 * * * *'\n",
    "    - cron: '*/15 * * * *'\n    - cron: '30 5 * * MON'\n      timezone: Europe/Paris\n",
)
TOKENS = FakeTokens({"r-token": Principal("reader", Role.READ)})


def schedules(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run_cli(["schedules", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_table_of_a_repository_on_disk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _ = scheduled_repository(tmp_path / "app", {"nightly.yml": TWICE, "ci.yml": CI})
    repo.checkout("feature", create=True)  # the default branch counts, not the checkout
    repo.commit({".github/workflows/other.yml": NIGHTLY.replace("Nightly", "Other")}, "x")
    code, out, err = schedules(capsys, str(repo.root), "--after", "2026-03-02T10:01:00Z")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "WORKFLOW                       NAME     CRON                         NEXT (UTC)",
        ".github/workflows/nightly.yml  Nightly  */15 * * * *                 2026-03-02 10:15",
        ".github/workflows/nightly.yml  Nightly  30 5 * * MON (Europe/Paris)  2026-03-09 04:30",
    ]


def test_json_and_a_repository_without_schedules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _ = scheduled_repository(tmp_path / "app", {"nightly.yml": NIGHTLY})
    code, out, _ = schedules(capsys, str(repo.root), "--after", "2026-03-02T10:01:00Z", "--json")
    assert code == 0
    assert json.loads(out) == [
        {
            "repository": "local/app",
            "workflow": ".github/workflows/nightly.yml",
            "name": "Nightly",
            "cron": "*/15 * * * *",
            "timezone": None,
            "next": "2026-03-02T10:15:00Z",
            "last": None,
        }
    ]
    bare, _ = scheduled_repository(tmp_path / "bare", {"ci.yml": CI})
    code, out, err = schedules(capsys, str(bare.root))
    assert (code, out) == (0, "")
    assert err == "no scheduled workflows on the default branch (main)\n"


def test_a_bad_after_time_or_a_missing_directory_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = schedules(capsys, str(tmp_path), "--after", "tomorrow")
    assert code == 2
    assert "--after expects an ISO 8601 time" in err
    code, _, err = schedules(capsys, str(tmp_path / "nowhere"))
    assert code == 2


@pytest.fixture
def served(tmp_path: Path, conveyor_home: Path) -> Iterator[str]:
    repo, _ = scheduled_repository(tmp_path / "repo", {"nightly.yml": NIGHTLY})
    with opened_store(conveyor_home) as store:
        assert isinstance(store.database, Database)
        SqlScheduleClaims(store.database).claim(
            "acme/app", ".github/workflows/nightly.yml", at(10, 0), "*/15 * * * *", "test"
        )
        context = ServerContext(conveyor_home, store, FakeStarter(), FakeControl(), TOKENS)
        context.workflows, context.clock = source_for(repo), lambda: at(10, 1)
        with running_app(create_app(context)) as base_url:
            yield base_url


def test_a_server_lists_its_schedules_with_the_last_firing(
    served: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = schedules(capsys, "--server", served, "--token", "r-token", "--json")
    assert (code, err) == (0, "")
    [row] = json.loads(out)
    assert row["repository"] == "acme/app"
    assert (row["next"], row["last"]) == ("2026-03-02T10:15:00Z", "2026-03-02T10:00:00Z")
    code, out, _ = schedules(capsys, "--server", served, "--token", "r-token")
    assert out.splitlines()[0].split() == [
        "REPOSITORY",
        "WORKFLOW",
        "NAME",
        "CRON",
        "NEXT",
        "(UTC)",
        "LAST",
        "(UTC)",
    ]


def test_the_schedules_endpoint_needs_a_token(served: str) -> None:
    assert httpx.get(f"{served}/api/v1/schedules").status_code == 401
    answer = httpx.get(
        f"{served}/api/v1/schedules?repo=acme/none", headers={"Authorization": "Bearer r-token"}
    )
    assert answer.json() == {"schedules": []}
