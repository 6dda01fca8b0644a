"""Benchmark: decide 50 workflows against a push of 10,000 changed paths (target < 100 ms).

Run: .venv/bin/python benchmarks/bench_triggers.py [--repeat N]

Cases:
- mixed: 50 workflows with branch filters and varied `paths` / `paths-ignore` lists (with `!`).
- worst: every workflow has to look at all 10,000 files (`paths-ignore` matching every file, or
  `paths` matching none), so nothing short-circuits.
"cold" includes compiling the pattern lists (cache cleared first); "warm" reuses them.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from conveyor.errors import SourceLocation
from conveyor.model.events import Event
from conveyor.model.triggers import EventTrigger, FilterList, Triggers
from conveyor.triggers import compile_patterns, match_workflow
from conveyor.triggers.patterns import compile_pattern

HERE = SourceLocation("bench.yml")
WORKFLOWS = 50
CHANGED_PATHS = 10_000
TARGET_MS = 100.0


def changed_paths(count: int, seed: int = 7) -> tuple[str, ...]:
    rng = random.Random(seed)
    tops = ["src", "services", "libs", "docs", "tests", "web/app", "scripts", "assets"]
    exts = ["py", "ts", "tsx", "md", "json", "yml", "css", "sql", "png"]
    paths = set()
    while len(paths) < count:
        depth = rng.randint(1, 4)
        dirs = "/".join(f"d{rng.randint(0, 40)}" for _ in range(depth))
        name = f"f{rng.randint(0, 999)}.{rng.choice(exts)}"
        paths.add(f"{rng.choice(tops)}/svc{rng.randint(0, 60)}/{dirs}/{name}")
    return tuple(sorted(paths))


def _filters(*patterns: str) -> FilterList:
    return FilterList(tuple(patterns), HERE)


def mixed_workflow(index: int) -> Triggers:
    kind = index % 3
    if kind == 0:
        push = EventTrigger(
            "push",
            HERE,
            branches=_filters("main", "release/**"),
            paths=_filters(f"services/svc{index}/**", "libs/common/**", "!**/*.md"),
        )
    elif kind == 1:
        push = EventTrigger(
            "push", HERE, paths_ignore=_filters("docs/**", "**.md", f"assets/svc{index}/**")
        )
    else:
        push = EventTrigger(
            "push",
            HERE,
            branches_ignore=_filters("dependabot/**"),
            paths=_filters(f"web/app/svc{index}/**/*.ts?", "**/migrations/*.sql"),
        )
    return Triggers((push,), HERE)


def worst_workflow(index: int) -> Triggers:
    if index % 2:
        push = EventTrigger("push", HERE, paths_ignore=_filters("**", f"!nothing{index}/**"))
    else:
        push = EventTrigger("push", HERE, paths=_filters(f"nowhere{index}/**", "**/*.exe"))
    return Triggers((push,), HERE)


def decide_all(workflows: list[Triggers], event: Event) -> int:
    return sum(match_workflow(triggers, event).fires for triggers in workflows)


def measure(run: Callable[[], int], repeat: int, *, cold: bool) -> tuple[float, int]:
    timings = []
    fired = 0
    for _ in range(repeat):
        if cold:
            compile_patterns.cache_clear()
            compile_pattern.cache_clear()
        start = time.perf_counter()
        fired = run()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), fired


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    files = changed_paths(CHANGED_PATHS)
    event = Event("push", ref="refs/heads/main", sha="0" * 40, changed_files=files)
    cases = {
        "mixed": [mixed_workflow(i) for i in range(WORKFLOWS)],
        "worst": [worst_workflow(i) for i in range(WORKFLOWS)],
    }
    worst_ms = 0.0
    print(f"{WORKFLOWS} workflows x {len(files)} changed paths (median of {args.repeat} runs)")
    for name, workflows in cases.items():
        for cold in (True, False):
            ms, fired = measure(lambda w=workflows: decide_all(w, event), args.repeat, cold=cold)
            worst_ms = max(worst_ms, ms)
            label = "cold" if cold else "warm"
            print(f"  {name:6} {label}: {ms:7.2f} ms  ({fired} of {WORKFLOWS} fire)")
    verdict = "OK" if worst_ms < TARGET_MS else "TOO SLOW"
    print(f"slowest case {worst_ms:.2f} ms; target < {TARGET_MS:.0f} ms: {verdict}")
    return 0 if worst_ms < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
