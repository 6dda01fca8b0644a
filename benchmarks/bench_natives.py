"""Benchmark: conveyor's repository-automation actions (issue 16).

Run: .venv/bin/python benchmarks/bench_natives.py [--repeat N]

- labeler: a pull request touching 5,000 files (a real git repository, base and head commits),
  `.github/labeler.yml` with 20 labels using every changed-files rule, branch rules, `any`/`all`,
  plus size labels: `Labeler.run` end to end without a forge (the files from `git diff
  --numstat`, the label changes printed). Target ≤ 1 s. "cold" clears the compiled globs first.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from conveyor.actions.labeler import Labeler
from conveyor.actions.minimatch import compile_glob
from conveyor.engine.ports.actions import ActionInvocation, ActionPhase, parse_action_ref

FILES = 5_000
TARGET_S = 1.0
TOPS = ("src", "docs", "tests", "web/app", "scripts", ".github/workflows")
EXTS = ("py", "md", "ts", "yml", "json")


def config() -> str:
    rules = []
    for index, top in enumerate(TOPS):
        rules.append(
            f"{top.replace('/', '-')}:\n- changed-files:\n  - any-glob-to-any-file: ['{top}/**']"
        )
        rules.append(f"only-{index}:\n- changed-files:\n  - any-glob-to-all-files: '{top}/**'")
        rules.append(
            f"typed-{index}:\n- all:\n  - changed-files:\n"
            f"    - all-globs-to-any-file: ['{top}/**', '**/*.{EXTS[index % 5]}']\n"
            "  - head-branch: ['^feature/']"
        )
    rules.append("py-only:\n- changed-files:\n  - all-globs-to-all-files: ['**/*.py', '!docs/**']")
    rules.append("base-main:\n- base-branch: '^main$'")
    return "\n".join(rules) + "\n"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=b@e", "-c", "user.name=B", *args],
        cwd=root, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip()


def repository(root: Path) -> tuple[str, str]:
    (root / ".github").mkdir(parents=True)
    (root / ".github/labeler.yml").write_text(config())
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    base = git(root, "rev-parse", "HEAD")
    for index in range(FILES):
        path = root / TOPS[index % len(TOPS)] / f"d{index % 37}" / f"f{index}.{EXTS[index % 5]}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"line {index}\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "head")
    return base, git(root, "rev-parse", "HEAD")


class QuietConsole:
    def log(self, line: str) -> None:
        pass

    def run(self, argv: Sequence[str], *, cwd: str, env: Mapping[str, str] | None = None) -> int:
        raise AssertionError(argv)

    def cancelled(self) -> bool:
        return False

    def contains_secret(self, text: str) -> bool:
        return False


def invocation(root: Path, base: str, head: str) -> ActionInvocation:
    ref = parse_action_ref("conveyor/labeler@v1")
    assert ref is not None
    pull = {
        "number": 1,
        "base": {"ref": "main", "sha": base},
        "head": {"ref": "feature/x", "sha": head},
    }
    where = str(root)
    return ActionInvocation(
        ref, ActionPhase.MAIN, {"sync-labels": "true"}, {}, where, where, where, where, where,
        "1", "job", where, head, {"event": {"pull_request": pull}},
    )  # fmt: skip


def timed(call: ActionInvocation, cold: bool) -> float:
    if cold:
        compile_glob.cache_clear()
    start = time.perf_counter()
    outcome = Labeler().run(call, QuietConsole())
    elapsed = time.perf_counter() - start
    assert outcome.error is None, outcome.error
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        base, head = repository(root)
        call = invocation(root, base, head)
        cold = statistics.median(timed(call, True) for _ in range(repeat))
        warm = statistics.median(timed(call, False) for _ in range(repeat))
    print("| measure | result | target |\n|---|---|---|")
    measure = f"labeler, PR of {FILES:,} files, cold (median of {repeat})"
    print(f"| {measure} | {cold:.3f} s | ≤ {TARGET_S} s |")
    print(f"| labeler, PR of {FILES:,} files, warm | {warm:.3f} s | — |")
    return 0 if cold <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
