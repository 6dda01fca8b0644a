"""Revision 0012: the local forge's job tokens (`job_tokens`): the SHA-256 of each job's
`GITHUB_TOKEN`, its repository, job and permissions, revoked at the job's end.

Only the server uses it; `conveyor run`'s stdlib-sqlite3 store never reads it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("repository", sa.String(length=255), nullable=False),
        sa.Column("job", sa.String(length=255), nullable=False),
        sa.Column("permissions", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("revoked_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_job_tokens_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("job_tokens")
