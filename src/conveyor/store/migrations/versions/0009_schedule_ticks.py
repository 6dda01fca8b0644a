"""Revision 0009: `schedule_ticks`, one claimed row per (repository, workflow, cron tick).

Only the server's schedulers use it; `conveyor run`'s stdlib-sqlite3 store never reads it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schedule_ticks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository", sa.String(length=255), nullable=False),
        sa.Column("workflow", sa.String(length=1024), nullable=False),
        sa.Column("tick", sa.Float(), nullable=False),
        sa.Column("cron", sa.String(length=255), nullable=False),
        sa.Column("claimed_at", sa.Float(), nullable=False),
        sa.Column("claimed_by", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_ticks")),
        sa.UniqueConstraint(
            "repository", "workflow", "tick", name=op.f("uq_schedule_ticks_repository")
        ),
    )


def downgrade() -> None:
    op.drop_table("schedule_ticks")
