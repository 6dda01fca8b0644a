"""Benchmark conveyor.expr: cached evaluations per second and parses per second, on one core.

Run: .venv/bin/python benchmarks/bench_expr.py [--seconds S]
Targets (issue 3): >= 300,000 cached evaluations/s of a typical `if:`, >= 50,000 parses/s.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

from conveyor.errors import ExpressionError
from conveyor.expr import (
    clear_caches,
    evaluate,
    evaluate_condition,
    find_expressions,
    interpolate,
    parse,
)

SHARED = Path(os.environ.get("CONVEYOR_SHARED", Path(__file__).resolve().parents[2] / "shared"))

CONTEXTS: dict[str, object] = {
    "github": {
        "event_name": "push",
        "ref": "refs/heads/main",
        "event": {"pull_request": {"labels": [{"name": "bug"}, {"name": "ci"}]}},
        "workspace": "/tmp",
    },
    "matrix": {"os": "ubuntu-latest", "python": "3.12"},
    "needs": {"build": {"result": "success", "outputs": {"version": "1.2.3"}}},
    "steps": {"test": {"outcome": "success", "outputs": {"coverage": "91"}}},
    "env": {"CI": "true"},
    "inputs": {},
    "vars": {},
}
IF_EXPRESSION = "github.event_name == 'push' && contains(github.ref, 'main')"
# Typical expressions: the shapes found in real workflows (../shared/real-world-workflows holds
# 1,536 distinct ones, 5.7 tokens on average, median 3), from short to long.
TYPICAL = [
    "matrix.os",
    "secrets.GITHUB_TOKEN",
    "github.event_name == 'push'",
    "runner.os == 'Windows'",
    "steps.cache.outputs.cache-hit != 'true'",
    "needs.build.outputs.version",
    "!cancelled()",
    "inputs.debug || false",
    "fromJSON(needs.setup.outputs.matrix)",
    "startsWith(github.ref, 'refs/tags/v')",
    "format('{0}-{1}', runner.os, hashFiles('**/requirements.txt'))",
    IF_EXPRESSION,
    "github.event_name == 'pull_request' && !github.event.pull_request.draft",
    "contains(github.event.pull_request.labels.*.name, 'ci') || github.event_name == 'schedule'",
]
HEAVY = [
    "github.event_name == 'pull_request' && contains(github.event.pull_request.labels.*.name, 'x')",
    "matrix.os == 'ubuntu-latest' && matrix.python != '3.8' && (success() || failure())",
    "needs.build.result == 'success' && steps.test.outcome != 'failure' && !cancelled()",
    "format('{0}-{1}-{2}', matrix.os, needs.build.outputs.version, github.sha)",
]


def rate(action: Callable[[], object], seconds: float) -> float:
    """Calls per second of `action` over about `seconds`."""
    count, batch = 0, 1000
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(batch):
            action()
        count += batch
    return count / elapsed


def parse_uncached(expressions: list[str]) -> Callable[[], object]:
    state = {"index": 0}

    def action() -> object:
        index = state["index"] = (state["index"] + 1) % len(expressions)
        clear_caches()
        return parse(expressions[index])

    return action


def real_world_expressions() -> list[str]:
    """Every distinct `${{ }}` expression of ../shared/real-world-workflows (if present)."""
    found: set[str] = set()
    for path in sorted((SHARED / "real-world-workflows").rglob("*.y*ml")):
        try:
            text = path.read_text(encoding="utf-8")
            found.update(span.source for span in find_expressions(text) if span.source)
        except (OSError, UnicodeDecodeError, ExpressionError):
            continue
    return sorted(found)


def measurements(seconds: float) -> list[tuple[str, int | None, float]]:
    """(name, target or None, operations per second) for each benchmark."""
    template = "v${{ needs.build.outputs.version }}-${{ matrix.os }}"
    rows: list[tuple[str, int | None, float]] = [
        ("evaluate, cached `if:` expression", 300_000, rate(evaluate_if, seconds)),
        ("evaluate_condition, cached", None, rate(evaluate_if_condition, seconds)),
        (
            "interpolate, cached template",
            None,
            rate(lambda: interpolate(template, CONTEXTS), seconds),
        ),
        ("parse, cache cleared, typical mix", 50_000, rate(parse_uncached(TYPICAL), seconds)),
        ("parse, cache cleared, long conditions", None, rate(parse_uncached(HEAVY), seconds)),
    ]
    real_world = real_world_expressions()
    if real_world:
        name = f"parse, cache cleared, {len(real_world)} real-world"
        rows.append((name, 50_000, rate(parse_uncached(real_world), seconds)))
    return rows


def evaluate_if() -> object:
    return evaluate(IF_EXPRESSION, CONTEXTS)


def evaluate_if_condition() -> object:
    return evaluate_condition(IF_EXPRESSION, CONTEXTS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    seconds = parser.parse_args().seconds
    print(f"{'benchmark (one core)':<42} {'ops/s':>10} {'target':>9}  met")
    for name, target, measured in measurements(seconds):
        verdict = "-" if target is None else ("yes" if measured >= target else "NO")
        target_text = "-" if target is None else f"{target:,}"
        print(f"{name:<42} {measured:>10,.0f} {target_text:>9}  {verdict}")


if __name__ == "__main__":
    main()
