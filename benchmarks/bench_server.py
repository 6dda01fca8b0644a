"""Benchmark of `conveyor serve`'s webhook intake (issue 13). Run:
.venv/bin/python benchmarks/bench_server.py [--deliveries 300] [--clients 8] [--in-process]

A real uvicorn (the application `conveyor serve` builds, on 127.0.0.1, with `conveyor serve`'s
listener), a SQLite store under a temporary CONVEYOR_HOME, a registered repository (a real git
repository with one trivial workflow `on: push: branches: [main]`); the pool is not started, so
what is measured is only the intake: a signed push delivery received → its workflows read at the
commit from the mirror, matched, the runs and the delivery committed → the answer.

Two kinds of delivery, each with its own delivery id and payload (as GitHub's: every payload is
stored): "fires", a push to main (one run queued, 202), and "nothing", a push to another branch
(the workflow does not fire, 200 with the reason; the delivery is still recorded). The payload
is GitHub's own push payload (9 KB, $CONVEYOR_SHARED/reference/webhook-payloads/push.forced.json)
with the ref, commits and repository name of the benchmark's; `--small-payload`: only the
fields conveyor reads (300 bytes, as this benchmark sent before).

1. Latency: `--deliveries` one after another on one keep-alive connection. p50/p95 of the
   client's round trip, an upper bound of "received → run committed". Target p95 <= 20 ms.
2. Throughput: `--clients` connections posting at once, `--deliveries` x 3 deliveries.
   Target: 300 deliveries/s sustained on 2 cores. Also the CPU time (user + system, from
   os.times) per delivery of the server's process and of the clients' (a measure that other
   work on the machine hardly moves: 300/s on 2 cores needs server + clients <= 6.7 ms, and the
   server's one interpreter lock <= 3.3 ms), and the p95 round trip under that load.

The clients run in a process of their own (GitHub is another machine; threads in the server's
process would take its interpreter lock); `--in-process` puts them in the server's process,
as this benchmark did before.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import cache
from pathlib import Path

SECRET = "bench-secret"
WORKFLOW = (
    "on:\n  push:\n    branches: [main]\n"
    "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: true\n"
)
REFS = {"fires": "refs/heads/main", "nothing": "refs/heads/topic"}
STATUS = {"fires": 202, "nothing": 200}


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
def serving(home: Path) -> Iterator[str]:
    import uvicorn

    from conveyor.bootstrap.server_wiring import serve_runs
    from conveyor.cli.serve_command import _listen
    from conveyor.server.app import create_app
    from conveyor.server.context import ServerContext
    from conveyor.server.fake import FakeTokens
    from conveyor.store.handle import open_store

    store = open_store(home)
    served = serve_runs(home, store, jobs=1)  # the pool is never started
    context = ServerContext(
        home, store, served.runs, served.runs, FakeTokens(), repositories=served.repositories
    )
    listener = _listen("127.0.0.1", 0)  # as `conveyor serve` listens
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
        store.close()


def delivery(sha: str, kind: str, number: int) -> tuple[bytes, dict[str, str]]:
    from conveyor.server.webhook_events import signature

    payload = base_payload() | {
        "ref": REFS[kind],
        "before": "0" * 40,
        "after": sha,
        "head_commit": {"id": sha, "message": f"change {number}"},
    }
    payload["repository"] = payload.get("repository", {}) | {"full_name": "bench/app"}
    body = json.dumps(payload).encode()
    headers = {
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": f"bench-{kind}-{number}",
        "X-Hub-Signature-256": signature(SECRET, body),
        "Content-Type": "application/json",
    }
    return body, headers


@cache
def base_payload() -> dict[str, object]:
    """GitHub's push payload (9 KB: the repository, pusher, sender, commits) from the shared
    reference payloads; with --small-payload or without them, the few fields conveyor reads."""
    found = Path(os.environ.get("CONVEYOR_SHARED", "../shared"))
    path = found / "reference" / "webhook-payloads" / "push.forced.json"
    if os.environ.get("BENCH_SMALL_PAYLOAD") or not path.is_file():
        return {"repository": {"default_branch": "main"}, "sender": {"login": "b"}, "commits": []}
    return dict(json.loads(path.read_text()))


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


def post(client: Client, sha: str, kind: str, number: int) -> float:
    body, headers = delivery(sha, kind, number)
    start = time.perf_counter()
    status, text = client.post(body, headers)
    elapsed = time.perf_counter() - start
    assert status == STATUS[kind], (status, text)
    return elapsed


def percentiles(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {
        "p50_ms": round(statistics.median(times) * 1000, 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 2),
        "max_ms": round(times[-1] * 1000, 2),
    }


def latency(url: str, sha: str, kind: str, first: int, count: int) -> dict[str, float]:
    with Client(url) as client:
        post(client, sha, kind, first)  # warm: mirror, view, caches
        return percentiles([post(client, sha, kind, n) for n in range(first + 1, first + count)])


def throughput(url: str, sha: str, kind: str, first: int, count: int, clients: int) -> dict:
    numbers = iter(range(first, first + count))
    lock = threading.Lock()
    times: list[float] = []

    def worker() -> None:
        with Client(url) as client:
            while True:
                with lock:
                    number = next(numbers, None)
                if number is None:
                    return
                times.append(post(client, sha, kind, number))

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(worker) for _ in range(clients)]:
            future.result()
    rate = count / (time.perf_counter() - start)
    return {"deliveries_per_s": round(rate, 1), "under_load": percentiles(times)}


def client_main(args: argparse.Namespace) -> None:
    """The load generator's process: one measure and its own CPU time, as JSON on stdout."""
    url, sha, kind, first, count = args.client, args.sha, args.kind, args.first, args.count
    delivery(sha, kind, first)  # the payload is read before the clock starts
    before = os.times()
    if args.clients:
        found = throughput(url, sha, kind, first, count, args.clients)
    else:
        found = latency(url, sha, kind, first, count)
    print(json.dumps(found | {"client_cpu_ms_per_delivery": cpu_ms(before, count)}))


def cpu_ms(before: os.times_result, count: int) -> float:
    """This process's CPU time (user + system) since `before`, per delivery, in ms."""
    after = os.times()
    cpu = (after.user - before.user) + (after.system - before.system)
    return round(cpu / count * 1000, 2)


def measure(args: argparse.Namespace, url: str, sha: str, kind: str, first: int) -> dict:
    """One measure, by a client process (or threads of this one with --in-process), with the
    CPU time this (the server's) process spent meanwhile."""
    clients, count = (args.clients, args.deliveries * 3) if first else (0, args.deliveries)
    before = os.times()
    if not args.in_process:
        found = json.loads(client_process(url, sha, kind, first, count, clients))
    elif clients:
        found = throughput(url, sha, kind, first, count, clients)
    else:
        found = latency(url, sha, kind, first, count)
    return found | {"server_cpu_ms_per_delivery": cpu_ms(before, count)}


def client_process(url: str, sha: str, kind: str, first: int, count: int, clients: int) -> str:
    command = [sys.executable, __file__, "--client", url, "--sha", sha, "--kind", kind]
    command += ["--first", str(first), "--count", str(count), "--clients", str(clients)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--in-process", action="store_true", help="clients as threads here")
    parser.add_argument("--small-payload", action="store_true", help="300 bytes, not 9 KB")
    parser.add_argument("--client", help=argparse.SUPPRESS)  # the load generator's process
    parser.add_argument("--sha", help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def measure_all(args: argparse.Namespace) -> dict[str, dict]:
    from conveyor.store.handle import open_store
    from conveyor.store.served_repositories import ServedRepository, served_repositories

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as temporary:
        home, source = Path(temporary) / "home", Path(temporary) / "app"
        sha = make_repository(source)
        store = open_store(home)
        repository = ServedRepository("bench/app", str(source), "main", False, 0.0)
        served_repositories(store).add(repository, SECRET)
        store.close()
        with serving(home) as url:
            for kind in ("fires", "nothing"):
                results[kind] = {
                    "latency": measure(args, url, sha, kind, 0),
                    "throughput": measure(args, url, sha, kind, 100_000),
                }
    return results


def main() -> None:
    args = arguments()
    if args.small_payload:
        os.environ["BENCH_SMALL_PAYLOAD"] = "1"  # the client process too
    if args.client:
        client_main(args)
        return
    results = measure_all(args)
    print(json.dumps({"load_average": os.getloadavg(), **results}, indent=2))


if __name__ == "__main__":
    main()
