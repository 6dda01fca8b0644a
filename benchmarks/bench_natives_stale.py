"""Benchmark of conveyor/stale (issue 16): one run over 2,000 open issues on the local forge
(real uvicorn on 127.0.0.1, a real SQLite store, a write token), 50 of them due and 1,950 exempt
by label, marked within one `operations-per-run` budget of 100 (a comment and a label each).
Target: <= 5 s. Run: .venv/bin/python benchmarks/bench_natives_stale.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.http_server import running_app
from tests.support.native_bots import LinesConsole, invocation, run_native

from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter
from conveyor.server.token_verifier import StoreTokenVerifier
from conveyor.store import StoreHandle, open_store
from conveyor.store.api_tokens import SqlTokenStore
from conveyor.store.forge_data import forge_data
from conveyor.store.served_repositories import ServedRepository, served_repositories

REPO = "octo/app"
ISSUES, EVERY = 2000, 40  # every 40th issue is due: 50 to mark
TARGET_S = 5.0


def seed(store: StoreHandle) -> None:
    served_repositories(store).add(ServedRepository(REPO, "/nowhere", "main", False, 0), None)
    data = forge_data(store)
    for n in range(ISSUES):
        made = data.issues.create(REPO, f"issue {n}", "text " * 20, "alice")
        if n % EVERY:
            data.labels.add(made.id, REPO, ["pinned"])


def measure(scratch: Path) -> tuple[float, int]:
    store = open_store(scratch)
    try:
        seed(store)
        token = SqlTokenStore(store.database).create("bench", "write")  # type: ignore[arg-type]
        context = ServerContext(
            scratch, store, FakeStarter(), FakeControl(), StoreTokenVerifier.of(store)
        )
        with running_app(create_app(context)) as url:
            github = {"api_url": f"{url}/api/v3", "repository": REPO, "token": token}
            inputs = {"stale-issue-message": "Stale.", "exempt-issue-labels": "pinned",
                      "operations-per-run": "100"}  # fmt: skip
            env = {"CONVEYOR_STALE_NOW": str(time.time() + 61 * 86400)}
            call = invocation("conveyor/stale@v1", scratch, inputs, github=github, env=env)
            started = time.perf_counter()
            outcome = run_native(call, LinesConsole())
            elapsed = time.perf_counter() - started
        return elapsed, len(json.loads(outcome.outputs["staled-issues-prs"]))
    finally:
        store.close()


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        elapsed, staled = measure(Path(scratch))
    print(
        f"conveyor/stale over {ISSUES} open issues, {staled} marked (100 operations): "
        f"{elapsed:.2f} s (target <= {TARGET_S:.0f} s)"
    )
    return 0 if elapsed <= TARGET_S and staled == ISSUES // EVERY else 1


if __name__ == "__main__":
    raise SystemExit(main())
