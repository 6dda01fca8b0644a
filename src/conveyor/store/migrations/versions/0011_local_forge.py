"""Revision 0011: the local forge's tables (`store/forge_models.py`): issues and pull requests
sharing one number sequence per repository, comments, labels, releases and their assets, commit
statuses and check runs.

Only `conveyor serve` uses them; `conveyor run`'s stdlib-sqlite3 store never reads them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forge_check_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository", sa.String(length=255), nullable=False),
        sa.Column("head_sha", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("external_id", sa.String(length=1024), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("conclusion", sa.String(length=20), nullable=True),
        sa.Column("details_url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("annotations", sa.Text(), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=True),
        sa.Column("completed_at", sa.Float(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forge_check_runs")),
    )
    op.create_index(
        "ix_forge_check_runs_external_id",
        "forge_check_runs",
        ["repository", "external_id"],
        unique=False,
    )
    op.create_index(
        "ix_forge_check_runs_repository_head_sha",
        "forge_check_runs",
        ["repository", "head_sha", "id"],
        unique=False,
    )
    op.create_table(
        "forge_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository", sa.String(length=255), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("is_pull", sa.Boolean(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("state_reason", sa.String(length=20), nullable=True),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("closed_at", sa.Float(), nullable=True),
        sa.Column("closed_by", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forge_issues")),
        sa.UniqueConstraint("repository", "number", name=op.f("uq_forge_issues_repository")),
    )
    op.create_table(
        "forge_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("color", sa.String(length=6), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forge_labels")),
        sa.UniqueConstraint("repository", "name", name=op.f("uq_forge_labels_repository")),
    )
    op.create_table(
        "forge_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository", sa.String(length=255), nullable=False),
        sa.Column("tag_name", sa.String(length=1024), nullable=False),
        sa.Column("target_commitish", sa.String(length=1024), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("draft", sa.Boolean(), nullable=False),
        sa.Column("prerelease", sa.Boolean(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("published_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forge_releases")),
    )
    op.create_index(
        "ix_forge_releases_repository_tag_name",
        "forge_releases",
        ["repository", "tag_name"],
        unique=False,
    )
    op.create_table(
        "forge_statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository", sa.String(length=255), nullable=False),
        sa.Column("sha", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("context", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("target_url", sa.Text(), nullable=True),
        sa.Column("creator", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forge_statuses")),
    )
    op.create_index(
        "ix_forge_statuses_repository_sha",
        "forge_statuses",
        ["repository", "sha", "id"],
        unique=False,
    )
    op.create_table(
        "forge_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["forge_issues.id"],
            name=op.f("fk_forge_comments_issue_id_forge_issues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forge_comments")),
    )
    op.create_index(
        "ix_forge_comments_issue_id_id", "forge_comments", ["issue_id", "id"], unique=False
    )
    op.create_table(
        "forge_issue_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["forge_issues.id"],
            name=op.f("fk_forge_issue_labels_issue_id_forge_issues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["forge_labels.id"],
            name=op.f("fk_forge_issue_labels_label_id_forge_labels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forge_issue_labels")),
        sa.UniqueConstraint("issue_id", "label_id", name=op.f("uq_forge_issue_labels_issue_id")),
    )
    op.create_table(
        "forge_pulls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("head_ref", sa.String(length=1024), nullable=False),
        sa.Column("head_sha", sa.String(length=64), nullable=False),
        sa.Column("base_ref", sa.String(length=1024), nullable=False),
        sa.Column("base_sha", sa.String(length=64), nullable=False),
        sa.Column("draft", sa.Boolean(), nullable=False),
        sa.Column("merged_at", sa.Float(), nullable=True),
        sa.Column("merged_by", sa.String(length=255), nullable=True),
        sa.Column("merge_commit_sha", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["forge_issues.id"],
            name=op.f("fk_forge_pulls_issue_id_forge_issues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forge_pulls")),
        sa.UniqueConstraint("issue_id", name=op.f("uq_forge_pulls_issue_id")),
    )
    op.create_table(
        "forge_release_assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=100), nullable=False),
        sa.Column("path", sa.String(length=4096), nullable=False),
        sa.Column("uploader", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["forge_releases.id"],
            name=op.f("fk_forge_release_assets_release_id_forge_releases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forge_release_assets")),
        sa.UniqueConstraint("release_id", "name", name=op.f("uq_forge_release_assets_release_id")),
    )


def downgrade() -> None:
    op.drop_table("forge_release_assets")
    op.drop_table("forge_pulls")
    op.drop_table("forge_issue_labels")
    op.drop_index("ix_forge_comments_issue_id_id", table_name="forge_comments")
    op.drop_table("forge_comments")
    op.drop_index("ix_forge_statuses_repository_sha", table_name="forge_statuses")
    op.drop_table("forge_statuses")
    op.drop_index("ix_forge_releases_repository_tag_name", table_name="forge_releases")
    op.drop_table("forge_releases")
    op.drop_table("forge_labels")
    op.drop_table("forge_issues")
    op.drop_index("ix_forge_check_runs_repository_head_sha", table_name="forge_check_runs")
    op.drop_index("ix_forge_check_runs_external_id", table_name="forge_check_runs")
    op.drop_table("forge_check_runs")
