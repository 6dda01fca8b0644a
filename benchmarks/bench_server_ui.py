"""Benchmark of the web UI (issue 13). Run: .venv/bin/python benchmarks/bench_server_ui.py

A run of 200 jobs (10 stages of 20 jobs, each stage `needs` the previous one; stage 5 is one
job with a 20-leg matrix), each with 3 steps and a short log, recorded in a real SQLite store;
the pages are fetched over real HTTP (uvicorn in its own process on 127.0.0.1, httpx, a
logged-in session; tests/support/http_server.py's uvicorn in a thread of the client's process
added ~45 ms to every request until its listener said it was TCP, see benchmarks/README.md):
the run page (graph, jobs, annotations, summaries), its live fragment (what the browser polls
every second while the run is active), a job page, and the runs list. Target: the run page
<= 150 ms. Figures are min / median / p95 / max over ROUNDS requests, in milliseconds.
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from tests.support.ui_runs import WRITER, StepPlan, new_run, record_job

from conveyor.model.results import Conclusion
from conveyor.store.handle import StoreHandle, open_store

ROUNDS = 50
STAGES, WIDTH = 10, 20


def workflow_text() -> str:
    lines = ["name: Big", "on: push", "jobs:"]
    for stage in range(STAGES):
        for index in range(1 if stage == 5 else WIDTH):
            lines += [f"  s{stage}j{index}:", "    runs-on: ubuntu-latest"]
            if stage:
                previous = [f"s{stage - 1}j{i}" for i in range(1 if stage == 6 else WIDTH)]
                lines.append(f"    needs: [{', '.join(previous)}]")
            if stage == 5:
                lines += ["    strategy:", "      matrix:", f"        n: {list(range(WIDTH))}"]
            lines += ["    steps:", "      - run: echo hi"]
    return "\n".join(lines) + "\n"


def seed(store: StoreHandle, root: Path) -> int:
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text(workflow_text())
    run_id = new_run(store, str(root))
    log = "::group::setup\n\x1b[32mready\x1b[0m\n::endgroup::\n" + "line of output\n" * 20
    steps = [StepPlan(f"step {n}", log) for n in range(3)]
    for stage in range(STAGES):
        for index in range(WIDTH):
            job_id = "s5j0" if stage == 5 else f"s{stage}j{index}"
            key = f"s5j0 ({index})" if stage == 5 else job_id
            matrix = {"n": index} if stage == 5 else None
            record_job(store, run_id, key, steps, job_id=job_id, matrix=matrix)
    store.runs.finish_run(run_id, Conclusion.SUCCESS)
    return run_id


def timed(client: httpx.Client, path: str) -> list[float]:
    client.get(path).raise_for_status()  # warm
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        answer.raise_for_status()
    return sorted(times)


def row(name: str, times: list[float], size: int) -> str:
    p95 = times[int(len(times) * 0.95) - 1]
    return (f"{name:<34} {times[0]:7.1f} {statistics.median(times):7.1f} {p95:7.1f} "
            f"{times[-1]:7.1f}   {size // 1024} KiB")  # fmt: skip


SERVER = """
import sys, uvicorn
sys.path[:0] = {paths!r}
from pathlib import Path
from conveyor.server.app import create_app
from conveyor.store.handle import open_store
from tests.support.ui_runs import ui_context
home = Path({home!r})
app = create_app(ui_context(home, open_store(home)))
uvicorn.run(app, host="127.0.0.1", port={port}, log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server_process(home: Path) -> Iterator[str]:
    port = free_port()
    paths = [str(Path(__file__).resolve().parents[1]), *sys.path]
    code = SERVER.format(paths=paths, home=str(home), port=port)
    process = subprocess.Popen([sys.executable, "-c", code], env=os.environ.copy())
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                httpx.get(f"{url}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        store = open_store(home)
        try:
            run_id = seed(store, Path(folder) / "repo")
        finally:
            store.close()
        with server_process(home) as url, httpx.Client(base_url=url) as client:
            page = client.get("/login").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', page)
            assert csrf
            client.post("/login", data={"token": WRITER, "csrf": csrf.group(1)})
            print(
                f"{'ms (200 jobs, 600 steps)':<34} {'min':>7} {'median':>7} {'p95':>7} {'max':>7}"
            )
            for name, path in (
                ("run page /runs/ID", f"/runs/{run_id}"),
                ("live fragment /runs/ID/live", f"/runs/{run_id}/live"),
                ("job page (3 steps, 69 lines)", f"/runs/{run_id}/job?key=s0j0"),
                ("runs list /runs", "/runs"),
            ):
                size = len(client.get(path).content)
                print(row(name, timed(client, path), size))


if __name__ == "__main__":
    main()
