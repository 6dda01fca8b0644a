"""`StoreTokenVerifier`: the `TokenVerifier` port over the store's API tokens (`api_tokens`).

A token is looked up by its SHA-256, never compared with stored secrets byte by byte."""

from __future__ import annotations

from conveyor.server.principals import Principal, Role
from conveyor.store.api_tokens import SqlTokenStore
from conveyor.store.handle import StoreHandle

ROLES = {"read": Role.READ, "write": Role.WRITE, "admin": Role.ADMIN}


class StoreTokenVerifier:
    def __init__(self, tokens: SqlTokenStore) -> None:
        self.tokens = tokens

    @classmethod
    def of(cls, store: StoreHandle) -> StoreTokenVerifier:
        """The verifier of an `open_store()` handle (the SQLAlchemy store)."""
        return cls(SqlTokenStore(store.database))  # type: ignore[arg-type]

    def verify(self, token: str) -> Principal | None:
        record = self.tokens.verify(token)
        if record is None:
            return None
        return Principal(record.name, ROLES[record.role])
