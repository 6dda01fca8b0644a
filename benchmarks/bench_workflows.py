"""The workflows bench_engine.py runs, and the git repositories that hold them."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

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
TEN_LINES = "for n in 1 2 3 4 5 6 7 8 9 10; do echo line $n; done"


def fanout_workflow(width: int = 28) -> str:
    """root → `width` jobs → sink, each one step of `sleep 0.2`."""
    lines = ["on: push", "jobs:", "  root:", "    runs-on: ubuntu-latest"]
    lines += ["    steps: [{run: sleep 0.2}]"]
    for index in range(width):
        lines += [f"  mid{index}:", "    needs: root", "    runs-on: ubuntu-latest"]
        lines += ["    steps: [{run: sleep 0.2}]"]
    mids = ", ".join(f"mid{i}" for i in range(width))
    lines += ["  sink:", f"    needs: [{mids}]", "    runs-on: ubuntu-latest"]
    lines += ["    steps: [{run: sleep 0.2}]"]
    return "\n".join(lines) + "\n"


def steps_workflow(count: int, command: str = "'true'") -> str:
    """One job of `count` steps running `command`."""
    steps = "\n".join(f"      - run: {command}" for _ in range(count))
    return f"on: push\njobs:\n  steps:\n    runs-on: ubuntu-latest\n    steps:\n{steps}\n"


def echo_steps_workflow(count: int) -> str:
    """bench_store.py's workload: `count` steps printing 10 lines each."""
    return steps_workflow(count, TEN_LINES)


def make_repo(repo: Path, workflows: dict[str, str]) -> Path:
    """A git repository at `repo` with these files in .github/workflows, committed."""
    folder = repo / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name, text in workflows.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    author = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    for args in (["init", "-q", "-b", "main"], [*author, "add", "-A"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    commit = [*author, "commit", "-qm", "bench"]
    subprocess.run(["git", *commit], cwd=repo, check=True, capture_output=True)
    return repo
