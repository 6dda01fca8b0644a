"""Revision 0015: `remote_jobs` and `remote_workers`, the jobs `conveyor serve --broker` hands to
`conveyor worker` processes and the workers online.

Only the server uses them; `conveyor run`'s stdlib-sqlite3 store never reads them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "remote_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("instance_key", sa.String(length=1024), nullable=False),
        sa.Column("labels", sa.String(length=1024), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=255), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("lease_expires", sa.Float(), nullable=True),
        sa.Column("cancel", sa.Boolean(), nullable=False),
        sa.Column("rung_at", sa.Float(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("result", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remote_jobs")),
    )
    op.create_index("ix_remote_jobs_state", "remote_jobs", ["state"])
    op.create_table(
        "remote_workers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("labels", sa.String(length=1024), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("busy", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("last_heartbeat", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remote_workers")),
        sa.UniqueConstraint("name", name=op.f("uq_remote_workers_name")),
    )


def downgrade() -> None:
    op.drop_table("remote_workers")
    op.drop_index("ix_remote_jobs_state", table_name="remote_jobs")
    op.drop_table("remote_jobs")
