"""benchmarks/: the timing harness measures the whole process tree, runs commands in turn, and
replays act's corpus with the arguments act recorded; bench_engine.py runs without act."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from benchmarks import act_corpus_replay, bench_harness

from tests.conftest import SHARED

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
# A child that starts a grandchild holding 64 MiB, then exits 3.
GRANDCHILD_ALLOCATES = (
    "import subprocess, sys; "
    "subprocess.run([sys.executable, '-c', 'b = bytearray(64 << 20); b[::4096] = b\"x\" * 16384']);"
    " sys.exit(3)"
)


def test_a_run_reports_the_peak_of_its_largest_descendant_and_its_exit() -> None:
    sample = bench_harness.run_once(
        bench_harness.Command((sys.executable, "-c", GRANDCHILD_ALLOCATES))
    )
    assert sample.exit == 3
    assert sample.peak_mib >= 64
    assert sample.wall > 0
    assert sample.cpu > 0


def test_the_tree_sum_sees_the_grandchild() -> None:
    command = bench_harness.Command(
        (
            sys.executable,
            "-c",
            GRANDCHILD_ALLOCATES.replace("b[::4096]", "import time; time.sleep(0.3); b[::4096]"),
        )
    )
    sample = bench_harness.tree_sum_peak(command)
    assert sample.exit == 3
    assert sample.peak_mib >= 64


def test_commands_run_in_turn_and_warm_ups_are_not_counted() -> None:
    order: list[str] = []

    def run(command: bench_harness.Command) -> bench_harness.Sample:
        order.append(command.argv[0])
        return bench_harness.Sample(float(len(order)), 0.0, 0.0, 0)

    a, b = bench_harness.Command(("a",)), bench_harness.Command(("b",))
    series = bench_harness.interleaved([a, b], repeat=2, warmup=1, run=run)
    assert order == ["a", "b", "a", "b", "a", "b"]
    assert [s.wall for s in series[0].samples] == [3.0, 5.0]
    assert series[1].wall() == bench_harness.Spread(4.0, 5.0, 6.0)


@pytest.mark.shared
def test_every_offline_case_act_ran_is_replayed() -> None:
    cases = act_corpus_replay.load_cases(SHARED / "act-corpus")
    assert len(cases) == 82
    assert len({case.key for case in cases}) == 78
    by_key = {case.key: case for case in cases}
    secrets = by_key["secrets"]
    assert secrets.conveyor_args == (
        "-e", "push", "--env", "ACT=true", "-W", "secrets",
        "--secret-file", "secrets/.secrets", "--env-file", "secrets/.env",
    )  # fmt: skip
    assert "-C" not in secrets.act_args
    assert by_key["uses-workflow#pull_request"].conveyor_args[-2:] == (
        "--secret",
        "secret=keep_it_private",
    )
    assert by_key["issue-1595"].conveyor_args[:2] == ("-e", "push")
    # act keeps the extra platforms a matrix over several runners needs
    assert "macos-latest=-self-hosted" in by_key["matrix"].act_args


def test_bench_engine_without_act_says_so_and_measures_conveyor(tmp_path: Path) -> None:
    env = {**os.environ, "CONVEYOR_BENCH_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    env.pop("CONVEYOR_BENCH_ACT", None)
    script = ROOT / "benchmarks" / "bench_engine.py"
    args = ["--only", "version", "--repeat", "1", "--json", "--act", str(tmp_path / "no-act")]
    args += ["--conveyor", f"{sys.executable} -m conveyor"]
    done = subprocess.run(
        [sys.executable, str(script), *args], env=env, capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout)
    assert result["act"].startswith("not found")
    (measure,) = result["measures"]
    assert measure["act"] is None
    assert measure["conveyor"]["median"] > 0
    assert list(tmp_path.iterdir()) == []  # its scratch directory is removed


def test_a_difference_is_taken_of_the_medians_with_its_range_over_rounds() -> None:
    def series(*walls: float) -> bench_harness.Series:
        return bench_harness.Series([bench_harness.Sample(w, 0.0, 0.0, 0) for w in walls])

    many, one = series(1.0, 1.2, 3.0), series(0.1, 0.1, 0.2)
    spread = bench_harness.paired(many, one, lambda a, b: a - b)
    assert (spread.low, spread.median, spread.high) == pytest.approx((0.9, 1.1, 2.8))


def test_bench_engine_measures_nothing_when_conveyor_does_not_run(tmp_path: Path) -> None:
    env = {**os.environ, "CONVEYOR_BENCH_DIR": str(tmp_path)}
    script = ROOT / "benchmarks" / "bench_engine.py"
    broken = shlex.join(
        [sys.executable, "-c", "import sys; sys.exit('no module conveyor.nowhere')"]
    )
    done = subprocess.run(
        [sys.executable, str(script), "--only", "version", "--conveyor", broken],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "conveyor does not run, nothing measured" in done.stderr
    assert "no module conveyor.nowhere" in done.stderr
    assert done.stdout == ""


def test_per_step_overhead_is_reported_above_the_bare_shell_spawn(tmp_path: Path) -> None:
    """Issue 11: conveyor's overhead per trivial step is its per-step wall minus the same
    shell, with the same environment, spawned by a bare Python loop in the same run."""
    env = {**os.environ, "CONVEYOR_BENCH_DIR": str(tmp_path)}
    script = ROOT / "benchmarks" / "bench_engine.py"
    args = ["--only", "steps", "--repeat", "1", "--json", "--act", str(tmp_path / "no-act")]
    args += ["--conveyor", f"{sys.executable} -m conveyor"]
    done = subprocess.run(
        [sys.executable, str(script), *args], env=env, capture_output=True, text=True, check=True
    )
    rows = {m["measure"]: m for m in json.loads(done.stdout)["measures"]}
    wall = rows["per trivial step, wall ((100 `true` steps − 1) / 99)"]
    floor = rows["the same shell spawned by a bare Python loop, per spawn"]
    overhead = rows["conveyor's overhead per trivial step (wall − bare shell spawn)"]
    assert floor["conveyor"]["median"] > 0
    assert overhead["conveyor"]["median"] == pytest.approx(
        wall["conveyor"]["median"] - floor["conveyor"]["median"], abs=1e-3
    )
    assert overhead["target"] == "≤ 1 ms"


def test_the_recording_rows_say_they_cannot_measure_through_a_daemon(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_engine  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    bench = bench_engine.Bench(
        conveyor=(sys.executable, "-m", "conveyor"),
        act=None,
        env=dict(os.environ),
        scratch=tmp_path,
        repeat=1,
        corpus_passes=1,
        daemon=True,
    )
    rows = bench_engine.bench_recording(bench)
    assert rows
    assert all(row.conveyor is None for row in rows)
    assert all("daemon" in row.note for row in rows)
