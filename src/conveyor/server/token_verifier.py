"""`StoreTokenVerifier`: the `TokenVerifier` port over the store's API tokens (`api_tokens`) and
the local forge's job tokens (`job_tokens`, a job's `GITHUB_TOKEN`).

A token is looked up by its SHA-256, never compared with stored secrets byte by byte. A job token
is a principal named `job:<job>` with its permissions and repository (the read role: what it may
do on the forge is what its permissions say)."""

from __future__ import annotations

from conveyor.server.principals import Principal, Role
from conveyor.store.api_tokens import SqlTokenStore
from conveyor.store.handle import StoreHandle
from conveyor.store.job_tokens import PREFIX as JOB_PREFIX
from conveyor.store.job_tokens import SqlJobTokens

ROLES = {"read": Role.READ, "write": Role.WRITE, "admin": Role.ADMIN, "worker": Role.WORKER}


class StoreTokenVerifier:
    def __init__(self, tokens: SqlTokenStore, jobs: SqlJobTokens | None = None) -> None:
        self.tokens = tokens
        self.jobs = jobs

    @classmethod
    def of(cls, store: StoreHandle) -> StoreTokenVerifier:
        """The verifier of an `open_store()` handle (the SQLAlchemy store)."""
        database = store.database
        return cls(SqlTokenStore(database), SqlJobTokens(database))  # type: ignore[arg-type]

    def verify(self, token: str) -> Principal | None:
        if token.startswith(JOB_PREFIX):
            return self._job(token)
        record = self.tokens.verify(token)
        if record is None:
            return None
        return Principal(record.name, ROLES[record.role])

    def _job(self, token: str) -> Principal | None:
        found = self.jobs.verify(token) if self.jobs is not None else None
        if found is None:
            return None
        permissions = dict(found.permissions)
        return Principal(f"job:{found.job}", Role.READ, permissions, found.repository)
