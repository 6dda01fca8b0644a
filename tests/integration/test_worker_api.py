"""The server's worker API over real HTTP (uvicorn) and a real Redis: claims are conditional,
per-job tokens hold the lease (a wrong or expired one is 401 and changes nothing), lost
workers' jobs run again as a new attempt, secrets never reach the broker, the sweep rings again."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis

from conveyor.bootstrap.worker_hub import LOST, WorkerHub
from conveyor.bootstrap.worker_settings import LeaseTiming
from conveyor.distributed.codec import encode
from conveyor.engine.ports.executor import JobDocument
from conveyor.errors import SourceLocation
from conveyor.model.results import Conclusion, JobResult, StepResult
from conveyor.model.workflow import Step
from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter, FakeTokens
from conveyor.server.principals import Principal, Role
from conveyor.store import remote_jobs as rows
from conveyor.store.handle import StoreHandle, open_store
from tests.integration.worker_fleet import environment, redis_broker
from tests.support.http_server import running_app

pytestmark = pytest.mark.integration
SECRET = "hunter2-the-secret-value"
ADMIN = {"Authorization": "Bearer admin"}


@dataclass
class Recorded:
    lines: list[str] = field(default_factory=list)

    def step_started(self, instance_key: str, index: int, name: str) -> None:
        self.lines.append(f"start {index} {name}")

    def log_line(self, instance_key: str, index: int | None, line: str) -> None:
        self.lines.append(line)

    def log_lines(self, instance_key: str, index: int | None, lines: Sequence[str]) -> None:
        self.lines.extend(lines)

    def step_finished(self, instance_key: str, result: StepResult) -> None:
        self.lines.append(f"end {result.index} {result.conclusion}")

    def annotation(self, instance_key: str, annotation: object) -> None:
        self.lines.append("annotation")


def document(run_id: str = "7") -> JobDocument:
    here = SourceLocation(".github/workflows/ci.yml", 5, 9)
    return JobDocument(
        run_id=run_id,
        job_id="build",
        instance_key="build",
        display_name="build",
        workflow_path=".github/workflows/ci.yml",
        repository="/nowhere",
        sha=None,
        contexts={"secrets": {"TOKEN": SECRET}, "github": {"sha": "abc"}},
        env={},
        steps=(Step(index=0, location=here, run="echo hi"),),
        masks=(SECRET,),
        runs_on=("self-hosted", "Linux"),
    )


@dataclass
class Api:
    url: str
    hub: WorkerHub
    store: StoreHandle
    broker: str
    context: ServerContext

    def post(self, path: str, token: str, body: object = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.post(f"{self.url}/api/v1{path}", json=body, headers=headers)

    def get(self, path: str, token: str) -> httpx.Response:
        return httpx.get(f"{self.url}/api/v1{path}", headers={"Authorization": f"Bearer {token}"})

    def claim(self, job_id: int, worker: str = "w1") -> httpx.Response:
        return self.post(f"/worker-jobs/{job_id}/claim", "admin", {"worker": worker})


@pytest.fixture
def api(conveyor_home: Path) -> Iterator[Api]:
    store = open_store(conveyor_home)
    with redis_broker() as broker:
        hub = WorkerHub(store.database, broker, LeaseTiming(0.2, 1.0, 1))  # type: ignore[arg-type]
        tokens = FakeTokens(
            {"admin": Principal("w", Role.ADMIN), "reader": Principal("r", Role.READ)}
        )
        context = ServerContext(
            conveyor_home, store, FakeStarter(), FakeControl(), tokens, workers=hub
        )
        hub.start()
        try:
            with running_app(create_app(context)) as url:
                yield Api(url, hub, store, broker, context)
        finally:
            hub.stop()
            store.close()


def submitted(
    api: Api, reporter: Recorded, cancel: threading.Event | None = None
) -> tuple[int, Callable[[], JobResult]]:
    """A job submitted as the remote executor does; `wait()` gives its result."""
    job_id = api.hub.submit(document(), reporter)
    done: list[JobResult] = []
    thread = threading.Thread(
        target=lambda: done.append(api.hub.wait(job_id, cancel or threading.Event())), daemon=True
    )
    thread.start()

    def wait() -> JobResult:
        thread.join(30)
        return done[0]

    return job_id, wait


def test_a_claim_is_one_conditional_update_and_the_job_token_carries_the_job(api: Api) -> None:
    reporter = Recorded()
    job_id, wait = submitted(api, reporter)
    first = api.claim(job_id, "w1")
    assert first.status_code == 200, first.text
    assert api.claim(job_id, "w2").status_code == 409  # a duplicate doorbell, a second worker
    assert api.claim(job_id, "w1").status_code == 409
    token = first.json()["token"]
    sent = api.get(f"/worker-jobs/{job_id}/document", token).json()
    assert SECRET not in str(sent)
    assert sent["contexts"]["github"] == {"sha": "abc"}
    assert api.get(f"/worker-jobs/{job_id}/secrets", token).json() == {
        "secrets": {"TOKEN": SECRET},
        "masks": [SECRET],
    }
    events = [
        {"kind": "step_started", "index": 0, "name": "Run echo hi"},
        {"kind": "log_line", "index": 0, "line": "hi"},
    ]
    assert api.post(
        f"/worker-jobs/{job_id}/events", token, {"offset": 0, "events": events}
    ).json() == {"next": 2}
    again = {"offset": 1, "events": [*events[1:], {"kind": "log_line", "index": 0, "line": "two"}]}
    assert api.post(f"/worker-jobs/{job_id}/events", token, again).json() == {
        "next": 3
    }  # no double
    result = JobResult(Conclusion.SUCCESS, outputs={"x": "1"})
    assert (
        api.post(f"/worker-jobs/{job_id}/result", token, {"result": encode(result)}).status_code
        == 200
    )
    assert wait() == result
    assert reporter.lines == [
        "waiting for a runner with labels [linux, self-hosted]",
        "start 0 Run echo hi",
        "hi",
        "two",
    ]


def test_a_wrong_token_is_401_and_changes_nothing(api: Api) -> None:
    job_id, _ = submitted(api, Recorded())
    assert api.claim(job_id).status_code == 200
    before = rows.get_job(api.store.database, job_id)  # type: ignore[arg-type]
    result = {"result": encode(JobResult(Conclusion.FAILURE))}
    for answer in (
        api.get(f"/worker-jobs/{job_id}/document", "wrong"),
        api.get(f"/worker-jobs/{job_id}/secrets", "admin"),  # the worker's token is not the job's
        api.post(f"/worker-jobs/{job_id}/heartbeat", "wrong", {"renew": True}),
        api.post(f"/worker-jobs/{job_id}/events", "wrong", {"offset": 0, "events": []}),
        api.post(f"/worker-jobs/{job_id}/result", "wrong", result),
        api.post(f"/worker-jobs/{job_id}/claim", "reader", {"worker": "w9"}),
    ):
        assert answer.status_code in (401, 403), answer.text
        assert SECRET not in answer.text
    assert rows.get_job(api.store.database, job_id) == before  # type: ignore[arg-type]


def test_a_lost_worker_cannot_report_over_the_new_attempt(api: Api) -> None:
    reporter = Recorded()
    job_id, wait = submitted(api, reporter)
    old = api.claim(job_id, "lost").json()["token"]
    deadline = time.monotonic() + 10  # the reaper requeues it once the 1 s lease is over
    while (job := rows.get_job(api.store.database, job_id)).state != rows.QUEUED:  # type: ignore[arg-type,union-attr]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert job is not None
    assert job.attempt == 2
    new = api.claim(job_id, "w2").json()["token"]
    result = {"result": encode(JobResult(Conclusion.FAILURE))}
    assert api.post(f"/worker-jobs/{job_id}/result", old, result).status_code == 401
    assert (
        api.post(f"/worker-jobs/{job_id}/events", old, {"offset": 0, "events": []}).status_code
        == 401
    )
    assert api.post(f"/worker-jobs/{job_id}/heartbeat", new, {"renew": True}).json() == {
        "cancel": False
    }
    ok = {"result": encode(JobResult(Conclusion.SUCCESS))}
    assert api.post(f"/worker-jobs/{job_id}/result", new, ok).status_code == 200
    assert wait().result is Conclusion.SUCCESS
    assert "the runner lost was lost: the job runs again (attempt 2)" in reporter.lines


def test_a_job_lost_more_often_than_retry_lost_fails_as_github_says(api: Api) -> None:
    job_id, wait = submitted(api, Recorded())
    api.claim(job_id, "first")
    deadline = time.monotonic() + 10
    while rows.get_job(api.store.database, job_id).attempt < 2:  # type: ignore[arg-type,union-attr]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert api.claim(job_id, "second").status_code == 200  # and lost too
    result = wait()
    assert result.result is Conclusion.FAILURE
    assert result.error == LOST


def test_cancel_reaches_the_worker_through_its_heartbeat(api: Api) -> None:
    cancel = threading.Event()
    job_id, wait = submitted(api, Recorded(), cancel)
    token = api.claim(job_id).json()["token"]
    assert api.post(f"/worker-jobs/{job_id}/heartbeat", token, {"renew": False}).json() == {
        "cancel": False
    }
    cancel.set()
    deadline = time.monotonic() + 2
    while not api.post(f"/worker-jobs/{job_id}/heartbeat", token, {"renew": False}).json()[
        "cancel"
    ]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    cancelled = {"result": encode(JobResult(Conclusion.CANCELLED))}
    api.post(f"/worker-jobs/{job_id}/result", token, cancelled)
    assert wait().result is Conclusion.CANCELLED


def test_a_queued_job_cancelled_ends_at_once(api: Api) -> None:
    cancel = threading.Event()
    job_id, wait = submitted(api, Recorded(), cancel)
    cancel.set()
    assert wait().result is Conclusion.CANCELLED
    assert api.claim(job_id).status_code == 409


def test_secrets_never_reach_redis_and_a_lost_doorbell_rings_again(api: Api) -> None:
    broker = redis.Redis.from_url(api.broker)
    job_id, _ = submitted(api, Recorded())
    assert SECRET.encode() not in everything_in(broker)
    assert f"[{job_id}]".encode() in everything_in(broker)  # the doorbell: the job's id
    broker.flushall()  # the broker lost its messages
    deadline = time.monotonic() + 10
    while f"[{job_id}]".encode() not in everything_in(broker):  # the sweep rings again
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert SECRET.encode() not in everything_in(broker)


def everything_in(broker: redis.Redis) -> bytes:
    """Every key and value in the Redis database."""
    found = []
    for key in broker.scan_iter():
        kind = broker.type(key)
        found.append(key)
        if kind == b"string":
            found.append(broker.get(key) or b"")
        elif kind == b"list":
            found += broker.lrange(key, 0, -1)
        elif kind == b"hash":
            found += [b for pair in broker.hgetall(key).items() for b in pair]
        elif kind in (b"set", b"zset"):
            found += list(broker.smembers(key)) if kind == b"set" else broker.zrange(key, 0, -1)
    return b"\n".join(found)


def test_workers_register_heartbeat_are_listed_and_deregister(api: Api) -> None:
    body = {"name": "build-01", "labels": ["self-hosted", "Linux"], "capacity": 2}
    answer = api.post("/workers", "admin", body).json()
    assert answer == {"broker_url": api.broker, "heartbeat": 0.2, "lease": 1.0}
    assert api.post("/workers", "reader", body).status_code == 403
    beat = api.post("/workers/build-01/heartbeat", "admin", {"busy": 1, "draining": True})
    assert beat.status_code == 200
    (listed,) = api.get("/workers", "reader").json()
    assert listed["labels"] == ["linux", "self-hosted"]
    assert (listed["busy"], listed["capacity"], listed["state"]) == (1, 2, "draining")
    api.context.anonymous_read = True
    page = httpx.get(f"{api.url}/workers").text
    assert "build-01" in page
    assert "1/2" in page
    assert "linux, self-hosted" in page
    assert httpx.delete(f"{api.url}/api/v1/workers/build-01", headers=ADMIN).status_code == 200
    assert api.get("/workers", "reader").json() == []
    assert "No worker is online" in httpx.get(f"{api.url}/workers").text


def test_a_worker_with_a_wrong_token_is_a_clear_error(api: Api, tmp_path: Path) -> None:
    env = environment(tmp_path / "worker")
    command = [sys.executable, "-m", "conveyor", "worker", "--server", api.url, "--token", "nope"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert "conveyor: error: the server refused the worker (401" in done.stderr
    assert "Traceback" not in done.stderr
