"""The vector extension and the grants table."""

from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute(
        "CREATE TABLE grants (id serial PRIMARY KEY, title text NOT NULL,"
        " description text NOT NULL, amount_eur numeric, embedding vector(64) NOT NULL)"
    )


def downgrade() -> None:
    op.execute("DROP TABLE grants")
