"""Benchmark of the GitHub reporting pipeline (issue 14): a 100-job run's check-run updates
reach the forge API with <= 1 request per job state change, and none is lost under a 30 s
outage. Run: .venv/bin/python benchmarks/bench_forge.py [--jobs N] [--outage SECONDS]

Each job goes queued -> in_progress -> completed through ForgeObserver, the database's retry
queue (SQLite under a temporary CONVEYOR_HOME), GitHubForge over real HTTP, to the test GitHub
of tests/support/github_double.py (a real uvicorn; every request checked against GitHub's
OpenAPI description, from .test-data). The clock is the benchmark's: the outage lasts OUTAGE
seconds of that clock (the GitHub answers 502), then the queue drains.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.forge_traffic import TOKEN, ForgeTraffic
from tests.support.github_double import GitHubDouble
from tests.support.http_server import running_app


def completed(double: GitHubDouble, jobs: int) -> int:
    found = (double.check_by_external_id(f"run-1/attempt-1/job-{n}") for n in range(jobs))
    return sum(1 for run in found if run is not None and run["status"] == "completed")


def scenario(jobs: int, outage: float, *, drain_each: bool) -> dict[str, object]:
    double = GitHubDouble()
    double.static_tokens.add(TOKEN)
    with tempfile.TemporaryDirectory() as home, running_app(double.app) as base_url:
        traffic = ForgeTraffic(Path(home), base_url)
        start = traffic.clock.now + 1.0
        double.down = lambda: start <= traffic.clock.now < start + outage
        began = time.perf_counter()
        try:
            traffic.play(jobs, drain_each=drain_each)
            left = traffic.outbox.count()
        finally:
            traffic.close()
        wall = time.perf_counter() - began
    answered = [seen for seen in double.seen if 200 <= seen.status < 300]
    return {
        "job state changes": traffic.state_changes,
        "requests sent (all)": len(double.seen),
        "requests answered 2xx": len(answered),
        "  of which check-run create/update": sum(1 for s in answered if s.method != "GET"),
        "  of which look-ups after a lost create": sum(1 for s in answered if s.method == "GET"),
        "requests refused by the outage (502)": sum(1 for s in double.seen if s.status == 502),
        "check runs at GitHub (one per job)": len(double.check_runs),
        "check runs completed": completed(double, jobs),
        "left in the queue": left,
        "invalid requests": len(double.invalid),
        "wall seconds": round(wall, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--outage", type=float, default=30.0)
    args = parser.parse_args()
    logging.getLogger("conveyor.forge").setLevel(logging.ERROR)
    for title, outage, drain_each in (
        ("steady state, drained at each state change", 0.0, True),
        ("steady state, drained once at the end (coalesced)", 0.0, False),
        (f"{args.outage:g} s outage (502) while the jobs run", args.outage, True),
    ):
        print(f"## {title}")
        for name, value in scenario(args.jobs, outage, drain_each=drain_each).items():
            if value is not None:
                print(f"  {name}: {value}")


if __name__ == "__main__":
    main()
