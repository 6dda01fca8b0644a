"""Benchmarks of the run store (issue 7). Run: .venv/bin/python benchmarks/bench_store.py

1. Recording overhead on a 100-step run: the same real run (the engine's RunSession and local
   executor, one job of 100 `run:` steps printing 10 lines each) with a null observer, and with
   the StoreObserver recording it in a fresh SQLite store. Runs alternate; medians are compared.
   Target: <= 5 %. If the engine cannot be imported, the same events are replayed synthetically
   (each step runs /bin/true) through a null reporter and through a StoreReporter.
   bench_engine.py runs this part (`--only recording --json`) next to its own whole-process
   measure (`conveyor run` with the store and with a no-op history).
2. `conveyor runs` over 10,000 stored runs: in-process (the command's function) and as a whole
   `conveyor runs` process. Target: < 200 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert

from conveyor.engine.ports.store import NewRun, RunQuery
from conveyor.store import RunRecorder, open_store
from conveyor.store.handle import open_run_store
from conveyor.store.models import RunRow
from conveyor.store.owner import current_owner
from conveyor.store.rows import repository_id

STEPS = 100
ROUNDS = 11
RUNS = 10_000


TEN_LINES = "for n in 1 2 3 4 5 6 7 8 9 10; do echo line $n; done"
WORKLOADS = {
    "10 echo lines per step": TEN_LINES,
    "10 lines + 20 ms of work per step": "sleep 0.02; " + TEN_LINES,
}


def write_repository(root: Path, command: str) -> None:
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    lines = [
        "name: bench",
        "on: push",
        "jobs:",
        "  build:",
        "    runs-on: ubuntu-latest",
        "    steps:",
    ]
    for index in range(STEPS):
        lines += [
            f"      - name: step {index}",
            f"        run: {command}",
        ]
    (workflows / "bench.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    author = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run(["git", *author, "commit", "-qm", "bench"], cwd=root, check=True)


class NullObserver:
    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None


def engine_round(repo: Path, home: Path, record: bool) -> tuple[float, float]:
    from conveyor.bootstrap.local_run import LocalRunOptions, build_executor, prepare_run
    from conveyor.engine.session import RunSession

    prepared = prepare_run(LocalRunOptions(repository=repo, home=home))
    started = time.perf_counter()
    cpu = time.process_time()
    observer: object = NullObserver()
    store = recorder = None
    stored_ids: list[int] = []
    if record:
        store = open_run_store(home)  # what `conveyor run` records through
        recorder = RunRecorder(store.runs, store.logs)
        for request in prepared.requests:
            new = NewRun(str(repo), "bench", "bench.yml", "push", owner=current_owner())
            stored_ids.append(recorder.begin(new, engine_run_id=request.scope.run_id).id)
        observer = recorder.observer(None)
    session = RunSession(build_executor(False, home), observer, prepared.settings)  # type: ignore[arg-type]
    result = session.execute(prepared.requests)
    if recorder is not None and store is not None:
        for stored_id in stored_ids:
            recorder.finish(stored_id, result.conclusion)
        store.close()
    elapsed = time.perf_counter() - started
    assert result.conclusion == "success", result.conclusion
    return elapsed, time.process_time() - cpu


def synthetic_round(home: Path, record: bool) -> tuple[float, float]:
    from conveyor.model.results import Conclusion, JobResult, StepResult

    started = time.perf_counter()
    cpu = time.process_time()
    store = open_run_store(home) if record else None
    recorder = RunRecorder(store.runs, store.logs) if store else None
    run = recorder.begin(NewRun("/bench", "bench", "bench.yml", "push")) if recorder else None
    reporter = recorder.reporter(run.id) if recorder and run else NullObserver()
    for index in range(STEPS):
        reporter.step_started("build", index, f"step {index}")  # type: ignore[attr-defined]
        subprocess.run(["/bin/true"], check=True)
        for line in range(10):
            reporter.log_line("build", index, f"step {index} {line}")  # type: ignore[attr-defined]
        result = StepResult(index, f"step {index}", Conclusion.SUCCESS, Conclusion.SUCCESS)
        reporter.step_finished("build", result)  # type: ignore[attr-defined]
    if recorder and run and store:
        recorder.reporter(run.id).finish_job("build", JobResult(Conclusion.SUCCESS))
        recorder.finish(run.id, "success")
        store.close()
    return time.perf_counter() - started, time.process_time() - cpu


def bench_recording(
    base: Path, workload: str, command: str, rounds: int = ROUNDS
) -> dict[str, object]:
    repo = base / workload.replace(" ", "-")
    write_repository(repo, command)
    home = base / "home"
    open_store(home).close()  # an existing store, as on every run but the very first
    try:
        import conveyor.bootstrap.local_run
        import conveyor.engine.session  # noqa: F401

        def one(record: bool, n: int) -> tuple[float, float]:
            return engine_round(repo, home, record)

        kind = "real engine run (RunSession + LocalExecutor)"
    except ImportError:

        def one(record: bool, n: int) -> tuple[float, float]:
            return synthetic_round(home, record)

        kind = "synthetic events (engine not importable)"
    one(False, -1)  # warm up caches and imports
    one(True, -1)
    plain, recorded = [], []
    for n in range(rounds):
        plain.append(one(False, n))
        recorded.append(one(True, n))
    wall_a, wall_b = (statistics.median(t[0] for t in rounds) for rounds in (plain, recorded))
    cpu_a, cpu_b = (statistics.median(t[1] for t in rounds) for rounds in (plain, recorded))
    return {
        "workload": workload,
        "kind": kind,
        "rounds": rounds,
        "null_wall_s": [round(t[0], 4) for t in plain],
        "store_wall_s": [round(t[0], 4) for t in recorded],
        "null_median_s": wall_a,
        "store_median_s": wall_b,
        "overhead_percent": (wall_b - wall_a) / wall_a * 100,
        "recording_cpu_percent": (cpu_b - cpu_a) / wall_a * 100,
        "null_cpu_s": cpu_a,
        "store_cpu_s": cpu_b,
    }


def show_recording(result: dict[str, object]) -> None:
    wall_a, wall_b = float(result["null_median_s"]), float(result["store_median_s"])  # type: ignore[arg-type]
    cpu_a, cpu_b = float(result["null_cpu_s"]), float(result["store_cpu_s"])  # type: ignore[arg-type]
    print(f"recording overhead, {STEPS}-step job ({result['workload']}), {result['kind']}:")
    print(
        f"  median of {result['rounds']} alternating rounds; "
        "imports and the store's schema already warm"
    )
    print(
        f"  wall  null {wall_a * 1000:7.1f} ms   store {wall_b * 1000:7.1f} ms   "
        f"overhead {(wall_b - wall_a) / wall_a * 100:+6.1f} %   (target <= 5 %)"
    )
    print(
        f"  conveyor's own CPU  null {cpu_a * 1000:7.1f} ms   store {cpu_b * 1000:7.1f} ms   "
        f"recording CPU = {(cpu_b - cpu_a) / wall_a * 100:+6.1f} % of the run's wall time"
    )
    null, store = result["null_wall_s"], result["store_wall_s"]
    print("  wall times (ms):  null " + " ".join(f"{t * 1000:.0f}" for t in null))  # type: ignore[attr-defined]
    print("                    store " + " ".join(f"{t * 1000:.0f}" for t in store))  # type: ignore[attr-defined]


def run_row(repo: int, i: int) -> dict[str, object]:
    return {
        "repository_id": repo,
        "workflow": f"wf{i % 12}",
        "workflow_path": f"wf{i % 12}.yml",
        "run_number": i // 12 + 1,
        "event": "push",
        "ref": "refs/heads/main",
        "sha": "a" * 40,
        "attempt": 1,
        "status": "completed",
        "conclusion": "success" if i % 7 else "failure",
        "created_at": 1.7e9 + i,
        "started_at": 1.7e9 + i,
        "finished_at": 1.7e9 + i + 30,
        "cancel_requested": False,
        "inputs": "{}",
        "options": "{}",
    }


def fill_runs(home: Path) -> None:
    store = open_store(home)
    with store.database.write() as conn:
        repo = repository_id(conn, "/bench")
        rows = [run_row(repo, i) for i in range(RUNS)]
        conn.execute(insert(RunRow), rows)
    store.close()


def bench_listing(base: Path) -> None:
    home = base / "listing"
    fill_runs(home)
    os.environ["CONVEYOR_HOME"] = str(home)
    store = open_store(home)
    cases = {
        "newest 20": RunQuery(),
        "--status failure": RunQuery(status="failure"),
        "--workflow wf3": RunQuery(workflow="wf3.yml"),
        "--limit 10000": RunQuery(limit=RUNS),
    }
    print(f"listing over {RUNS} stored runs (in process: open + sweep + query, best of 5):")
    for name, query in cases.items():
        times = []
        for _ in range(5):
            started = time.perf_counter()
            fresh = open_store(home)
            found = fresh.runs.list_runs(query)
            fresh.close()
            times.append(time.perf_counter() - started)
        print(f"  {name:18} {min(times) * 1000:7.1f} ms  ({len(found)} runs)")
    store.close()
    command = [sys.executable, "-c", CLI_SNIPPET]
    for args in (["runs"], ["runs", "--json"], ["runs", "--limit", "10000", "--json"]):
        times = []
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run([*command, *args], check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - started)
        print(
            f"  `conveyor {' '.join(args)}` whole process: {min(times) * 1000:.0f} ms (best of 5)"
        )


CLI_SNIPPET = (
    "import sys; from conveyor.cli import main; "
    "main.COMMANDS.setdefault('runs', 'conveyor.cli.runs_command:runs_command'); "
    "sys.exit(main.run_cli(sys.argv[1:]))"
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=["recording", "listing"])
    parser.add_argument("--json", action="store_true", help="recording figures as JSON")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="recording: rounds of each")
    parser.add_argument("--echo-only", action="store_true", help="recording: 1st workload only")
    options = parser.parse_args(argv)
    only = options.only or ["recording", "listing"]
    # Not /tmp: on some machines creating files there costs ten times more than elsewhere on
    # the same disk, which would measure the temp directory rather than conveyor.
    scratch = Path(os.environ.get("CONVEYOR_BENCH_DIR", Path(__file__).parent / "results"))
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="conveyor-bench-", dir=scratch) as directory:
        base = Path(directory)
        results = []
        workloads = list(WORKLOADS.items())[: 1 if options.echo_only else None]
        for workload, command in workloads:
            if "recording" in only:
                results.append(bench_recording(base, workload, command, options.rounds))
                if not options.json:
                    show_recording(results[-1])
        if options.json:
            print(json.dumps(results, indent=2))
        if "listing" in only:
            bench_listing(base)


if __name__ == "__main__":
    main()
