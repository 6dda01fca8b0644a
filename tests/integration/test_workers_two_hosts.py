"""Two hosts: a worker inside a network namespace made by the test (`ip netns`, a veth pair),
reaching the server and the broker only over that pair's addresses, runs a job of the server's.

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
      - run: echo "network namespace $(readlink /proc/self/ns/net)"
"""


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
            worker = running.start_worker(
                "far", tmp_path / "far", "--labels", "self-hosted,linux",
                prefix=("ip", "netns", "exec", namespace),
            )  # fmt: skip
            running.workers_online(1)
            far = os.readlink(f"/proc/{worker.pid}/ns/net")
            assert far != os.readlink("/proc/self/ns/net")
            run_id = push_run(running.url, tmp_path / "app", store, {"ci.yml": NAMESPACED})
            assert wait_completed(store, run_id, timeout=120) == "success"
            (job,) = store.runs.list_jobs(run_id)
            assert f"network namespace {far}" in job_log(store, run_id, 1, job.instance_key)
    finally:
        store.close()
