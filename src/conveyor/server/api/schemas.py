"""The API's response bodies (pydantic models: they are the OpenAPI schema at /openapi.json)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field

from conveyor.engine.ports.store import (
    ApprovalRecord,
    DeploymentRecord,
    EnvironmentRecord,
    StoredJob,
    StoredRun,
    StoredStep,
)
from conveyor.model.results import Annotation


def iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def text(value: object) -> str | None:
    return None if value is None else str(value)


class Run(BaseModel):
    id: int
    repo: str
    workflow: str
    workflow_path: str
    run_number: int
    attempt: int
    event: str
    sha: str | None
    ref: str | None
    actor: str | None
    status: str
    conclusion: str | None
    reason: str | None
    created_at: str | None
    started_at: str | None
    finished_at: str | None

    @classmethod
    def of(cls, run: StoredRun) -> Run:
        return cls(
            id=run.id,
            repo=run.repository,
            workflow=run.workflow,
            workflow_path=run.workflow_path,
            run_number=run.run_number,
            attempt=run.attempt,
            event=run.event,
            sha=run.sha,
            ref=run.ref,
            actor=run.actor,
            status=str(run.status),
            conclusion=text(run.conclusion),
            reason=run.reason,
            created_at=iso(run.created_at),
            started_at=iso(run.started_at),
            finished_at=iso(run.finished_at),
        )


class RunPage(BaseModel):
    runs: list[Run]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page.")


class Step(BaseModel):
    index: int
    name: str
    step_id: str | None
    status: str
    outcome: str | None
    conclusion: str | None
    started_at: str | None
    finished_at: str | None

    @classmethod
    def of(cls, step: StoredStep) -> Step:
        return cls(
            index=step.index,
            name=step.name,
            step_id=step.step_id,
            status=str(step.status),
            outcome=text(step.outcome),
            conclusion=text(step.conclusion),
            started_at=iso(step.started_at),
            finished_at=iso(step.finished_at),
        )


class Job(BaseModel):
    key: str = Field(description="The job instance's key (`job=` of the log endpoints).")
    job_id: str
    name: str
    status: str
    conclusion: str | None
    matrix: dict[str, object] | None
    environment: str | None
    error: str | None
    reused: bool
    started_at: str | None
    finished_at: str | None
    steps: list[Step]

    @classmethod
    def of(cls, job: StoredJob, steps: list[StoredStep]) -> Job:
        return cls(
            key=job.instance_key,
            job_id=job.job_id,
            name=job.name,
            status=str(job.status),
            conclusion=text(job.conclusion),
            matrix=None if job.matrix is None else dict(job.matrix),
            environment=job.environment,
            error=job.error,
            reused=job.reused,
            started_at=iso(job.started_at),
            finished_at=iso(job.finished_at),
            steps=[Step.of(step) for step in steps],
        )


class AnnotationBody(BaseModel):
    level: str
    message: str
    title: str | None
    file: str | None
    line: int | None
    end_line: int | None
    column: int | None
    end_column: int | None
    job: str | None

    @classmethod
    def of(cls, note: Annotation) -> AnnotationBody:
        return cls(
            level=str(note.level),
            message=note.message,
            title=note.title,
            file=note.file,
            line=note.line,
            end_line=note.end_line,
            column=note.column,
            end_column=note.end_column,
            job=note.job,
        )


class RunDetail(Run):
    jobs: list[Job]
    annotations: list[AnnotationBody]


class LogChunkBody(BaseModel):
    text: str
    offset: int
    next_offset: int = Field(description="Pass as `offset` to read on from here.")
    truncated: bool


class Artifact(BaseModel):
    name: str
    size: int
    files: int


class ArtifactList(BaseModel):
    artifacts: list[Artifact]


class Cancelled(BaseModel):
    run_id: int
    cancelled: bool


class Rerun(BaseModel):
    run_id: int
    attempt_of: int


class Approval(BaseModel):
    run_id: int
    attempt: int
    environment: str
    state: str
    reviewer: str | None
    comment: str | None
    requested_at: str | None
    decided_at: str | None

    @classmethod
    def of(cls, record: ApprovalRecord) -> Approval:
        return cls(
            run_id=record.run_id,
            attempt=record.attempt,
            environment=record.environment,
            state=str(record.state),
            reviewer=record.reviewer,
            comment=record.comment,
            requested_at=iso(record.requested_at),
            decided_at=iso(record.decided_at),
        )


class ApprovalList(BaseModel):
    approvals: list[Approval]


class Rules(BaseModel):
    required_reviewers: list[str] = Field(default_factory=list, max_length=6)
    prevent_self_review: bool = False
    wait_timer_minutes: float = Field(default=0, ge=0, le=43_200)
    deployment_branches: list[str] | None = None
    deployment_tags: list[str] | None = None


class Environment(BaseModel):
    name: str
    source: str
    rules: Rules
    created_at: str | None
    updated_at: str | None

    @classmethod
    def of(cls, record: EnvironmentRecord) -> Environment:
        rules = record.rules
        branches, tags = rules.deployment_branches, rules.deployment_tags
        return cls(
            name=record.name,
            source=record.source,
            rules=Rules(
                required_reviewers=list(rules.required_reviewers),
                prevent_self_review=rules.prevent_self_review,
                wait_timer_minutes=rules.wait_timer_minutes,
                deployment_branches=None if branches is None else list(branches),
                deployment_tags=None if tags is None else list(tags),
            ),
            created_at=iso(record.created_at),
            updated_at=iso(record.updated_at),
        )


class EnvironmentList(BaseModel):
    environments: list[Environment]


class Deployment(BaseModel):
    id: int
    environment: str
    run_id: int
    attempt: int
    job: str
    ref: str | None
    sha: str | None
    status: str
    url: str | None
    created_at: str | None
    updated_at: str | None

    @classmethod
    def of(cls, record: DeploymentRecord) -> Deployment:
        return cls(
            id=record.id,
            environment=record.environment,
            run_id=record.run_id,
            attempt=record.attempt,
            job=record.instance_key,
            ref=record.ref,
            sha=record.sha,
            status=record.status,
            url=record.url,
            created_at=iso(record.created_at),
            updated_at=iso(record.updated_at),
        )


class DeploymentList(BaseModel):
    deployments: list[Deployment]


class Secret(BaseModel):
    name: str
    environment: str | None
    updated_at: str | None


class SecretList(BaseModel):
    secrets: list[Secret]


class Variable(BaseModel):
    name: str
    value: str
    environment: str | None
    updated_at: str | None


class VariableList(BaseModel):
    variables: list[Variable]
