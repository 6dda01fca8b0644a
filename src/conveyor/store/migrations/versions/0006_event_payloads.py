"""Revision 0006: event payloads once per content, compressed (`event_payloads`), runs point at
them (`runs.payload_id`) instead of each holding a copy (`runs.event_payload`).

The upgrade moves every stored payload: the JSON text as it is (the store wrote it with
`json_columns.dumps`, so its SHA-256 is the one new runs compute) is compressed into one row per
distinct text. The downgrade puts each run's text back in its column.
"""

from __future__ import annotations

import hashlib
import time
import zlib

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

RUNS = sa.table(
    "runs",
    sa.column("id", sa.Integer),
    sa.column("event_payload", sa.Text),
    sa.column("payload_id", sa.Integer),
)
PAYLOADS = sa.table(
    "event_payloads",
    sa.column("id", sa.Integer),
    sa.column("digest", sa.String),
    sa.column("size", sa.Integer),
    sa.column("data", sa.LargeBinary),
    sa.column("created_at", sa.Float),
)
FOREIGN_KEY = "fk_runs_payload_id_event_payloads"


def upgrade() -> None:
    op.create_table(
        "event_payloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_payloads")),
        sa.UniqueConstraint("digest", name=op.f("uq_event_payloads_digest")),
    )
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("payload_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f(FOREIGN_KEY), "event_payloads", ["payload_id"], ["id"])
    _move_payloads_out(op.get_bind())
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("event_payload")


def _move_payloads_out(conn: sa.Connection) -> None:
    """One payload row per distinct text; each run read and written one at a time (a payload
    may be tens of megabytes)."""
    ids = conn.execute(
        sa.select(RUNS.c.id).where(RUNS.c.event_payload.not_in(["", "{}"])).order_by(RUNS.c.id)
    ).scalars()
    known: dict[str, int] = {}
    for run_id in list(ids):
        text = conn.execute(sa.select(RUNS.c.event_payload).where(RUNS.c.id == run_id)).scalar()
        raw = str(text).encode("utf-8")
        digest = hashlib.sha256(raw).hexdigest()
        if digest not in known:
            values = {
                "digest": digest,
                "size": len(raw),
                "data": zlib.compress(raw),
                "created_at": time.time(),
            }
            inserted = conn.execute(sa.insert(PAYLOADS).values(**values).returning(PAYLOADS.c.id))
            known[digest] = int(inserted.scalar_one())
        conn.execute(sa.update(RUNS).where(RUNS.c.id == run_id).values(payload_id=known[digest]))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("event_payload", sa.Text(), nullable=False, server_default="{}"))
    _move_payloads_back(op.get_bind())
    with op.batch_alter_table("runs") as batch:
        batch.alter_column("event_payload", server_default=None)
        batch.drop_constraint(op.f(FOREIGN_KEY), type_="foreignkey")
        batch.drop_column("payload_id")
    op.drop_table("event_payloads")


def _move_payloads_back(conn: sa.Connection) -> None:
    pairs = conn.execute(
        sa.select(RUNS.c.id, RUNS.c.payload_id).where(RUNS.c.payload_id.is_not(None))
    ).all()
    for run_id, payload_id in pairs:
        data = conn.execute(
            sa.select(PAYLOADS.c.data).where(PAYLOADS.c.id == payload_id)
        ).scalar_one()
        text = zlib.decompress(data).decode("utf-8")
        conn.execute(sa.update(RUNS).where(RUNS.c.id == run_id).values(event_payload=text))
