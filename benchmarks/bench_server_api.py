"""Benchmark of the REST API's live log (issue 13): how long a step's line takes to reach an SSE
client. Run: .venv/bin/python benchmarks/bench_server_api.py [--lines N] [--clients N]

A real uvicorn (tests/support/http_server.py) serves the app over a real SQLite store; a run's
job is in progress; a separate writer PROCESS appends the step's lines through conveyor's
FileLogStore (as `conveyor run` or the server's executor does), each line carrying the wall
clock time it was written; CLIENTS httpx clients follow `GET /api/v1/runs/{id}/logs/stream`
and record, per line, now minus the time in the line. Target: p95 <= 250 ms.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from tests.support.http_server import running_app

from conveyor.engine.ports.store import LogKey, NewJob, NewRun, RunStatus
from conveyor.model.results import Conclusion, JobResult
from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter
from conveyor.server.token_verifier import StoreTokenVerifier
from conveyor.store import StoreHandle, open_store
from conveyor.store.api_tokens import SqlTokenStore

WRITER = """
import sys, time
from pathlib import Path
from conveyor.engine.ports.store import LogKey
from conveyor.store.logs import FileLogStore
logs = FileLogStore(Path(sys.argv[1]) / "logs")
key = LogKey(int(sys.argv[2]), 1, "build", 0)
for number in range(int(sys.argv[3])):
    logs.append(key, f"line {number} {time.time():.6f}\\n")
    time.sleep(float(sys.argv[4]))
logs.close_all()
"""


def running_job(store: StoreHandle) -> LogKey:
    run = store.runs.create_run(NewRun("o/r", "CI", "ci.yml", "push"))
    store.runs.set_run_status(run.id, RunStatus.IN_PROGRESS)
    store.runs.start_job(run.id, 1, NewJob("build", "build", "build", status=RunStatus.IN_PROGRESS))
    return LogKey(run.id, 1, "build", 0)


def follow(url: str, token: str, key: LogKey, delays: list[float], ready: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    params = {"job": key.instance_key, "step": key.step}
    path = f"{url}/api/v1/runs/{key.run_id}/logs/stream"
    with httpx.stream("GET", path, params=params, headers=headers, timeout=60) as response:
        ready.set()
        for line in response.iter_lines():
            if line.startswith("data: line "):
                delays.append(time.time() - float(line.rsplit(" ", 1)[1]))
            elif line.startswith("event: end"):
                return


def measure(lines: int, clients: int, interval: float) -> list[float]:
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        store = open_store(home)
        token = SqlTokenStore(store.database).create("bench", "read")  # type: ignore[arg-type]
        context = ServerContext(
            home, store, FakeStarter(), FakeControl(), StoreTokenVerifier.of(store)
        )
        key = running_job(store)
        delays: list[float] = []
        with running_app(create_app(context)) as url:
            threads = []
            for _ in range(clients):
                ready = threading.Event()
                thread = threading.Thread(target=follow, args=(url, token, key, delays, ready))
                thread.start()
                ready.wait(10)
                threads.append(thread)
            env_path = str(Path(__file__).resolve().parents[1] / "src")
            arguments = [str(home), str(key.run_id), str(lines), str(interval)]
            writer = [sys.executable, "-c", WRITER, *arguments]
            subprocess.run(writer, check=True, env={"PYTHONPATH": env_path})
            store.runs.finish_job(key.run_id, 1, "build", JobResult(Conclusion.SUCCESS))
            for thread in threads:
                thread.join(30)
        store.close()
        return delays


def big_run(store: StoreHandle, jobs: int, steps: int) -> int:
    """A completed run of `jobs` jobs of `steps` steps each, recorded through the store."""
    from conveyor.model.results import StepResult

    run = store.runs.create_run(NewRun("o/r", "CI", "ci.yml", "push"))
    with store.runs.batch():
        for number in range(jobs):
            key = f"test ({number})"
            store.runs.start_job(run.id, 1, NewJob(key, "test", key))
            results = tuple(
                StepResult(
                    index,
                    f"step {index}",
                    Conclusion.SUCCESS,
                    Conclusion.SUCCESS,
                    started_at=time.time(),
                    finished_at=time.time(),
                )
                for index in range(steps)
            )
            for step in results:
                store.runs.start_step(run.id, 1, key, step.index, step.name)
                store.runs.finish_step(run.id, 1, key, step)
            store.runs.finish_job(run.id, 1, key, JobResult(Conclusion.SUCCESS, steps=results))
    return run.id


def measure_run_page(jobs: int, steps: int, rounds: int = 30) -> list[float]:
    """Seconds to answer GET /api/v1/runs/{id} for a run of `jobs` x `steps`."""
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        store = open_store(home)
        token = SqlTokenStore(store.database).create("bench", "read")  # type: ignore[arg-type]
        context = ServerContext(
            home, store, FakeStarter(), FakeControl(), StoreTokenVerifier.of(store)
        )
        run_id = big_run(store, jobs, steps)
        timings = []
        with running_app(create_app(context)) as url, httpx.Client(base_url=url) as client:
            client.headers["Authorization"] = f"Bearer {token}"
            for _ in range(rounds):
                started = time.perf_counter()
                answer = client.get(f"/api/v1/runs/{run_id}")
                timings.append(time.perf_counter() - started)
                assert len(answer.json()["jobs"]) == jobs
        store.close()
        return timings


def report(name: str, delays: list[float]) -> None:
    ms = sorted(d * 1000 for d in delays)
    p95 = ms[int(len(ms) * 0.95) - 1]
    print(
        f"| {name} | {len(ms)} lines: median {statistics.median(ms):.0f} ms, "
        f"p95 {p95:.0f} ms, max {ms[-1]:.0f} ms | p95 <= 250 ms |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--interval", type=float, default=0.02)
    options = parser.parse_args()
    print("| measure | result | target |\n|---|---|---|")
    page = sorted(t * 1000 for t in measure_run_page(200, 5))
    print(
        f"| GET /api/v1/runs/{{id}} of a 200-job run (5 steps each), 30 requests | "
        f"median {statistics.median(page):.0f} ms, p95 {page[int(len(page) * 0.95) - 1]:.0f} ms"
        " | (the UI's page: <= 150 ms) |"
    )
    report("step line -> SSE client, 1 client", measure(options.lines, 1, options.interval))
    report(
        f"step line -> SSE client, {options.clients} clients",
        measure(options.lines, options.clients, options.interval),
    )


if __name__ == "__main__":
    main()
