"""The coverage trend of a branch over real HTTP: points recorded by the run recorder (as a
served run's coverage-gate step reports them), `GET /api/v1/repos/{owner}/{repo}/coverage`, the
web UI's page (a table with deltas and an inline SVG line), linked from the repositories page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from conveyor.engine.ports.store import NewJob, NewRun
from conveyor.model.results import Conclusion, StepResult
from conveyor.server.app import create_app
from conveyor.store.coverage_points import COVERAGE_TREND
from conveyor.store.handle import StoreHandle, open_store
from conveyor.store.recorder import RunRecorder
from conveyor.store.served_repositories import ServedRepository, served_repositories
from tests.support.http_server import running_app
from tests.support.ui_runs import READER, ui_context
from tests.unit.server.ui.test_ui_http import logged_in

pytestmark = pytest.mark.integration


def record_gate(store: StoreHandle, ref: str, sha: str, outputs: dict[str, str]) -> int:
    """One run whose coverage-gate step reported `outputs`, recorded as a served run is."""
    recorder = RunRecorder(store.runs, store.logs, store.coverage)
    stored = recorder.begin(NewRun("acme/app", "CI", "ci.yml", "push", ref=ref, sha=sha))
    reporter = recorder.reporter(stored.id)
    reporter.start_job(NewJob("cov", "cov", "cov"))
    step = StepResult(0, "gate", Conclusion.SUCCESS, Conclusion.SUCCESS, outputs=outputs)
    reporter.step_finished("cov", StepResult(1, "plain", Conclusion.SUCCESS, Conclusion.SUCCESS))
    reporter.step_finished("cov", replace(step, trend=COVERAGE_TREND))
    recorder.finish(stored.id, Conclusion.SUCCESS)
    return stored.id


@pytest.fixture
def store(conveyor_home: Path) -> Iterator[StoreHandle]:
    handle = open_store(conveyor_home)
    yield handle
    handle.close()


@pytest.fixture
def base_url(conveyor_home: Path, store: StoreHandle) -> Iterator[str]:
    plain = ServedRepository("acme/app", "https://example.com/acme/app.git", "main", False, 0)
    served_repositories(store).add(plain, "a-secret")
    with running_app(create_app(ui_context(conveyor_home, store))) as url:
        yield url


def rates(line: str, branch: str = "", diff: str = "") -> dict[str, str]:
    return {"line-rate": line, "branch-rate": branch, "diff-rate": diff, "result": "success"}


def test_the_api_gives_the_branchs_points_oldest_first(store: StoreHandle, base_url: str) -> None:
    first = record_gate(store, "refs/heads/main", "a" * 40, rates("70.00", "50.00"))
    second = record_gate(store, "refs/heads/main", "b" * 40, rates("72.50", "", "90.00"))
    record_gate(store, "refs/heads/other", "c" * 40, rates("10.00"))
    record_gate(store, "refs/heads/main", "d" * 40, rates(""))  # measured nothing: no point
    headers = {"Authorization": f"Bearer {READER}"}
    answer = httpx.get(f"{base_url}/api/v1/repos/acme/app/coverage?branch=main", headers=headers)
    assert answer.status_code == 200, answer.text
    points = answer.json()["points"]
    assert [(p["run_id"], p["sha"], p["line_rate"]) for p in points] == [
        (first, "a" * 40, 70.0),
        (second, "b" * 40, 72.5),
    ]
    assert points[0]["branch_rate"] == 50.0
    assert points[1]["branch_rate"] is None
    assert points[1]["diff_rate"] == 90.0
    assert points[0]["branch"] == "main"
    limited = httpx.get(
        f"{base_url}/api/v1/repos/acme/app/coverage",
        params={"branch": "main", "limit": 1},
        headers=headers,
    ).json()["points"]
    assert [p["run_id"] for p in limited] == [second]


def test_the_page_shows_the_trend_with_deltas_and_a_line(store: StoreHandle, base_url: str) -> None:
    record_gate(store, "refs/heads/main", "a" * 40, rates("70.00"))
    second = record_gate(store, "refs/heads/main", "b" * 40, rates("72.50"))
    client = logged_in(base_url, READER)
    page = client.get("/acme/app/coverage", params={"branch": "main"})
    assert page.status_code == 200, page.text
    assert "70.00 %" in page.text
    assert "72.50 %" in page.text
    assert "+2.50" in page.text  # the delta from the point before
    assert f'href="/runs/{second}"' in page.text
    svg = re.search(r"<svg[^>]*>.*?</svg>", page.text, re.S)
    assert svg
    assert "<polyline" in svg.group(0)
    assert "<script" not in page.text.split("<main", 1)[-1]
    listing = client.get("/repositories").text
    assert 'href="/acme/app/coverage?branch=main"' in listing


def test_a_branch_without_points_says_so(base_url: str) -> None:
    page = logged_in(base_url, READER).get("/acme/app/coverage", params={"branch": "nope"})
    assert page.status_code == 200
    assert "No coverage" in page.text
