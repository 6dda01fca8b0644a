"""What mints and revokes a job's `GITHUB_TOKEN` on the local forge (the store's `job_tokens`:
`conveyor.store.job_tokens.SqlJobTokens`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from conveyor.engine.ports.forge import JobToken


class JobTokenIssuer(Protocol):
    def mint(
        self, repository: str, job: str, permissions: Mapping[str, str], *, lifetime: float
    ) -> JobToken:
        """A new token for `job` on `repository`, valid `lifetime` seconds at most."""
        ...

    def revoke(self, value: str) -> bool:
        """End the token now; whether it was live."""
        ...
