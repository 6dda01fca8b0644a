"""conveyor.store (layer 5): durable run history on SQLite or PostgreSQL, step logs in files,
encrypted secrets, variables, environments with protection rules, and concurrency groups.

`open_store()` is the entry point; `conveyor.store.fake` has in-memory stand-ins for tests.
Names are imported on first use, so a command that needs no database (or only the quick,
stdlib-sqlite3 listing) does not pay for importing SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conveyor.store.cancel_watch import CancelWatch
    from conveyor.store.handle import StoreHandle, open_store, opened_store
    from conveyor.store.recorder import RunRecorder, StoreObserver
    from conveyor.store.reporter import StoreReporter

_EXPORTS = {
    "CancelWatch": "conveyor.store.cancel_watch",
    "StoreHandle": "conveyor.store.handle",
    "open_store": "conveyor.store.handle",
    "opened_store": "conveyor.store.handle",
    "RunRecorder": "conveyor.store.recorder",
    "StoreObserver": "conveyor.store.recorder",
    "StoreReporter": "conveyor.store.reporter",
}


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'conveyor.store' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "CancelWatch",
    "RunRecorder",
    "StoreHandle",
    "StoreObserver",
    "StoreReporter",
    "open_store",
    "opened_store",
]
