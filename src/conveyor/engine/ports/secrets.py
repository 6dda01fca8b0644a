"""Secrets (encrypted at rest) and variables, per repository and environment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SecretInfo:
    """A secret's name and scope, never its value."""

    name: str
    environment: str | None
    updated_at: float


@dataclass(frozen=True, slots=True)
class VariableRecord:
    name: str
    value: str
    environment: str | None
    updated_at: float


class SecretStore(Protocol):
    """Secrets encrypted at rest; names are case-insensitive (kept upper-case)."""

    def set_secret(
        self, repository: str, name: str, value: str, environment: str | None = None
    ) -> None: ...
    def delete_secret(self, repository: str, name: str, environment: str | None = None) -> bool: ...
    def list_secrets(self, repository: str, environment: str | None = None) -> list[SecretInfo]: ...
    def resolve_secrets(
        self, repository: str, environment: str | None = None
    ) -> dict[str, str]: ...


class VariableStore(Protocol):
    def set_variable(
        self, repository: str, name: str, value: str, environment: str | None = None
    ) -> None: ...
    def delete_variable(
        self, repository: str, name: str, environment: str | None = None
    ) -> bool: ...
    def list_variables(
        self, repository: str, environment: str | None = None
    ) -> list[VariableRecord]: ...
    def resolve_variables(
        self, repository: str, environment: str | None = None
    ) -> dict[str, str]: ...
