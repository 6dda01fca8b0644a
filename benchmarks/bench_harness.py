"""How bench_engine.py times a command: whole processes, interleaved with their peer, medians.

Each run is one fresh process started with Popen and reaped with os.wait4, which returns the
kernel's own accounting of the finished process tree: user + system CPU of the command and every
descendant it waited for, and ru_maxrss, the high-water mark of the largest single process in
that tree (Linux keeps the maximum over a process and its reaped children). That figure is exact
(no sampling can miss a short peak), costs nothing while the command runs and covers the step
shells and git processes as well as conveyor or act itself. It is not a sum: processes running
at the same time are not added up, and a process that outlives the command (a daemon) is not
counted. The sum over the tree is sampled separately (`tree_sum_peak`, psutil every 5 ms) in
runs whose wall time is not used, since sampling competes with the command for the CPU; it sums
the proportional set size (PSS: each shared page divided among the processes that share it), as
a sum of RSS would count a forked child's copy-on-write pages, and every shared library, twice.

Commands compared with each other run in turn, A B A B …, after one warm-up each, so that the
machine's drift and other people's load fall on both; figures are min / median / max and
comparisons the ratio of the medians.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_INTERVAL = 0.005  # seconds between psutil looks at a process tree


@dataclass(frozen=True)
class Command:
    """A command line to time, where and with which environment."""

    argv: tuple[str, ...]
    cwd: Path | None = None
    env: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Sample:
    """One finished run: wall seconds, CPU seconds of the tree, peak RSS in MiB, exit status."""

    wall: float
    cpu: float
    peak_mib: float
    exit: int


@dataclass(frozen=True)
class Spread:
    """min / median / max of one figure over several runs."""

    low: float
    median: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(min(values), statistics.median(values), max(values))

    def scaled(self, factor: float) -> Spread:
        return Spread(self.low * factor, self.median * factor, self.high * factor)

    def as_json(self, digits: int = 4) -> dict[str, float]:
        return {
            "min": round(self.low, digits),
            "median": round(self.median, digits),
            "max": round(self.high, digits),
        }


@dataclass
class Series:
    """The samples of one command over the counted runs."""

    samples: list[Sample] = field(default_factory=list)

    def wall(self) -> Spread:
        return Spread.of([s.wall for s in self.samples])

    def peak(self) -> Spread:
        return Spread.of([s.peak_mib for s in self.samples])

    def cpu(self) -> Spread:
        return Spread.of([s.cpu for s in self.samples])

    def exits(self) -> list[int]:
        return sorted({s.exit for s in self.samples})


def run_once(command: Command) -> Sample:
    """Run the command to its end, output thrown away; the kernel's figures for its tree."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command.argv,
        cwd=command.cwd,
        env=dict(command.env) if command.env is not None else None,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(wall, cpu, usage.ru_maxrss / 1024, process.returncode)


def interleaved(
    commands: Sequence[Command],
    repeat: int,
    warmup: int = 1,
    run: Callable[[Command], Sample] = run_once,
) -> list[Series]:
    """Each command `warmup` + `repeat` times in turn (A B A B …); the counted runs of each."""
    series = [Series() for _ in commands]
    for round_number in range(warmup + repeat):
        for command, collected in zip(commands, series, strict=True):
            sample = run(command)
            if round_number >= warmup:
                collected.samples.append(sample)
    return series


def tree_sum_peak(command: Command) -> Sample:
    """Like run_once, but peak_mib is the largest sum of PSS over the process and all its
    descendants seen by sampling every SAMPLE_INTERVAL."""
    import psutil  # type: ignore[import-untyped]

    peak = [0]
    done = threading.Event()

    def sample(pid: int) -> None:
        root = psutil.Process(pid)
        while not done.is_set():
            peak[0] = max(peak[0], _tree_pss(root, psutil))
            done.wait(SAMPLE_INTERVAL)

    started = time.perf_counter()
    process = subprocess.Popen(
        command.argv,
        cwd=command.cwd,
        env=dict(command.env) if command.env is not None else None,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    sampler = threading.Thread(target=sample, args=(process.pid,), daemon=True)
    sampler.start()
    code = process.wait()
    done.set()
    sampler.join()
    return Sample(time.perf_counter() - started, 0.0, peak[0] / 2**20, code)


def _tree_pss(root: object, psutil: object) -> int:
    total = 0
    try:
        processes = [root, *root.children(recursive=True)]  # type: ignore[attr-defined]
    except psutil.Error:  # type: ignore[attr-defined]
        return 0
    for process in processes:
        try:
            total += process.memory_full_info().pss
        except psutil.Error:  # type: ignore[attr-defined]
            continue
    return total


def paired(a: Series, b: Series, figure: Callable[[float, float], float]) -> Spread:
    """`figure` of the two medians, between the smallest and largest `figure` of one round's
    runs (the i-th run of each, made one after the other)."""
    rounds = [figure(x.wall, y.wall) for x, y in zip(a.samples, b.samples, strict=True)]
    return Spread(min(rounds), figure(a.wall().median, b.wall().median), max(rounds))


def ratio(ours: Spread, theirs: Spread) -> float:
    """conveyor / act, of the medians."""
    return ours.median / theirs.median if theirs.median else float("inf")
