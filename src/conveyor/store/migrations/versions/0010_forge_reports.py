"""Revision 0010: `forge_reports`, the retry queue of check runs and commit statuses waiting to
reach a forge (one row per check or status: a later report replaces a waiting one), the ids
GitHub gave the check runs (`forge_check_ids`: updated, never created twice), and the
forge a served repository reports to (`served_repositories.forge`).

Only the server uses them; `conveyor run`'s stdlib-sqlite3 store never reads them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forge_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.Float(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forge_reports")),
        sa.UniqueConstraint("key", name=op.f("uq_forge_reports_key")),
    )
    op.create_table(
        "forge_check_ids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=512), nullable=False),
        sa.Column("check_run_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forge_check_ids")),
        sa.UniqueConstraint("external_id", name=op.f("uq_forge_check_ids_external_id")),
    )
    with op.batch_alter_table("served_repositories") as batch:
        batch.add_column(sa.Column("forge", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("served_repositories") as batch:
        batch.drop_column("forge")
    op.drop_table("forge_check_ids")
    op.drop_table("forge_reports")
