"""Benchmark of the local forge's REST API (issue 14): `GET /api/v3/repos/{o}/{r}/issues/{n}/
comments?per_page=100` on an issue with 100 comments, over real HTTP (uvicorn on 127.0.0.1, a
keep-alive httpx client, a real SQLite store, a StoreTokenVerifier token as octokit sends it).
Target: <= 20 ms. Run: .venv/bin/python benchmarks/bench_forge_api.py [--rounds N]

Prints min / median / p95 / max in milliseconds, after a warm-up.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from tests.support.http_server import running_app

from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter
from conveyor.server.token_verifier import StoreTokenVerifier
from conveyor.store import open_store
from conveyor.store.api_tokens import SqlTokenStore
from conveyor.store.forge_data import forge_data
from conveyor.store.served_repositories import ServedRepository, served_repositories

REPO = "octo/app"
TARGET_MS = 20.0


def measure(rounds: int) -> list[float]:
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        store = open_store(home)
        try:
            record = ServedRepository(REPO, "/nowhere", "main", False, 0)
            served_repositories(store).add(record, None)
            data = forge_data(store)
            issue = data.issues.create(REPO, "talk", None, "alice")
            for number in range(100):
                data.comments.create(issue.id, "bob", f"comment {number}: " + "text " * 20)
            token = SqlTokenStore(store.database).create("bench", "read")  # type: ignore[arg-type]
            context = ServerContext(
                home, store, FakeStarter(), FakeControl(), StoreTokenVerifier.of(store)
            )
            with running_app(create_app(context)) as url:
                return _timed(url, token, issue.number, rounds)
        finally:
            store.close()


def _timed(url: str, token: str, number: int, rounds: int) -> list[float]:
    path = f"/api/v3/repos/{REPO}/issues/{number}/comments"
    headers = {"Authorization": f"token {token}", "Accept": "application/vnd.github+json"}
    with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
        for _ in range(20):
            assert len(client.get(path, params={"per_page": 100}).json()) == 100
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            response = client.get(path, params={"per_page": 100})
            response.raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    times = sorted(measure(parser.parse_args().rounds))
    p95 = times[int(len(times) * 0.95) - 1]
    median = statistics.median(times)
    print(
        f"GET /issues/{{n}}/comments, 100 comments: min {times[0]:.2f} / median {median:.2f} / "
        f"p95 {p95:.2f} / max {times[-1]:.2f} ms (target <= {TARGET_MS:.0f} ms)"
    )
    return 0 if median <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
