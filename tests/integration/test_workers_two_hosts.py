"""Two hosts: a worker inside a network namespace made by the test (`ip netns`, a veth pair),
reaching the server and the broker only over that pair's addresses, runs a job of the server's.
The worker has a CONVEYOR_HOME of its own and, in its mount namespace, the server's
CONVEYOR_HOME and the pushed repository are hidden (empty tmpfs over them): it fetches the job's
commit from the server over HTTP.

Needs root and iproute2 (skipped, with the reason, without them)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conveyor.store.handle import open_store
from tests.integration.worker_fleet import fleet, job_log, push_run
from tests.unit.server.served import wait_completed

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
    pytest.mark.skipif(shutil.which("ip") is None, reason="iproute2 (`ip`) is not installed"),
]

NAMESPACED = """\
on: push
jobs:
  remote:
    runs-on: [self-hosted, linux]
    steps:
      - uses: actions/checkout@v4
      - run: echo "network namespace $(readlink /proc/self/ns/net)"
      - run: echo "commit $(git rev-parse HEAD) marker $(cat marker.txt)"
      - run: echo "hidden entries $(find {server_home} {source} -mindepth 1 | wc -l)"
"""
HIDE = 'for h in "$1" "$2"; do mount -t tmpfs none "$h" || exit 1; done; shift 2; exec "$@"'


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


@contextmanager
def other_host() -> Iterator[tuple[str, str, str]]:
    """A namespace joined to this one by a veth pair: (namespace, our address, its address)."""
    tag = f"{os.getpid() % 100000}"
    namespace, here, there = f"cvy-{tag}", f"cvy{tag}a", f"cvy{tag}b"
    subnet = f"10.231.{os.getpid() % 250}"
    ip("netns", "add", namespace)
    try:
        ip("link", "add", here, "type", "veth", "peer", "name", there)
        ip("link", "set", there, "netns", namespace)
        ip("addr", "add", f"{subnet}.1/30", "dev", here)
        ip("link", "set", here, "up")
        ip("-n", namespace, "addr", "add", f"{subnet}.2/30", "dev", there)
        ip("-n", namespace, "link", "set", there, "up")
        ip("-n", namespace, "link", "set", "lo", "up")
        yield namespace, f"{subnet}.1", f"{subnet}.2"
    finally:
        subprocess.run(["ip", "link", "del", here], capture_output=True, timeout=30)
        ip("netns", "del", namespace)


def test_a_worker_in_another_network_namespace_runs_the_servers_job(
    conveyor_home: Path, tmp_path: Path
) -> None:
    store = open_store(conveyor_home)
    try:
        with (
            other_host() as (namespace, server_address, _),
            fleet(conveyor_home, store, tmp_path, host=server_address) as running,
        ):
            assert running.url.startswith(f"http://{server_address}:")
            assert running.broker.startswith(f"redis://{server_address}:")
            source = tmp_path / "app"
            source.mkdir()  # the worker hides it: a mount point
            hidden = ("unshare", "--mount", "--propagation", "private", "sh", "-c", HIDE, "sh")
            worker = running.start_worker(
                "far", tmp_path / "far", "--labels", "self-hosted,linux",
                prefix=("ip", "netns", "exec", namespace, *hidden, str(conveyor_home), str(source)),
            )  # fmt: skip
            running.workers_online(1)
            far = os.readlink(f"/proc/{worker.pid}/ns/net")
            assert far != os.readlink("/proc/self/ns/net")
            workflow = NAMESPACED.format(server_home=conveyor_home, source=source)
            (source / "marker.txt").write_text("from-the-commit\n", encoding="utf-8")
            run_id = push_run(running.url, source, store, {"ci.yml": workflow})
            assert wait_completed(store, run_id, timeout=120) == "success", running.worker_log(
                "far"
            )
            (job,) = store.runs.list_jobs(run_id)
            text = job_log(store, run_id, 1, job.instance_key)
            assert f"network namespace {far}" in text
            head = ["git", "-C", str(source), "rev-parse", "HEAD"]
            sha = subprocess.check_output(head, text=True).strip()
            assert f"commit {sha} marker from-the-commit" in text
            assert "hidden entries 0" in text
    finally:
        store.close()
