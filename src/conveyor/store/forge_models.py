"""The local forge's tables (on `models.metadata`; `models.py` imports this module so every
user of the metadata sees them): issues and pull requests sharing one number sequence per
repository (a pull request is an issue with a `forge_pulls` row), comments, labels, releases and
their assets (files under CONVEYOR_HOME), commit statuses and check runs.

Repositories are named `owner/repo` as served (`served_repositories.name`); timestamps are epoch
seconds. Only `conveyor serve` uses them; `conveyor run`'s stdlib-sqlite3 store never reads them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from conveyor.store.models import metadata

ForgeIssueRow = Table(
    "forge_issues",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("repository", String(255), nullable=False),
    Column("number", Integer, nullable=False),
    Column("is_pull", Boolean, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=True),
    Column("state", String(10), nullable=False),  # open, closed
    Column("state_reason", String(20), nullable=True),
    Column("author", String(255), nullable=False),
    Column("locked", Boolean, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("closed_at", Float, nullable=True),
    Column("closed_by", String(255), nullable=True),
    UniqueConstraint("repository", "number"),
)

ForgePullRow = Table(
    "forge_pulls",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("issue_id", ForeignKey("forge_issues.id", ondelete="CASCADE"), nullable=False),
    Column("head_ref", String(1024), nullable=False),  # branch name
    Column("head_sha", String(64), nullable=False),
    Column("base_ref", String(1024), nullable=False),
    Column("base_sha", String(64), nullable=False),
    Column("draft", Boolean, nullable=False),
    Column("merged_at", Float, nullable=True),
    Column("merged_by", String(255), nullable=True),
    Column("merge_commit_sha", String(64), nullable=True),
    UniqueConstraint("issue_id"),
)

ForgeCommentRow = Table(
    "forge_comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("issue_id", ForeignKey("forge_issues.id", ondelete="CASCADE"), nullable=False),
    Column("author", String(255), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_forge_comments_issue_id_id", "issue_id", "id"),
)

ForgeLabelRow = Table(
    "forge_labels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("repository", String(255), nullable=False),
    Column("name", String(255), nullable=False),
    Column("color", String(6), nullable=False),  # hex, no '#'
    Column("description", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("repository", "name"),
)

ForgeIssueLabelRow = Table(
    "forge_issue_labels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("issue_id", ForeignKey("forge_issues.id", ondelete="CASCADE"), nullable=False),
    Column("label_id", ForeignKey("forge_labels.id", ondelete="CASCADE"), nullable=False),
    UniqueConstraint("issue_id", "label_id"),
)

ForgeReleaseRow = Table(
    "forge_releases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("repository", String(255), nullable=False),
    Column("tag_name", String(1024), nullable=False),
    Column("target_commitish", String(1024), nullable=False),
    Column("name", Text, nullable=True),
    Column("body", Text, nullable=True),
    Column("draft", Boolean, nullable=False),
    Column("prerelease", Boolean, nullable=False),
    Column("author", String(255), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("published_at", Float, nullable=True),
    Index("ix_forge_releases_repository_tag_name", "repository", "tag_name"),
)

ForgeReleaseAssetRow = Table(
    "forge_release_assets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("release_id", ForeignKey("forge_releases.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("label", Text, nullable=True),
    Column("content_type", String(255), nullable=False),
    Column("size", Integer, nullable=False),
    Column("digest", String(100), nullable=False),  # sha256:HEX
    Column("path", String(4096), nullable=False),  # under CONVEYOR_HOME
    Column("uploader", String(255), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("release_id", "name"),
)

ForgeStatusRow = Table(
    "forge_statuses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("repository", String(255), nullable=False),
    Column("sha", String(64), nullable=False),
    Column("state", String(10), nullable=False),
    Column("context", String(255), nullable=False),
    Column("description", Text, nullable=True),
    Column("target_url", Text, nullable=True),
    Column("creator", String(255), nullable=False),
    Column("created_at", Float, nullable=False),
    Index("ix_forge_statuses_repository_sha", "repository", "sha", "id"),
)

ForgeCheckRunRow = Table(
    "forge_check_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("repository", String(255), nullable=False),
    Column("head_sha", String(64), nullable=False),
    Column("name", String(1024), nullable=False),
    Column("external_id", String(1024), nullable=True),
    Column("status", String(20), nullable=False),
    Column("conclusion", String(20), nullable=True),
    Column("details_url", Text, nullable=True),
    Column("title", Text, nullable=True),
    Column("summary", Text, nullable=True),
    Column("text", Text, nullable=True),
    Column("annotations", Text, default="[]", nullable=False),  # JSON list
    Column("started_at", Float, nullable=True),
    Column("completed_at", Float, nullable=True),
    Column("created_at", Float, nullable=False),
    Index("ix_forge_check_runs_repository_head_sha", "repository", "head_sha", "id"),
    Index("ix_forge_check_runs_external_id", "repository", "external_id"),
)

ForgeBranchProtectionRow = Table(
    "forge_branch_protections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("repository", String(255), nullable=False),
    Column("branch", String(1024), nullable=False),
    Column("required_checks", Text, nullable=False),  # JSON list of check names / contexts
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("repository", "branch"),
)
