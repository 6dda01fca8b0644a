"""Revision 0013: the local forge's branch protections (`forge_branch_protections`): per
repository and branch, the status checks a pull request's head must pass before it is merged.

Only the server uses it; `conveyor run`'s stdlib-sqlite3 store never reads it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forge_branch_protections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository", sa.String(length=255), nullable=False),
        sa.Column("branch", sa.String(length=1024), nullable=False),
        sa.Column("required_checks", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forge_branch_protections")),
        sa.UniqueConstraint(
            "repository", "branch", name=op.f("uq_forge_branch_protections_repository")
        ),
    )


def downgrade() -> None:
    op.drop_table("forge_branch_protections")
