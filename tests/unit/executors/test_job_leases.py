"""Job leases: the next run sweeps the job directories of processes that died."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conveyor.executors.local.job_leases import JobLease, remove, sweep


def job_directory(home: Path, run: str, slug: str) -> Path:
    root = home / "runs" / run / "jobs" / slug
    (root / "_temp").mkdir(parents=True)
    (root / "_temp" / "step_script.sh").write_text("echo secret\n")
    return root


def test_a_dead_jobs_directory_is_swept_a_live_or_kept_one_is_not(tmp_path: Path) -> None:
    dead = job_directory(tmp_path, "1", "dead")
    take = (
        "import sys; from pathlib import Path; "
        "from conveyor.executors.local.job_leases import JobLease; JobLease.take(Path(sys.argv[1]))"
    )
    subprocess.run([sys.executable, "-c", take, str(dead)], check=True)  # took it, then died
    live = job_directory(tmp_path, "2", "live")
    lease = JobLease.take(live)
    kept = job_directory(tmp_path, "3", "kept")  # its job ended, keeping it: no lease
    try:
        assert sweep(tmp_path, remove) == [dead]
        assert not dead.exists()
        assert not dead.with_name("dead.lease").exists()
        assert live.exists()
        assert kept.exists()
    finally:
        lease.release()
    assert not live.with_name("live.lease").exists()


def test_a_workspace_pool_of_a_process_that_is_gone_is_swept(tmp_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pool = tmp_path / "runs" / f".pool-{gone.stdout.strip()}-0"
    (pool / "trash-0" / "_temp").mkdir(parents=True)
    ours = tmp_path / "runs" / ".pool-1-0"  # pid 1 is alive
    ours.mkdir()
    assert sweep(tmp_path, remove) == [pool]
    assert not pool.exists()
    assert ours.exists()
