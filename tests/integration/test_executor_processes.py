"""LocalExecutor: process control — timeouts, cancel, SIGTERM-ignoring children, leftovers,
and flat memory with huge or binary output."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conveyor.executors.local import StopPolicy
from conveyor.model.results import Conclusion
from tests.unit.executors.harness import (
    RecordingReporter,
    document,
    make_repo,
    outcomes,
    run_job,
    steps,
)

pytestmark = pytest.mark.integration

# A shell that ignores SIGINT/SIGTERM and starts a child that ignores them too, both sleeping.
STUBBORN = "trap '' INT TERM\n(trap '' INT TERM; sleep 300) &\nsleep 300\n"


def processes_with(marker: str) -> list[int]:
    """Live (non-zombie) processes whose environment or command line holds `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            blob = (entry / "environ").read_bytes() + (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if state not in ("Z", "X") and marker.encode() in blob:
            found.append(int(entry.name))
    return found


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "demo")


def test_step_timeout_kills_stubborn_children(repo: Path, conveyor_home: Path) -> None:
    marker = "conveyor-test-timeout-marker"
    doc = document(
        repo,
        steps(
            {"run": STUBBORN, "timeout_minutes": 0.005, "env": {"MARK": marker}},
            {"run": "echo skipped"},
            {"run": "echo cleanup", "condition": "always()"},
        ),
    )
    started = time.monotonic()
    result, reporter = run_job(doc, conveyor_home)
    elapsed = time.monotonic() - started
    assert outcomes(result) == ["failure", "skipped", "success"]
    assert "The action has timed out." in reporter.text(0)
    assert elapsed < 6
    assert processes_with(marker) == []


def test_timed_out_step_with_continue_on_error(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {"run": "sleep 30", "timeout_minutes": 0.01, "continue_on_error": True}, {"run": "true"}
        ),
    )
    result, _ = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS
    assert outcomes(result) == ["failure", "success"]
    assert result.steps[0].conclusion is Conclusion.SUCCESS


def test_cancel_stops_the_group_and_runs_always_steps(repo: Path, conveyor_home: Path) -> None:
    marker = "conveyor-test-cancel-marker"
    cancel = threading.Event()
    reporter = RecordingReporter()
    doc = document(
        repo,
        steps(
            {"run": "echo started\n" + STUBBORN, "env": {"MARK": marker}},
            {"run": "echo not-run"},
            {"run": "echo status=${{ job.status }}", "condition": "always()"},
            {"run": "echo also-not-run", "condition": "success() || failure()"},
        ),
    )

    def cancel_when_started() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "started" not in reporter.text(0):
            time.sleep(0.02)
        cancel.set()

    threading.Thread(target=cancel_when_started, daemon=True).start()
    result, _ = run_job(doc, conveyor_home, cancel=cancel, reporter=reporter)
    assert result.result is Conclusion.CANCELLED
    assert outcomes(result) == ["cancelled", "skipped", "success", "skipped"]
    assert reporter.output(2) == ["status=cancelled"]
    assert processes_with(marker) == []


def test_background_processes_end_with_the_job(repo: Path, conveyor_home: Path) -> None:
    marker = "conveyor-test-daemon-marker"
    doc = document(
        repo,
        steps(
            # one stays in the step's group, one escapes into a session of its own
            {"run": "sleep 300 &\nsetsid sleep 301 &\necho spawned", "env": {"MARK": marker}},
            # this job's sleeps only (by the marker in their environment), not the machine's
            {
                "run": "for p in /proc/[0-9]*; do"
                f" grep -qxz 'MARK={marker}' $p/environ 2>/dev/null"
                " && cat $p/cmdline 2>/dev/null | tr '\\0' ' ' && echo; done"
                " | grep -c '^sleep 30[01]' || true"
            },
        ),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS
    assert reporter.output(1) == ["2"]  # still running while the job is
    assert processes_with(marker) == []


def test_job_timeout_fails_the_job(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {"run": "sleep 30"},
            {"run": "echo after"},
            {"run": "echo final", "condition": "always()"},
        ),
        timeout_minutes=0.01,
    )
    result, _ = run_job(doc, conveyor_home)
    assert result.result is Conclusion.FAILURE
    assert result.error is not None
    assert "maximum execution time" in result.error
    assert outcomes(result) == ["cancelled", "skipped", "success"]


MEMORY_PROBE = """
import resource, sys
from pathlib import Path
from tests.unit.executors.harness import RecordingReporter, document, run_job, steps

repo, home = Path(sys.argv[1]), Path(sys.argv[2])
run_job(document(repo, steps({"run": "echo warm-up"})), home)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
doc = document(
    repo,
    steps(
        {"run": "yes 'a fairly ordinary log line of output' | head -c 100000000"},
        {"run": "head -c 20000000 /dev/zero"},
        {"run": "head -c 2000000 /dev/urandom; echo; echo done"},
    ),
)
reporter = RecordingReporter(keep_lines=False)
result, _ = run_job(doc, home, reporter=reporter)
growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(result.result, reporter.line_count, growth)
"""


def test_huge_and_binary_output_keeps_memory_flat(repo: Path, conveyor_home: Path) -> None:
    """Measured in a fresh process, so the peak RSS is this job's alone."""
    root = Path(__file__).resolve().parents[2]
    probe = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(repo), str(conveyor_home)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    status, lines, growth_kb = probe.stdout.split()
    assert status == "success"
    assert int(lines) > 2_500_000
    assert int(growth_kb) / 1024 < 20, f"peak RSS grew by {int(growth_kb) / 1024:.1f} MB"


def test_binary_output_is_decoded_with_replacement(repo: Path, conveyor_home: Path) -> None:
    doc = document(repo, steps({"run": "printf 'ok \\377\\376 bytes\\n\\342\\202'"}))
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS
    assert reporter.output(0) == ["ok \ufffd\ufffd bytes", "\ufffd"]


def test_no_process_left_after_many_jobs(repo: Path, conveyor_home: Path) -> None:
    marker = "conveyor-test-many-jobs-marker"
    for _ in range(3):
        doc = document(repo, steps({"run": "sleep 100 &\nsleep 101 &", "env": {"MARK": marker}}))
        run_job(doc, conveyor_home)
    assert processes_with(marker) == []


class ForcedCancel:
    """Like the engine's CancelToken: `force()` (a second Ctrl-C) skips the grace periods."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.forced = False

    def is_set(self) -> bool:
        return self.event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self.event.wait(timeout)

    def is_forced(self) -> bool:
        return self.forced


def test_forced_cancel_kills_at_once_and_runs_nothing_more(repo: Path, conveyor_home: Path) -> None:
    marker = "conveyor-test-forced-marker"
    cancel = ForcedCancel()
    reporter = RecordingReporter()
    doc = document(
        repo,
        steps(
            # The trap comes before "started", so the first SIGINT cannot end the step early.
            {"run": "trap '' INT TERM\necho started\n" + STUBBORN, "env": {"MARK": marker}},
            {"run": "echo always", "condition": "always()"},
        ),
    )

    def cancel_twice() -> None:
        while "started" not in reporter.text(0):
            time.sleep(0.02)
        cancel.event.set()
        time.sleep(0.2)
        cancel.forced = True

    threading.Thread(target=cancel_twice, daemon=True).start()
    started = time.monotonic()
    result, _ = run_job(
        doc, conveyor_home, cancel=cancel, reporter=reporter, stop_policy=StopPolicy(30, 30)
    )
    assert time.monotonic() - started < 5
    assert result.result is Conclusion.CANCELLED
    assert outcomes(result) == ["cancelled", "skipped"]
    assert processes_with(marker) == []
