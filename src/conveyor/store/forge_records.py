"""What the local forge's store modules read and write: frozen records of issues, pull requests,
comments, labels, releases, assets, statuses and check runs, and the changes asked of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing and how many there are in all."""

    items: Sequence[T]
    total: int


@dataclass(frozen=True, slots=True)
class LabelRecord:
    id: int
    name: str
    color: str  # six hex digits, no '#'
    description: str | None


@dataclass(frozen=True, slots=True)
class IssueRecord:
    id: int
    repository: str  # owner/repo
    number: int
    is_pull: bool
    title: str
    body: str | None
    state: str  # open, closed
    state_reason: str | None
    author: str
    locked: bool
    created_at: float
    updated_at: float
    closed_at: float | None
    closed_by: str | None
    labels: tuple[LabelRecord, ...] = ()
    comments: int = 0


@dataclass(frozen=True, slots=True)
class IssueChanges:
    """Fields of an issue to change; None leaves one as it is."""

    title: str | None = None
    body: str | None = None
    state: str | None = None
    state_reason: str | None = None


@dataclass(frozen=True, slots=True)
class NewPull:
    title: str
    body: str | None
    author: str
    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str
    draft: bool = False


@dataclass(frozen=True, slots=True)
class PullRecord:
    issue: IssueRecord
    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str
    draft: bool
    merged_at: float | None
    merged_by: str | None
    merge_commit_sha: str | None


@dataclass(frozen=True, slots=True)
class PullChanges:
    """Fields of a pull request's own row to change; None leaves one as it is."""

    head_sha: str | None = None
    base_ref: str | None = None
    base_sha: str | None = None
    draft: bool | None = None
    merged_at: float | None = None
    merged_by: str | None = None
    merge_commit_sha: str | None = None


@dataclass(frozen=True, slots=True)
class CommentRecord:
    id: int
    issue_id: int
    issue_number: int
    repository: str
    author: str
    body: str
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class NewRelease:
    tag_name: str
    target_commitish: str
    name: str | None = None
    body: str | None = None
    draft: bool = False
    prerelease: bool = False


@dataclass(frozen=True, slots=True)
class ReleaseRecord:
    id: int
    repository: str
    tag_name: str
    target_commitish: str
    name: str | None
    body: str | None
    draft: bool
    prerelease: bool
    author: str
    created_at: float
    updated_at: float
    published_at: float | None


@dataclass(frozen=True, slots=True)
class AssetRecord:
    id: int
    release_id: int
    name: str
    label: str | None
    content_type: str
    size: int
    digest: str
    uploader: str
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class StatusRecord:
    id: int
    repository: str
    sha: str
    state: str
    context: str
    description: str | None
    target_url: str | None
    creator: str
    created_at: float


@dataclass(frozen=True, slots=True)
class Annotation:
    path: str
    start_line: int
    end_line: int
    annotation_level: str  # notice, warning, failure
    message: str
    title: str | None = None


@dataclass(frozen=True, slots=True)
class CheckRunFields:
    """A check run's fields as created or changed; None leaves one as it is. Annotations are
    appended, as GitHub does."""

    status: str | None = None
    conclusion: str | None = None
    external_id: str | None = None
    details_url: str | None = None
    title: str | None = None
    summary: str | None = None
    text: str | None = None
    annotations: tuple[Annotation, ...] = ()
    started_at: float | None = None
    completed_at: float | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class CheckRunRecord:
    id: int
    repository: str
    head_sha: str
    name: str
    external_id: str | None
    status: str
    conclusion: str | None
    details_url: str | None
    title: str | None
    summary: str | None
    text: str | None
    annotations: tuple[Annotation, ...]
    started_at: float | None
    completed_at: float | None
