"""Revision 0014: `coverage_points`, one row per `conveyor/coverage-gate` step that measured:
the repository, branch, commit and run, the line, branch and diff rates (percent, NULL when not
measured), when. The web UI and `GET /api/v1/repos/{owner}/{repo}/coverage` show the trend.

Both stores write it: `conveyor run` through stdlib sqlite3 (lite_coverage.py), the server
through SQLAlchemy (coverage_trend.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coverage_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository", sa.String(length=1024), nullable=False),
        sa.Column("branch", sa.String(length=1024), nullable=False),
        sa.Column("sha", sa.String(length=64), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("line_rate", sa.Float(), nullable=True),
        sa.Column("branch_rate", sa.Float(), nullable=True),
        sa.Column("diff_rate", sa.Float(), nullable=True),
        sa.Column("recorded_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage_points")),
    )
    op.create_index(
        op.f("ix_coverage_points_repository_branch"),
        "coverage_points",
        ["repository", "branch", "id"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_coverage_points_repository_branch"), table_name="coverage_points")
    op.drop_table("coverage_points")
