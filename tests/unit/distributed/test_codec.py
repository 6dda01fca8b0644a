"""The JSON between the server and a worker: a job document and results round-trip exactly;
nothing but the model's own types can be built from a message."""

from __future__ import annotations

import json

import pytest

from conveyor.distributed.codec import CodecError, dumps, loads_as
from conveyor.engine.ports.executor import JobDocument
from conveyor.errors import SourceLocation
from conveyor.model.results import Annotation, AnnotationLevel, Conclusion, JobResult, StepResult
from conveyor.model.services import ServiceSpec
from conveyor.model.workflow import RunDefaults, Step

HERE = SourceLocation(".github/workflows/ci.yml", 3, 5)


def test_a_job_document_round_trips() -> None:
    document = JobDocument(
        run_id="12",
        job_id="test",
        instance_key="test (3.11)",
        display_name="test (3.11)",
        workflow_path=".github/workflows/ci.yml",
        repository="/srv/app",
        sha="abc",
        contexts={"matrix": {"python": "3.11"}, "needs": {}, "list": [1, "two", None]},
        env={"A": "1"},
        steps=(
            Step(index=0, location=HERE, run="echo hi", env={"X": "${{ matrix.python }}"}),
            Step(index=1, location=HERE, uses="actions/checkout@v4", with_={"depth": 1}),
        ),
        defaults=RunDefaults(shell="bash"),
        outputs={"out": "${{ steps.a.outputs.b }}"},
        services=(ServiceSpec(id="db", image="postgres:16", location=HERE, ports=("5432",)),),
        masks=("s3cret",),
        runs_on=("self-hosted", "linux"),
    )
    assert loads_as(dumps(document), JobDocument) == document


def test_a_job_result_round_trips() -> None:
    step = StepResult(
        0, "Run echo", Conclusion.FAILURE, Conclusion.SUCCESS, "a", {"k": "v"}, 1.0, 2.0, HERE
    )
    note = Annotation(AnnotationLevel.WARNING, "careful", file="a.py", line=3)
    result = JobResult(Conclusion.SUCCESS, {"o": "1"}, (step,), (note,), "## summary", 1.0, 3.0)
    assert loads_as(dumps(result), JobResult) == result


@pytest.mark.parametrize(
    "message",
    [
        {"$type": "Popen", "args": ["rm", "-rf", "/"]},
        {"$enum": "Signals", "value": 9},
        {"$type": "JobResult", "result": {"$enum": "Conclusion", "value": "nope"}},
        {"$type": "StepResult", "index": 0},
        {
            "$type": "StepResult",
            "index": 0,
            "name": "x",
            "outcome": "success",
            "conclusion": "success",
        },
    ],
)
def test_anything_else_is_refused(message: object) -> None:
    with pytest.raises((CodecError, ValueError)):
        loads_as(json.dumps(message), JobResult)
