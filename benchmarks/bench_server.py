"""Benchmark of `conveyor serve`'s webhook intake (issue 13). Run:
.venv/bin/python benchmarks/bench_server.py [--deliveries 300] [--clients 8]

A real uvicorn (the application `conveyor serve` builds, on 127.0.0.1), a SQLite store under a
temporary CONVEYOR_HOME, a registered repository (a real git repository with one trivial push
workflow); the pool is not started, so what is measured is only the intake: a signed push
delivery received → its workflows read at the commit from the mirror, matched, the run and the
delivery committed → the 202 answered.

1. Latency: deliveries one after another (each a new delivery id, the same commit). p50/p95 of
   the client's round trip, an upper bound of "received → committed". Target p95 <= 20 ms.
2. Throughput: `--clients` threads posting at once for `--deliveries` x 3 deliveries.
   Target: 300 deliveries/s sustained on 2 cores.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from conveyor.bootstrap.server_wiring import serve_runs
from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeTokens
from conveyor.server.webhook_events import signature
from conveyor.store.handle import StoreHandle, open_store
from conveyor.store.served_repositories import ServedRepository, served_repositories

SECRET = "bench-secret"
WORKFLOW = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: true\n"


def make_repository(root: Path) -> str:
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-qm", "one"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True)
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, check=True, capture_output=True)
    return done.stdout.decode().strip()


@contextmanager
def serving(home: Path, store: StoreHandle) -> Iterator[str]:
    served = serve_runs(home, store, jobs=1)  # the pool is never started
    context = ServerContext(
        home, store, served.runs, served.runs, FakeTokens(), repositories=served.repositories
    )
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(create_app(context), log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join()


def delivery(sha: str, number: int) -> tuple[bytes, dict[str, str]]:
    payload = {
        "ref": "refs/heads/main",
        "before": "0" * 40,
        "after": sha,
        "repository": {"full_name": "bench/app", "default_branch": "main"},
        "sender": {"login": "bench"},
        "commits": [],
    }
    body = json.dumps(payload).encode()
    headers = {
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": f"bench-{number}",
        "X-Hub-Signature-256": signature(SECRET, body),
        "Content-Type": "application/json",
    }
    return body, headers


class Client:
    """One keep-alive connection; http.client sends the headers and a bytes body in one write
    (no Nagle/delayed-ACK stall of 40 ms between them, which httpx's two writes can meet)."""

    def __init__(self, url: str) -> None:
        self._connection = http.client.HTTPConnection(url.removeprefix("http://"))

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self._connection.close()

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        self._connection.request("POST", "/webhooks/github", body=body, headers=headers)
        answer = self._connection.getresponse()
        return answer.status, answer.read()


def post(client: Client, sha: str, number: int) -> float:
    body, headers = delivery(sha, number)
    start = time.perf_counter()
    status, text = client.post(body, headers)
    elapsed = time.perf_counter() - start
    assert status == 202, text
    return elapsed


def latency(url: str, sha: str, count: int) -> dict[str, float]:
    with Client(url) as client:
        post(client, sha, 0)  # warm: mirror, view, caches
        times = [post(client, sha, n) for n in range(1, count + 1)]
    times.sort()
    return {
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": times[int(len(times) * 0.95) - 1] * 1000,
        "max_ms": times[-1] * 1000,
    }


def throughput(url: str, sha: str, count: int, clients: int) -> float:
    numbers = iter(range(100_000, 100_000 + count))
    lock = threading.Lock()

    def worker() -> None:
        with Client(url) as client:
            while True:
                with lock:
                    number = next(numbers, None)
                if number is None:
                    return
                post(client, sha, number)

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(worker) for _ in range(clients)]:
            future.result()
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        home, source = Path(temporary) / "home", Path(temporary) / "app"
        sha = make_repository(source)
        store = open_store(home)
        served_repositories(store).add(
            ServedRepository("bench/app", str(source), "main", False, 0.0), SECRET
        )
        try:
            with serving(home, store) as url:
                measured = latency(url, sha, args.deliveries)
                rate = throughput(url, sha, args.deliveries * 3, args.clients)
        finally:
            store.close()
    print(json.dumps({"latency": measured, "deliveries_per_s": rate}, indent=2))
    sys.exit(0)


if __name__ == "__main__":
    main()
