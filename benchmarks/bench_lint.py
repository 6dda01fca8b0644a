"""Benchmark `conveyor lint`: files per second on 1,000 realistic workflows, and start-up time.

    .venv/bin/python benchmarks/bench_lint.py [--files 1000] [--repeat 3] [--source DIR]

The workflows are copies of the real-world corpus (../shared/real-world-workflows, or --source,
or $CONVEYOR_SHARED/real-world-workflows), written to a temporary directory under new names; the
linter runs in this process on one core, with the expression caches cleared before each pass. The
first number is one pass over the distinct files only (no file seen twice).
Targets (issue 2): >= 500 files/s, `conveyor --version` < 150 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PLACEHOLDERS = {
    "$default-branch": "main",
    "$protected-branches": "main",
    "$cron-weekly": "'0 0 * * 0'",
    "$cron-daily": "'0 0 * * *'",
    "$codeql-languages-matrix": "language: ['python']",
}


def corpus_dir(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    shared = Path(os.environ.get("CONVEYOR_SHARED", REPO.parent / "shared"))
    return shared / "real-world-workflows"


def sources(directory: Path) -> list[str]:
    files = sorted(p for p in directory.rglob("*") if p.suffix in (".yml", ".yaml"))
    if not files:
        sys.exit(f"no workflow files under {directory}")
    texts = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for placeholder, value in PLACEHOLDERS.items():
            text = text.replace(placeholder, value)
        texts.append(text)
    return texts


def write_copies(texts: list[str], count: int, target: Path) -> int:
    total = 0
    for index in range(count):
        text = texts[index % len(texts)]
        (target / f"workflow-{index:05d}.yml").write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
    return total


def clear_caches() -> None:
    """Forget parsed expressions, so repeated passes are not faster than the first one."""
    from conveyor.expr import clear_caches as clear_expr_caches
    from conveyor.workflow.expression_checks import analyse

    clear_expr_caches()
    analyse.cache_clear()


def bench_lint(target: Path, count: int, repeat: int) -> list[float]:
    from conveyor.workflow import lint_paths

    rates = []
    for _ in range(repeat):
        clear_caches()
        start = time.perf_counter()
        diagnostics = lint_paths([target])
        elapsed = time.perf_counter() - start
        rates.append(count / elapsed)
    errors = sum(1 for d in diagnostics if d.severity == "error")
    print(f"lint: {len(diagnostics)} diagnostics ({errors} errors) per pass")
    return rates


def bench_startup(runs: int) -> list[float]:
    script = Path(sys.executable).parent / "conveyor"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "conveyor"]
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*command, "--version"], check=True, capture_output=True)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--startup-runs", type=int, default=10)
    parser.add_argument("--source", default=None, help="directory of workflow files to copy")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    texts = sources(corpus_dir(args.source))
    target = Path(tempfile.mkdtemp(prefix="conveyor-bench-lint-"))
    try:
        write_copies(texts, len(texts), target)
        (distinct,) = bench_lint(target, len(texts), 1)
        print(f"lint: {distinct:.0f} files/s on the {len(texts)} distinct files (first pass)")
        for old in target.iterdir():
            old.unlink()
        size = write_copies(texts, args.files, target)
        print(f"{args.files} files ({size / args.files / 1024:.1f} KiB each on average)")
        rates = bench_lint(target, args.files, args.repeat)
        print(f"lint: best {max(rates):.0f} files/s, median {statistics.median(rates):.0f} files/s")
    finally:
        shutil.rmtree(target, ignore_errors=True)
    timings = bench_startup(args.startup_runs)
    print(
        f"conveyor --version: median {statistics.median(timings):.0f} ms,"
        f" best {min(timings):.0f} ms"
    )


if __name__ == "__main__":
    main()
