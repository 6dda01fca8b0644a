"""Benchmark of conveyor/dependency-review (issue 16): one review, offline, of a 300-package lock
diff in a real git repository — a uv.lock of 150 Python packages and a package-lock.json of 150
npm packages, every version changed between base and head (300 removed + 300 added) — with a
licence data file for all of them (so the job's installed metadata, the shared venv's python
on PATH, is asked for its site paths but not needed), an allow list, and an OSV directory of 303
records (the 3 real ones of tests/data/osv plus one synthetic record per package, half of them
affecting the new version).
Target: <= 2 s. Run: .venv/bin/python benchmarks/bench_natives_dependency.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.native_bots import LinesConsole, invocation, run_native

PACKAGES = 150  # per ecosystem: 300 in all
TARGET_S = 2.0
OSV = Path(__file__).resolve().parents[1] / "tests" / "data" / "osv"


def git(root: Path, *args: str) -> str:
    command = ["git", "-c", "user.email=b@example.com", "-c", "user.name=B", *args]
    return subprocess.run(command, cwd=root, check=True, capture_output=True, text=True).stdout


def uv_lock(minor: int) -> str:
    blocks = [f'[[package]]\nname = "py-{n}"\nversion = "1.{minor}.{n}"\n' for n in range(PACKAGES)]
    return "version = 1\n\n" + "\n".join(blocks)


def npm_lock(minor: int) -> str:
    packages = {f"node_modules/js-{n}": {"version": f"2.{minor}.{n}"} for n in range(PACKAGES)}
    return json.dumps({"lockfileVersion": 3, "packages": {"": {}, **packages}}, indent=2)


def commit(root: Path, minor: int) -> str:
    (root / "uv.lock").write_text(uv_lock(minor))
    (root / "package-lock.json").write_text(npm_lock(minor))
    git(root, "add", "-A")
    git(root, "commit", "-qm", f"versions {minor}")
    return git(root, "rev-parse", "HEAD").strip()


def data(scratch: Path) -> tuple[Path, Path]:
    osv = scratch / "osv"
    osv.mkdir()
    for source in OSV.rglob("*.json"):
        (osv / source.name).write_text(source.read_text())
    for ecosystem, prefix, major in (("PyPI", "py", 1), ("npm", "js", 2)):
        for n in range(PACKAGES):
            fixed = f"{major}.{2 if n % 2 else 1}.0"  # odd ones: the new version is affected
            events = [{"introduced": "0"}, {"fixed": fixed}]
            record = {"id": f"BENCH-{prefix}-{n}", "affected": [{
                "package": {"ecosystem": ecosystem, "name": f"{prefix}-{n}"},
                "ranges": [{"type": "ECOSYSTEM", "events": events}]}]}  # fmt: skip
            (osv / f"BENCH-{prefix}-{n}.json").write_text(json.dumps(record))
    table = {
        "pip": {f"py-{n}": {"*": "MIT OR Apache-2.0"} for n in range(PACKAGES)},
        "npm": {f"js-{n}": {"*": "MIT"} for n in range(PACKAGES)},
    }
    licences = scratch / "licences.json"
    licences.write_text(json.dumps(table))
    return osv, licences


def measure(scratch: Path) -> tuple[float, int, int]:
    work = scratch / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    before, after = commit(work, 0), commit(work, 1)
    osv, licences = data(scratch)
    inputs = {"osv-data": str(osv), "license-data": str(licences), "allow-licenses": "MIT"}
    github = {"event": {"before": before, "after": after}}
    env = {"PATH": str(Path(sys.executable).parent)}
    call = invocation("conveyor/dependency-review@v1", scratch, inputs, github=github, env=env,
                      workspace=work)  # fmt: skip
    started = time.perf_counter()
    outcome = run_native(call, LinesConsole())
    elapsed = time.perf_counter() - started
    changes = json.loads(outcome.outputs["dependency-changes"])
    return elapsed, len(changes), len(json.loads(outcome.outputs["vulnerable-changes"]))


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        elapsed, changes, vulnerable = measure(Path(scratch))
    print(
        f"conveyor/dependency-review of a {2 * PACKAGES}-package lock diff ({changes} changes, "
        f"{vulnerable} vulnerable): {elapsed:.2f} s (target <= {TARGET_S:.0f} s)"
    )
    return 0 if elapsed <= TARGET_S and changes == 4 * PACKAGES and vulnerable == PACKAGES else 1


if __name__ == "__main__":
    raise SystemExit(main())
