"""The live log stream (SSE): a line written while the client is connected reaches it, and the
stream ends once the job completed."""

from __future__ import annotations

from collections.abc import Iterator

from conveyor.engine.ports.store import LogKey, NewJob, NewRun, RunStatus
from conveyor.model.results import Conclusion, JobResult
from tests.unit.server.conftest import Api


def events(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """SSE events as {field: value} (data lines joined with newlines)."""
    event: dict[str, str] = {}
    for line in lines:
        if not line:
            if event:
                yield event
            event = {}
            continue
        name, _, value = line.partition(": ")
        event[name] = f"{event[name]}\n{value}" if name in event else value


def running_job(api: Api) -> LogKey:
    run = api.store.runs.create_run(NewRun("o/r", "CI", "ci.yml", "push"))
    api.store.runs.set_run_status(run.id, RunStatus.IN_PROGRESS)
    api.store.runs.start_job(
        run.id, 1, NewJob("build", "build", "build", status=RunStatus.IN_PROGRESS)
    )
    return LogKey(run.id, 1, "build", 0)


def test_a_line_written_while_connected_reaches_the_client(api: Api) -> None:
    key = running_job(api)
    api.store.logs.append(key, "before\n")
    params = {"job": "build", "step": 0}
    with (
        api.client("read") as client,
        client.stream("GET", f"/api/v1/runs/{key.run_id}/logs/stream", params=params) as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        stream = events(response.iter_lines())
        first = next(stream)
        assert (first["event"], first["data"], first["id"]) == ("log", "before", "7")
        api.store.logs.append(key, "written while connected\n")
        second = next(stream)
        assert (second["data"], second["id"]) == ("written while connected", "31")
        api.store.logs.append(key, "last line\n")
        api.store.runs.finish_job(key.run_id, 1, "build", JobResult(Conclusion.SUCCESS))
        rest = list(stream)
    assert [e["data"] for e in rest] == ["last line", '{"conclusion": "success"}']
    assert rest[-1]["event"] == "end"


def test_a_reconnecting_client_resumes_after_its_last_event(api: Api) -> None:
    key = running_job(api)
    api.store.logs.append(key, "one\ntwo\nthree\n")
    api.store.runs.finish_job(key.run_id, 1, "build", JobResult(Conclusion.FAILURE))
    headers = {"Last-Event-ID": "4"}
    with api.client("read") as client:
        answer = client.get(
            f"/api/v1/runs/{key.run_id}/logs/stream",
            params={"job": "build", "step": 0},
            headers=headers,
        )
        from_offset = client.get(
            f"/api/v1/runs/{key.run_id}/logs/stream",
            params={"job": "build", "step": 0, "offset": 8},
        )
    found = list(events(iter(answer.text.splitlines())))
    assert [e["data"] for e in found] == ["two", "three", '{"conclusion": "failure"}']
    assert next(e["data"] for e in events(iter(from_offset.text.splitlines()))) == "three"
