"""A run recorded by a real `conveyor run` process, seen through the web UI over real HTTP:
the graph from the workflow's `needs`, the folded log, the step summary sanitised."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from conveyor.server.app import create_app
from conveyor.store.handle import open_store
from tests.integration.test_run_files import conveyor, finished
from tests.support.http_server import running_app
from tests.support.ui_runs import READER, ui_context
from tests.unit.executors.harness import make_repo

pytestmark = pytest.mark.integration

WORKFLOW = """
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: Compile
        run: |
          echo "::group::Tools"
          printf '\\033[32mgcc ready\\033[0m\\n'
          echo "::endgroup::"
          echo '## Build report' >> "$GITHUB_STEP_SUMMARY"
          echo '<script>alert(1)</script> <img src=x onerror=alert(2)>' >> "$GITHUB_STEP_SUMMARY"
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo tested
"""


def test_a_real_run_in_the_web_ui(tmp_path: Path) -> None:
    home = tmp_path / "home"
    repo = make_repo(tmp_path / "repo", {".github/workflows/ci.yml": WORKFLOW})
    out, err = finished(conveyor(home, "run", str(repo)), timeout=180)
    assert "build" in out + err
    store = open_store(home)
    try:
        with running_app(create_app(ui_context(home, store))) as url:
            client = httpx.Client(base_url=url)
            login = client.get("/login").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', login)
            assert csrf
            client.post("/login", data={"token": READER, "csrf": csrf.group(1)})
            listing = client.get("/runs").text
            found = re.search(r'href="/runs/(\d+)"', listing)
            assert found, listing
            page = client.get(f"/runs/{found.group(1)}").text
            job = client.get(f"/runs/{found.group(1)}/job", params={"key": "build"}).text
    finally:
        store.close()
    assert re.search(r'data-from="build"[^>]*data-to="test"', page)
    assert "<h2>Build report</h2>" in page
    summary = page[page.index('class="markdown"') :]
    assert "<script>alert" not in summary
    assert not re.search(r"<[^>]*onerror", summary)
    assert re.search(
        r'<details class="group"><summary class="line" data-n="\d+">Tools</summary>', job
    )
    assert '<span class="fg-green">gcc ready</span>' in job
