"""Benchmarks of remote actions (issue 12). Run: .venv/bin/python benchmarks/bench_actions.py

A local Git server (tests/support/git_server.py) serves the actions over smart HTTP
(`git http-backend` behind a threaded http.server on 127.0.0.1) and file://.

1. What a cached remote action adds to its step: `resolve_action` (what the executor does
   before every `uses:` step, twice per top-level step: the pre pass and the step) for
   `acme/greet@v1` fetched by the run's resolver (ref already resolved in this run, entry
   complete; its action.yml read once per process), next to the same action as a configured
   local copy (read at every call: a local copy may change). Target: <= 5 ms.
2. What a run pays once per action repository with a warm cache: the first `fetch` of a new
   run's resolver — by commit id (no git process: the marker and a listdir) and by tag (one
   `git ls-remote`, over file:// and smart HTTP).
3. First fetch of a ~1 MB action over smart HTTP into an empty cache (ls-remote + a depth-1
   fetch + checkout + marker).
4. Whole `conveyor run` processes (CONVEYOR_DAEMON=off), interleaved: a job of STEPS steps
   `uses: acme/greet@v1` served from the cache (one `ls-remote` over file:// per run) against
   the same job with the action as a local copy under CONVEYOR_HOME/actions, and against the
   job with the commit id instead of the tag (no git process at all).

Figures are min / median / max over ROUNDS runs, in milliseconds.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.git_server import GitServer

from conveyor.engine.ports.actions import ActionRegistry
from conveyor.executors.local.action_resolution import LocalAction, resolve_action
from conveyor.executors.local.job_state import ExecutorOptions
from conveyor.executors.local.processes import StopPolicy
from conveyor.git.action_cache import ActionCache
from conveyor.git.action_remote import GitRemote
from conveyor.git.remote_actions import RemoteActionResolver

ROUNDS = 21
HOT_CALLS = 2000
GREET = (
    "name: greet\ninputs:\n  who: {default: world}\nruns:\n  using: composite\n  steps:\n"
    "    - shell: bash\n      run: echo hello ${{ inputs.who }}\n"
)


def spread(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    return f"{ms[0]:8.3f} / {statistics.median(ms):8.3f} / {ms[-1]:8.3f} ms"


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def options(
    home: Path, remote: RemoteActionResolver | None, copies: dict[str, Path]
) -> ExecutorOptions:
    return ExecutorOptions(home, ActionRegistry(), copies, StopPolicy(), remote=remote)


def hot_path(server: GitServer, home: Path, workspace: Path) -> None:
    resolver = RemoteActionResolver(ActionCache(home / "cache"), GitRemote(server.file_url))
    remote = options(home, resolver, {})
    found = resolver.fetch("acme", "greet", "v1")
    copy = {"acme/greet": Path(found.directory)}
    local = options(home, None, copy)
    assert isinstance(resolve_action("acme/greet@v1", workspace, remote), LocalAction)
    assert isinstance(resolve_action("acme/greet@v1", workspace, local), LocalAction)
    per_call: dict[str, list[float]] = {"remote (cached)": [], "local copy": []}
    for _ in range(ROUNDS):
        for name, chosen in (("remote (cached)", remote), ("local copy", local)):
            elapsed = timed(
                lambda chosen=chosen: [  # type: ignore[misc]
                    resolve_action("acme/greet@v1", workspace, chosen) for _ in range(HOT_CALLS)
                ]
            )
            per_call[name].append(elapsed / HOT_CALLS)
    print("1. resolve_action per call (a step calls it twice)")
    for name, values in per_call.items():
        print(f"   {name:18} {spread(values)}")
    added = 2 * statistics.median(per_call["remote (cached)"])
    print(f"   a step with a cached remote action spends {added * 1000:.3f} ms resolving it")
    print("   (the pre pass and the step; target <= 5 ms added)")


def per_run(server: GitServer, home: Path, url: str, label: str) -> None:
    commit = server.rev("acme/greet", "v1")
    cache = ActionCache(home / "cache")
    by_sha, by_tag = [], []
    for _ in range(ROUNDS):
        by_sha.append(
            timed(
                lambda: RemoteActionResolver(cache, GitRemote(url)).fetch("acme", "greet", commit)
            )
        )
        by_tag.append(
            timed(lambda: RemoteActionResolver(cache, GitRemote(url)).fetch("acme", "greet", "v1"))
        )
    print(f"2. first fetch of a run, warm cache ({label})")
    print(f"   by commit id (no git)  {spread(by_sha)}")
    print(f"   by tag (ls-remote)     {spread(by_tag)}")


def big_action(server: GitServer) -> int:
    generator = random.Random(12)
    files: dict[str, str | bytes] = {"action.yml": GREET}
    size = 0
    for index in range(40):
        text = "".join(
            generator.choice("abcdefghijklmnopqrstuvwxyz0123456789 \n{}();") for _ in range(25_000)
        )
        files[f"dist/chunk{index}.js"] = text
        size += len(text)
    server.publish("acme/big", files, tags=("v1",))
    return size


def first_fetch(server: GitServer, root: Path, size: int) -> None:
    with server.http() as served:
        times = []
        for round_ in range(ROUNDS // 2):
            cache = ActionCache(root / f"cold-{round_}")
            resolver = RemoteActionResolver(cache, GitRemote(served.url))
            times.append(timed(lambda resolver=resolver: resolver.fetch("acme", "big", "v1")))  # type: ignore[misc]
    print(f"3. first fetch of a {size / 1e6:.1f} MB action over smart HTTP, empty cache")
    print(f"   {spread(times)}")


STEPS = 10
PROCESS_ROUNDS = 9


def whole_runs(server: GitServer, root: Path) -> None:
    commit = server.rev("acme/greet", "v1")
    home = root / "run-home"
    repos = {
        "remote by tag (cached)": _repo(root / "by-tag", "acme/greet@v1"),
        "remote by commit (cached)": _repo(root / "by-sha", f"acme/greet@{commit}"),
        "local copy": _repo(root / "by-copy", "acme/copy@v1"),
    }
    env = {**os.environ, "CONVEYOR_HOME": str(home), "CONVEYOR_DAEMON": "off"}
    env |= {"CONVEYOR_PLAIN": "1", "CONVEYOR_ACTIONS_URL": server.file_url}
    copy = home / "actions" / "acme" / "copy@v1"
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(
        root / "git-work" / "acme" / "greet", copy, ignore=shutil.ignore_patterns(".git")
    )
    for repo in repos.values():  # warm: the cache, the workflow cache, pyc files
        _conveyor(repo, env)
    times: dict[str, list[float]] = {name: [] for name in repos}
    for _ in range(PROCESS_ROUNDS):
        for name, repo in repos.items():
            times[name].append(timed(lambda repo=repo: _conveyor(repo, env)))  # type: ignore[misc]
    print(f"4. whole conveyor run, one job of {STEPS} steps using the action")
    for name, values in times.items():
        print(f"   {name:26} {spread(values)}")


def _repo(root: Path, uses: str) -> Path:
    steps = "".join(f"      - uses: {uses}\n" for _ in range(STEPS))
    workflow = root / ".github" / "workflows" / "ci.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(f"on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n{steps}")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "x"]):
        subprocess.run(
            ["git", "-c", "user.name=b", "-c", "user.email=b@b", *args], cwd=root, check=True
        )
    return root


def _conveyor(repo: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conveyor", "run", str(repo)],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)


def main() -> None:
    os.umask(0o077)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        server = GitServer(root)
        server.publish("acme/greet", {"action.yml": GREET}, tags=("v1",))
        workspace = root / "workspace"
        workspace.mkdir()
        print(f"load average {os.getloadavg()[0]:.1f}; {ROUNDS} rounds")
        hot_path(server, root / "home", workspace)
        per_run(server, root / "home", server.file_url, "file://")
        with server.http() as served:
            per_run(server, root / "home", served.url, "smart HTTP")
        first_fetch(server, root, big_action(server))
        if "--no-runs" not in sys.argv:
            whole_runs(server, root)


if __name__ == "__main__":
    main()
