"""Event payloads, stored once per content: the JSON text zlib-compressed in one
`event_payloads` row, keyed by its SHA-256, which runs point at (`runs.payload_id`).

The runs of one event (every workflow it fires) and every attempt of a run share one row, so a
large webhook payload costs its compressed size once. Payloads are limited at the edge that
reads them (`conveyor.model.events.MAX_PAYLOAD_BYTES`, GitHub's 25 MB webhook cap); an empty
payload is no row (`payload_id` NULL).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, bindparam, select

from conveyor.store.models import EventPayloadRow
from conveyor.store.rows import dumps, insert_ignoring, loads_mapping, now

# Built once: every run a webhook delivery creates stores its payload.
_BY_DIGEST = select(EventPayloadRow.c.id).where(EventPayloadRow.c.digest == bindparam("digest"))
_INSERTS: dict[str, Any] = {}


def save_payload(conn: Connection, payload: Mapping[str, object]) -> int | None:
    """The id of the row holding `payload`, stored now if no run has stored it yet."""
    if not payload:
        return None
    raw = dumps(dict(payload)).encode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()
    found = conn.execute(_BY_DIGEST, {"digest": digest}).scalar()
    if found is None:
        values = {
            "digest": digest,
            "size": len(raw),
            "data": zlib.compress(raw),
            "created_at": now(),
        }
        found = conn.execute(_insert(conn.dialect.name), values).scalar()
    if found is None:  # another transaction stored it between the two statements
        found = conn.execute(_BY_DIGEST, {"digest": digest}).scalar_one()
    return int(found)


def _insert(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id, built once per dialect."""
    if dialect not in _INSERTS:
        statement = insert_ignoring(dialect, EventPayloadRow)
        _INSERTS[dialect] = statement.returning(EventPayloadRow.c.id)
    return _INSERTS[dialect]


def load_payload(conn: Connection, payload_id: int | None) -> dict[str, Any]:
    """The payload stored as `payload_id` ({} for none)."""
    if payload_id is None:
        return {}
    query = select(EventPayloadRow.c.data).where(EventPayloadRow.c.id == payload_id)
    data = conn.execute(query).scalar_one()
    return loads_mapping(zlib.decompress(data).decode("utf-8"))
