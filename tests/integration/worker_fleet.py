"""What the worker tests share: a real redis-server (the services launcher's), a real `conveyor
serve --broker` process, real `conveyor worker` processes with a worker token (the test's own
calls: an admin's), a pushed run."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis

from conveyor.engine.ports.logs import LogKey
from conveyor.engine.ports.services import ServiceRequest
from conveyor.store.handle import StoreHandle
from tests.unit.server.served import delivery, make_repo, post, push_payload, register
from tests.unit.services.factories import service
from tests.unit.services.real_services import launcher_for, new_runtime_base, nothing_left_behind

SRC = Path(__file__).resolve().parents[2] / "src"
TEST_TIMING = {"CONVEYOR_HEARTBEAT_SECONDS": "0.5", "CONVEYOR_LEASE_SECONDS": "3"}


@contextmanager
def redis_broker() -> Iterator[str]:
    """A real redis-server on 127.0.0.1 and a free port (the services launcher's): its URL."""
    base = new_runtime_base()
    with nothing_left_behind(base):
        spec = service("redis", "redis:7")
        with launcher_for(base).start_all([spec], ServiceRequest()) as started:
            yield f"redis://127.0.0.1:{started.handles['redis'].ports['6379']}/0"


class RestartableRedis:
    """redis-server on a free port, without persistence, that a test can kill and start again
    on the same port (a broker outage that loses every message)."""

    def __init__(self, directory: Path, host: str = "127.0.0.1") -> None:
        self.directory, self.host = directory, host
        with socket.socket() as probe:
            probe.bind((host, 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def start(self) -> None:
        command = [
            "redis-server", "--port", str(self.port), "--bind", self.host, "--save", "",
            "--appendonly", "no", "--dir", str(self.directory),
            "--protected-mode", "no",  # it listens on the test's own addresses only
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self._answers():
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError("redis-server did not start")
            time.sleep(0.02)

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis(self.host, self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)


def environment(home: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "CONVEYOR_HOME": str(home),
        "PYTHONPATH": str(SRC),
        "CONVEYOR_SERVE_GRACE": "5",
        **TEST_TIMING,
        **extra,
    }


@dataclass
class Fleet:
    url: str
    token: str  # the workers' (role worker)
    broker: str
    server: subprocess.Popen[str]
    workers: dict[str, subprocess.Popen[str]] = field(default_factory=dict)
    logs: Path = Path()
    redis: RestartableRedis | None = None
    admin: str = ""  # the test's own API calls

    def restart_broker(self) -> None:
        assert self.redis is not None
        self.redis.stop()
        time.sleep(1)  # an outage: doorbells rung now fail (the sweep rings them later)
        self.redis.start()

    def broker_idle(self) -> bool:
        """No doorbell waits in a queue or in a worker's hands (Celery's unacked set)."""
        client = redis.Redis.from_url(self.broker)
        queues = [key for key in client.scan_iter("runs-on:*") if client.type(key) == b"list"]
        return not any(client.llen(key) for key in queues) and not client.hlen("unacked")

    def start_worker(
        self, name: str, home: Path, *args: str, prefix: tuple[str, ...] = (), **extra: str
    ) -> subprocess.Popen[str]:
        """`conveyor worker ARGS` (after `prefix`: `ip netns exec NS`), its output in NAME.log."""
        command = [
            *prefix, sys.executable, "-m", "conveyor", "worker",
            "--server", self.url, "--token", self.token, "--name", name, *args,
        ]  # fmt: skip
        log = (self.logs / f"{name}.log").open("w")
        process = subprocess.Popen(
            command, env=environment(home, **extra), stdout=log, stderr=subprocess.STDOUT, text=True
        )
        self.workers[name] = process
        return process

    def workers_online(self, count: int, timeout: float = 30) -> list[dict[str, object]]:
        deadline = time.monotonic() + timeout
        while True:
            listed = httpx.get(f"{self.url}/api/v1/workers", headers=self.auth).json()
            if len(listed) >= count or time.monotonic() > deadline:
                assert len(listed) >= count, listed
                return list(listed)
            time.sleep(0.05)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin}"}

    def worker_log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(encoding="utf-8", errors="replace")


def new_token(store: StoreHandle, name: str, role: str) -> str:
    from conveyor.store.api_tokens import SqlTokenStore

    return SqlTokenStore(store.database).create(name, role)  # type: ignore[arg-type]


@contextmanager
def fleet(
    home: Path, store: StoreHandle, logs: Path, host: str = "127.0.0.1", **extra: str
) -> Iterator[Fleet]:
    """`conveyor serve --broker` on a real Redis; workers are started by the test."""
    token, admin = new_token(store, "workers", "worker"), new_token(store, "test", "admin")
    with ExitStack() as stack:
        restartable = RestartableRedis(logs, host)
        restartable.start()
        stack.callback(restartable.stop)
        broker = restartable.url
        command = [sys.executable, "-m", "conveyor", "serve", "--host", host, "--port", "0"]
        command += ["--broker", broker]
        server = subprocess.Popen(
            command,
            env=environment(home, **extra),
            stdout=subprocess.PIPE,
            stderr=(logs / "server.log").open("w"),
            text=True,
        )
        assert server.stdout is not None
        line = server.stdout.readline()
        found = re.fullmatch(rf"listening on (http://{re.escape(host)}:\d+)\n", line)
        assert found, (line, (logs / "server.log").read_text())
        running = Fleet(
            found.group(1), token, broker, server, logs=logs, redis=restartable, admin=admin
        )
        try:
            yield running
        finally:
            _stop_all(running)


def _stop_all(running: Fleet) -> None:
    """The workers first (they deregister with the server), then the server."""
    for group in (list(running.workers.values()), [running.server]):
        for process in group:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in group:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def push_run(
    url: str, repo: Path, store: StoreHandle, workflows: dict[str, str], number: int = 1
) -> int:
    sha = make_repo(repo, workflows)
    register(store, repo)
    answer = post(url, delivery(push_payload(sha), number=number))
    assert answer.status_code == 202, answer.text
    (run_id,) = answer.json()["run_ids"]
    return int(run_id)


def job_log(store: StoreHandle, run_id: int, attempt: int, instance_key: str) -> str:
    keys = store.logs.keys(run_id, attempt, instance_key)
    return "".join(store.logs.read(key).text for key in sorted(keys, key=_order))


def _order(key: LogKey) -> int:
    return -1 if key.step is None else key.step
