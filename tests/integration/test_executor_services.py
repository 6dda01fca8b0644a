"""LocalExecutor: the services hook runs around the steps and feeds `job.services`."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from conveyor.engine.ports.executor import CancelSignal, JobDocument, JobReporter
from conveyor.errors import InfrastructureError, SourceLocation
from conveyor.model.results import Conclusion
from conveyor.model.services import ServiceSpec
from tests.unit.executors.harness import document, make_repo, run_job, steps

pytestmark = pytest.mark.integration

DB = ServiceSpec(id="db", image="postgres:16", location=SourceLocation("ci.yml", 9, 5))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "demo")


def test_services_start_before_steps_and_stop_after_a_failure(
    repo: Path, conveyor_home: Path
) -> None:
    events: list[str] = []

    @contextmanager
    def starter(
        doc: JobDocument, reporter: JobReporter, cancel: CancelSignal
    ) -> Iterator[Mapping[str, object]]:
        events.append(f"start {[s.id for s in doc.services]}")
        try:
            yield {"db": {"id": "db-1", "network": "", "ports": {"5432": "49153"}}}
        finally:
            events.append("stop")

    doc = document(
        repo,
        steps(
            {"run": "echo port=${{ job.services.db.ports['5432'] }}"},
            {"run": "exit 1"},
        ),
        services=(DB,),
    )
    result, reporter = run_job(doc, conveyor_home, services=starter)
    assert events == ["start ['db']", "stop"]
    assert reporter.output(0) == ["port=49153"]
    assert result.result is Conclusion.FAILURE


def test_a_failing_provider_fails_the_job_with_its_message(repo: Path, conveyor_home: Path) -> None:
    @contextmanager
    def starter(
        doc: JobDocument, reporter: JobReporter, cancel: CancelSignal
    ) -> Iterator[Mapping[str, object]]:
        raise InfrastructureError("postgres did not become ready")
        yield {}

    result, reporter = run_job(
        document(repo, steps({"run": "echo never"}), services=(DB,)),
        conveyor_home,
        services=starter,
    )
    assert result.result is Conclusion.FAILURE
    assert result.error == "postgres did not become ready"
    assert result.steps == ()
    assert "postgres did not become ready" in reporter.text(None)


def test_a_cancel_while_services_start_ends_the_job_cancelled(
    repo: Path, conveyor_home: Path
) -> None:
    given: list[CancelSignal] = []
    signal = threading.Event()

    @contextmanager
    def starter(
        doc: JobDocument, reporter: JobReporter, cancel: CancelSignal
    ) -> Iterator[Mapping[str, object]]:
        given.append(cancel)
        signal.set()  # Ctrl-C while the services are still becoming healthy
        if cancel.wait(5):
            raise InfrastructureError("service db: cancelled while waiting for PostgreSQL")
        yield {}

    result, reporter = run_job(
        document(repo, steps({"run": "echo never"}), services=(DB,)),
        conveyor_home,
        cancel=signal,
        services=starter,
    )
    assert given == [signal]
    assert result.result is Conclusion.CANCELLED
    assert result.steps == ()
    assert result.annotations == ()
    assert "cancelled while waiting" in reporter.text(None)


def test_without_a_provider_only_empty_images_are_accepted(repo: Path, conveyor_home: Path) -> None:
    empty = ServiceSpec(id="none", image="", location=SourceLocation("ci.yml", 9, 5))
    ok, _ = run_job(document(repo, steps({"run": "true"}), services=(empty,)), conveyor_home)
    assert ok.result is Conclusion.SUCCESS
    failed, _ = run_job(document(repo, steps({"run": "true"}), services=(DB,)), conveyor_home)
    assert failed.result is Conclusion.FAILURE
    assert failed.error is not None
    assert "no service provider is configured" in failed.error


def test_reporter_sees_each_step_start_before_its_end(repo: Path, conveyor_home: Path) -> None:
    result, reporter = run_job(
        document(
            repo, steps({"run": "echo a", "name": "First ${{ github.job }}"}, {"run": "true"})
        ),
        conveyor_home,
    )
    assert reporter.started == [(0, "First build"), (1, "Run true")]
    assert [r.index for r in reporter.finished] == [0, 1]
    assert result.steps == tuple(reporter.finished)
    assert all(s.started_at is not None and s.finished_at is not None for s in result.steps)
