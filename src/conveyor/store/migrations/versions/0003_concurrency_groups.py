"""Revision 0003: concurrency groups; runs and jobs learn their group and cancel requests."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "concurrency_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=400), nullable=False),
        sa.Column("running_holder", sa.String(length=1100), nullable=True),
        sa.Column("running_run_id", sa.Integer(), nullable=True),
        sa.Column("pending_holder", sa.String(length=1100), nullable=True),
        sa.Column("pending_run_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repositories.id"],
            name=op.f("fk_concurrency_groups_repository_id_repositories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concurrency_groups")),
        sa.UniqueConstraint(
            "repository_id", "name", name=op.f("uq_concurrency_groups_repository_id")
        ),
    )
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("concurrency_group", sa.String(length=400), nullable=True))
        batch.add_column(
            sa.Column("cancel_requested", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(
            sa.Column("cancel_requested", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("cancel_requested")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("cancel_requested")
        batch.drop_column("concurrency_group")
    op.drop_table("concurrency_groups")
