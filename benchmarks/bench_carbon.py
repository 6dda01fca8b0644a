"""Benchmark of the Carbon Connect flagship (issue 17): the pull request suite of
examples/carbon-connect (backend-ci, frontend-ci, pr-tdd-gate, quality-gates, security-scan,
dependency-review, auto-label) on a real `conveyor serve` with its local forge.

- cold: a fresh CONVEYOR_HOME (empty tool, uv and npm caches of conveyor's own), the pull request
  opened: wall time until every run of the suite completed, against the sum of its job times;
- warm: a second commit pushed to the pull request's branch (`synchronize`): the same, with the
  caches the cold round filled;
- `git push` → first job running: from the start of that push to the first `started_at` of a
  job of the runs it fired.

Run: .venv/bin/python benchmarks/bench_carbon.py [--jobs N]   (minutes; reaches PyPI and npm)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.scenarios.carbon_story import Story
from tests.scenarios.test_carbon_connect import PR_SUITE, proof
from tests.support.serve_process import serving


def seconds(stamp: str | None) -> float:
    assert stamp is not None
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def job_times(story: Story, runs: dict[str, dict[str, Any]]) -> tuple[float, float, float]:
    """The suite's first job start, last job end and the sum of its jobs' times."""
    jobs = [job for run in runs.values() for job in story.run(run["id"])["jobs"]]
    ran = [job for job in jobs if job["started_at"] and job["finished_at"]]
    first = min(seconds(job["started_at"]) for job in ran)
    last = max(seconds(job["finished_at"]) for job in ran)
    total = sum(seconds(job["finished_at"]) - seconds(job["started_at"]) for job in ran)
    return first, last, total


def first_job_running(story: Story, after: int, began: float) -> float:
    """Seconds from `began` (a monotonic time) until a job of a run after `after` is seen
    running (polled every 20 ms: the API's timestamps are whole seconds)."""
    while True:
        for run in story.runs_after(after):
            if run["status"] == "in_progress" and any(
                job["status"] != "queued" for job in story.run(run["id"])["jobs"]
            ):
                return time.monotonic() - began
        time.sleep(0.02)


def round_of(story: Story, name: str, began: float, after: int, first: float) -> dict[str, float]:
    runs = story.wait_runs(after, PR_SUITE, event="pull_request")
    _, last, total = job_times(story, runs)
    wall = last - began
    ended = sorted((n, r["conclusion"]) for n, r in runs.items())
    print(f"{name}: suite wall {wall:.1f}s, sum of job times {total:.1f}s "
          f"(x{total / wall:.2f} in parallel), push/open -> first job running {first:.2f}s; "
          f"conclusions {ended}", flush=True)  # fmt: skip
    return {"wall": wall, "jobs": total, "first_job": first}


def suite_change(story: Story) -> dict[str, str | bytes]:
    """A change touching backend, frontend and docs: every workflow of the suite runs."""
    line = "Matches come nearest first."
    return {
        "backend/README.md": story.edit("backend/README.md", lambda t: f"{t}\n{line}\n"),
        "frontend/lib/api.ts": story.edit("frontend/lib/api.ts", lambda t: f"{t}// {line}\n"),
        "docs/index.md": story.edit("docs/index.md", lambda t: f"{t}\n{line}\n"),
    }


def measure(jobs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-carbon-") as scratch:
        story = Story(Path(scratch))
        story.set_up()
        try:
            with serving(story.home, "--jobs", str(jobs)) as server:
                story.connect(server.url)
                edit = suite_change(story)
                story.branch("feature/bench", edit, "bench", "main")
                after, began, clock = story.last_run_id(), time.time(), time.monotonic()
                story.open_pull("feature/bench", "Bench", proof())
                round_of(story, "cold", began, after, first_job_running(story, after, clock))
                again = {
                    "frontend/lib/api.ts": str(edit["frontend/lib/api.ts"]) + "// Again.\n",
                    "backend/README.md": str(edit["backend/README.md"]) + "\nAgain.\n",
                }
                after, began, clock = story.last_run_id(), time.time(), time.monotonic()
                story.branch("feature/bench", again, "bench again", "feature/bench")
                first = first_job_running(story, after, clock)
                round_of(story, "warm (git push -> synchronize)", began, after, first)
                server.stop()
        finally:
            story.shut_down()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=3, help="conveyor serve --jobs")
    measure(parser.parse_args().jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
