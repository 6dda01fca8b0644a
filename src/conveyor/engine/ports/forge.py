"""What conveyor asks of a forge (GitHub, or the local forge the server hosts): report each job
back on its commit, and give each job a token and the URLs of the forge's API.

Adapters: `conveyor.forge.github` (GitHub's REST API over HTTPS), the local forge (rows in the
server's database), and `conveyor.forge.fake.FakeForge` (records what it is told) for tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class CheckStatus(StrEnum):
    """A check run's status, in GitHub's words."""

    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class CheckConclusion(StrEnum):
    """A completed check run's conclusion, in GitHub's words."""

    SUCCESS = "success"
    FAILURE = "failure"
    NEUTRAL = "neutral"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"
    TIMED_OUT = "timed_out"
    ACTION_REQUIRED = "action_required"


class AnnotationLevel(StrEnum):
    NOTICE = "notice"
    WARNING = "warning"
    FAILURE = "failure"


@dataclass(frozen=True, slots=True)
class CheckAnnotation:
    """A finding on a line of a file (a step's `::error file=...,line=...::`)."""

    path: str
    start_line: int
    end_line: int
    level: AnnotationLevel
    message: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class CheckRunReport:
    """One job's state, to be shown as a check run on its head commit. `external_id` names the
    job across reports (the first report creates the check run, later ones update it)."""

    repository: str  # owner/repo
    head_sha: str
    name: str  # the job's display name, e.g. "build (ubuntu-latest, 3.12)"
    external_id: str  # stable per job attempt, e.g. "run-12/job-34"
    status: CheckStatus
    conclusion: CheckConclusion | None = None  # set when status is COMPLETED
    started_at: str | None = None  # ISO 8601, UTC
    completed_at: str | None = None
    details_url: str | None = None  # the job's page on the conveyor server
    title: str = ""
    summary: str = ""  # Markdown: the job's step summary, or a line about its state
    annotations: tuple[CheckAnnotation, ...] = ()


class CommitState(StrEnum):
    PENDING = "pending"
    SUCCESS = "success"
    FAILURE = "failure"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class CommitStatusReport:
    """A workflow's state as a commit status (the fallback for tokens without checks)."""

    repository: str
    sha: str
    state: CommitState
    context: str  # e.g. "conveyor/CI"
    description: str = ""
    target_url: str | None = None


@dataclass(frozen=True, slots=True)
class ForgeUrls:
    """`GITHUB_SERVER_URL`, `GITHUB_API_URL`, `GITHUB_GRAPHQL_URL` of a forge."""

    server_url: str  # https://github.com
    api_url: str  # https://api.github.com, or http://HOST:PORT/api/v3
    graphql_url: str


@dataclass(frozen=True, slots=True)
class JobToken:
    """The `GITHUB_TOKEN` a job gets: a secret (masked in its logs), valid while the job runs."""

    value: str
    permissions: Mapping[str, str] = field(default_factory=dict)  # scope -> read|write
    expires_at: str | None = None


class ReportOutcome(StrEnum):
    """What became of a report: sent, to be sent again later (outage, rate limit), or refused
    for good (e.g. the token lacks the permission; the caller may fall back to a status)."""

    SENT = "sent"
    RETRY = "retry"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class ReportResult:
    """An outcome with, for RETRY, how long the forge asked to wait (`Retry-After`, a rate
    limit's reset); None: the caller's own backoff decides."""

    outcome: ReportOutcome
    retry_after: float | None = None


def as_result(answer: ReportOutcome | ReportResult) -> ReportResult:
    """An adapter may answer a bare outcome or a ReportResult: the caller reads a ReportResult."""
    return answer if isinstance(answer, ReportResult) else ReportResult(answer)


class Forge(Protocol):
    def urls(self) -> ForgeUrls: ...

    def report_check(self, report: CheckRunReport) -> ReportOutcome | ReportResult:
        """Create or update the check run of `report.external_id` on `report.head_sha`."""
        ...

    def report_status(self, report: CommitStatusReport) -> ReportOutcome | ReportResult: ...

    def job_token(self, repository: str, permissions: Mapping[str, str]) -> JobToken:
        """A token for one job, narrowed to `permissions` (scope -> read|write|none)."""
        ...


class ReportQueue(Protocol):
    """The server's queue of reports waiting for the forge, drained by a background loop."""

    def drain(self) -> float | None:
        """Send what is due; seconds until the next report is (None: nothing waits)."""
        ...

    def wait(self, timeout: float) -> None:
        """Return after `timeout` seconds, or sooner when a report is queued or `wake` called."""
        ...

    def wake(self) -> None: ...
