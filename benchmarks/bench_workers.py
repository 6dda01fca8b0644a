"""Workers (issue 15): doorbell → job started, trivial jobs per second through 1, 2 and 4 slots,
and how long a worker killed with SIGKILL takes to be found lost.

The server's side runs here: the worker hub (conveyor.bootstrap.worker_hub) behind a real
uvicorn (tests/support/http_server.py) over a real SQLite store, a real redis-server on a free
port; the workers are real `conveyor worker` processes running the jobs with the local executor.
A job is a `JobDocument` of one `run: "true"` step, submitted as the remote executor submits it.

    .venv/bin/python benchmarks/bench_workers.py [--jobs 1000] [--latency 100]
        [--skip-default-lease]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conveyor.bootstrap.worker_hub import WorkerHub
from conveyor.bootstrap.worker_settings import LeaseTiming
from conveyor.engine.ports.executor import JobDocument
from conveyor.engine.ports.workers import Grant
from conveyor.errors import SourceLocation
from conveyor.model.results import Annotation, StepResult
from conveyor.model.workflow import Step
from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter
from conveyor.server.token_verifier import StoreTokenVerifier
from conveyor.store import open_store
from conveyor.store import remote_jobs as rows
from conveyor.store.api_tokens import SqlTokenStore

SRC = Path(__file__).resolve().parents[1] / "src"
TEST_TIMING = LeaseTiming(0.5, 3.0, 1)


class Quiet:
    def step_started(self, instance_key: str, index: int, name: str) -> None: ...
    def log_line(self, instance_key: str, index: int | None, line: str) -> None: ...
    def step_finished(self, instance_key: str, result: StepResult) -> None: ...
    def annotation(self, instance_key: str, annotation: Annotation) -> None: ...


def document(repo: Path, number: int, script: str = "true") -> JobDocument:
    github = {"repository": "octo/demo", "event_name": "push", "ref": "refs/heads/main"}
    contexts = {"github": github, "secrets": {}, "vars": {}, "needs": {}, "matrix": {}}
    here = SourceLocation("workflow.yml", 1, 7)
    return JobDocument(
        run_id="1",
        job_id="trivial",
        instance_key=f"trivial ({number})",
        display_name="trivial",
        workflow_path=".github/workflows/ci.yml",
        repository=str(repo),
        sha=None,
        contexts=contexts,
        env={},
        steps=(Step(index=0, location=here, run=script),),
        runs_on=("self-hosted", "linux"),
    )


@dataclass
class Bench:
    hub: WorkerHub
    url: str
    token: str
    scratch: Path
    rung: dict[int, float]
    claimed: dict[int, float]

    @contextmanager
    def worker(self, name: str, capacity: int) -> Iterator[subprocess.Popen[bytes]]:
        env = {**os.environ, "CONVEYOR_HOME": str(self.scratch / name), "PYTHONPATH": str(SRC)}
        command = [
            sys.executable, "-m", "conveyor", "worker", "--server", self.url, "--token", self.token,
            "--name", name, "--labels", "self-hosted,linux", "--capacity", str(capacity),
        ]  # fmt: skip
        log = (self.scratch / f"{name}.log").open("wb")
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while name not in {w.name for w in self.hub.workers()}:
                assert time.monotonic() < deadline, "the worker did not register"
                time.sleep(0.05)
            time.sleep(0.5)  # its Celery consumer is up a moment after it registered
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            process.wait(60)

    def run_jobs(self, count: int, script: str = "true") -> float:
        """Submits `count` jobs at once; seconds until the last finished."""
        started = time.monotonic()
        repo = self.scratch / "repo"
        repo.mkdir(exist_ok=True)
        ids = [self.hub.submit(document(repo, n, script), Quiet()) for n in range(count)]
        for job_id in ids:
            result = self.hub.wait(job_id, threading.Event())
            assert str(result.result) == "success", result
        return time.monotonic() - started


@contextmanager
def bench(timing: LeaseTiming) -> Iterator[Bench]:
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-workers-")))
        broker = stack.enter_context(redis_server(scratch))
        store = open_store(scratch / "home")
        stack.callback(store.close)
        hub = WorkerHub(store.database, broker, timing)  # type: ignore[arg-type]
        rung, claimed = _timed(hub)
        hub.start()
        stack.callback(hub.stop)
        token = SqlTokenStore(store.database).create("bench", "worker")  # type: ignore[arg-type]
        tokens = StoreTokenVerifier.of(store)
        context = ServerContext(scratch, store, FakeStarter(), FakeControl(), tokens, workers=hub)
        url = stack.enter_context(served(create_app(context)))
        yield Bench(hub, url, token, scratch, rung, claimed)


def _timed(hub: WorkerHub) -> tuple[dict[int, float], dict[int, float]]:
    """When each job's doorbell rang and when a worker claimed it."""
    rung: dict[int, float] = {}
    claimed: dict[int, float] = {}
    ring, claim = hub.doorbell.ring, hub.claim

    def timed_ring(job_id: int, labels: object) -> None:
        rung.setdefault(job_id, time.perf_counter())
        ring(job_id, labels)  # type: ignore[arg-type]

    def timed_claim(job_id: int, worker: str) -> Grant | None:
        grant = claim(job_id, worker)
        if grant is not None:
            claimed[job_id] = time.perf_counter()
        return grant

    hub.doorbell.ring = timed_ring  # type: ignore[method-assign]
    hub.claim = timed_claim  # type: ignore[method-assign]
    return rung, claimed


@contextmanager
def served(app: object) -> Iterator[str]:
    """uvicorn on a listener made as `conveyor serve` makes it (IPPROTO_TCP: asyncio then sets
    TCP_NODELAY, without which a keep-alive answer waits ~40 ms for the delayed ACK)."""
    import uvicorn

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()


@contextmanager
def redis_server(scratch: Path) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    process = subprocess.Popen([*command, "--dir", str(scratch)], stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait(10)


def latency(count: int) -> dict[str, float]:
    """Doorbell → claimed, one idle worker with one slot, one job at a time."""
    with bench(TEST_TIMING) as b, b.worker("latency", 1):
        b.run_jobs(3)  # warm: the worker's first jobs load the executor
        b.rung.clear()
        b.claimed.clear()
        for _ in range(count):
            b.run_jobs(1)
        delays = sorted((b.claimed[i] - b.rung[i]) * 1000 for i in b.claimed)
    return {
        "p50_ms": statistics.median(delays),
        "p95_ms": delays[int(len(delays) * 0.95) - 1],
        "max_ms": delays[-1],
    }


def throughput(jobs: int, slots: int) -> float:
    with bench(TEST_TIMING) as b, b.worker(f"slots{slots}", slots):
        b.run_jobs(slots * 2)  # warm
        return jobs / b.run_jobs(jobs)


def lost_detection(timing: LeaseTiming) -> float:
    """Seconds from SIGKILL of the worker running a job to its job being queued again."""
    with bench(timing) as b, b.worker("doomed", 1) as process:
        (b.scratch / "repo").mkdir(exist_ok=True)
        job_id = b.hub.submit(document(b.scratch / "repo", 0, "sleep 600"), Quiet())
        deadline = time.monotonic() + 60
        while job_id not in b.claimed:
            assert time.monotonic() < deadline, "never claimed"
            time.sleep(0.01)
        time.sleep(0.5)
        process.kill()
        killed = time.monotonic()
        while (job := rows.get_job(b.hub.database, job_id)) is not None and job.attempt < 2:
            time.sleep(0.01)
        return time.monotonic() - killed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--latency", type=int, default=100)
    parser.add_argument("--skip-default-lease", action="store_true")
    options = parser.parse_args()
    found = latency(options.latency)
    shown = f"{found['p50_ms']:.1f} / {found['p95_ms']:.1f} / {found['max_ms']:.1f} ms"
    print(f"| doorbell → job claimed, p50 / p95 / max | {shown} | p95 ≤ 100 ms |", flush=True)
    rates = {slots: throughput(options.jobs, slots) for slots in (1, 2, 4)}
    for slots, rate in rates.items():
        ratio = rate / rates[1]
        print(f"| {options.jobs} trivial jobs, {slots} slot(s) | {rate:.1f} jobs/s "
              f"(×{ratio:.2f}) | — |", flush=True)  # fmt: skip
    fast = lost_detection(TEST_TIMING)
    print(f"| lost worker found, heartbeat 0.5 s / lease 3 s | {fast:.1f} s | — |", flush=True)
    if not options.skip_default_lease:
        slow = lost_detection(LeaseTiming())
        print(f"| lost worker found, defaults (10 s / 60 s) | {slow:.1f} s | ≤ 70 s |", flush=True)


if __name__ == "__main__":
    main()
