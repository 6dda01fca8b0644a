"""The store where `Settings` says it is (`home`, `database`): what the CLI's commands open."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from conveyor.bootstrap.settings import Settings, load_settings

if TYPE_CHECKING:
    from conveyor.store.handle import StoreHandle


@contextmanager
def opened_store(settings: Settings | None = None) -> Iterator[StoreHandle]:
    """`with opened_store() as store:` — the store of `settings` (else this process's, read
    once here), opened (created or migrated) and closed on the way out."""
    from conveyor.store.handle import opened_store as opened  # SQLAlchemy: only when opened

    settings = settings or load_settings()
    with opened(settings.home, settings.database) as store:
        yield store
