"""Environments declared in conveyor.toml (`[environments.NAME]`), synced into the store.

    [environments.production]
    required_reviewers = ["alice", "bob"]
    prevent_self_review = true
    wait_timer = 5                      # minutes
    deployment_branches = ["main", "release/*"]
    deployment_tags = ["v*"]

conveyor.toml is the source of truth for the environments it names: they are re-applied every
time a command reads it, and `conveyor environments set` refuses to change them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from conveyor.engine.ports.store import EnvironmentStore, ProtectionRules
from conveyor.errors import SourceLocation, UsageError, decode_utf8, error

CONFIG_FILE = "conveyor.toml"
KNOWN = {
    "required_reviewers",
    "prevent_self_review",
    "wait_timer",
    "deployment_branches",
    "deployment_tags",
}


def load_environments(repository_root: Path) -> dict[str, ProtectionRules]:
    path = repository_root / CONFIG_FILE
    if not path.is_file():
        return {}
    import tomllib  # here: most repositories have no conveyor.toml, and every run asks

    try:
        data = tomllib.loads(decode_utf8(path.read_bytes(), str(path)))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}") from exc
    return environments_in(path, data)


def environments_in(path: Path, data: Mapping[str, object]) -> dict[str, ProtectionRules]:
    """The `[environments]` of conveyor.toml's tables `data` (read from `path`, named in errors)."""
    table = data.get("environments", {})
    if not isinstance(table, dict):
        raise _invalid(path, "[environments] must be a table of environment tables")
    return {str(name): _rules(path, str(name), body) for name, body in table.items()}


def _rules(path: Path, name: str, body: object) -> ProtectionRules:
    if not isinstance(body, dict):
        raise _invalid(path, f"[environments.{name}] must be a table")
    unknown = sorted(set(body) - KNOWN)
    if unknown:
        raise _invalid(path, f"[environments.{name}]: unknown key(s) {', '.join(unknown)}")
    return ProtectionRules(
        required_reviewers=_strings(path, name, body, "required_reviewers") or (),
        prevent_self_review=_bool(path, name, body, "prevent_self_review"),
        wait_timer_minutes=_minutes(path, name, body),
        deployment_branches=_strings(path, name, body, "deployment_branches"),
        deployment_tags=_strings(path, name, body, "deployment_tags"),
    )


def _strings(path: Path, name: str, body: Mapping[str, object], key: str) -> tuple[str, ...] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _invalid(path, f"[environments.{name}] {key} must be a list of strings")
    return tuple(value)


def _bool(path: Path, name: str, body: Mapping[str, object], key: str) -> bool:
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise _invalid(path, f"[environments.{name}] {key} must be true or false")
    return value


def _minutes(path: Path, name: str, body: Mapping[str, object]) -> float:
    value = body.get("wait_timer", 0)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(path, f"[environments.{name}] wait_timer must be a number of minutes")
    return float(value)


def _invalid(path: Path, message: str) -> UsageError:
    return UsageError(error(SourceLocation(str(path)), "config", message).render())


def sync_environments(
    environments: EnvironmentStore,
    repository: str,
    repository_root: Path,
    *,
    read: tuple[Path, Mapping[str, object]] | None = None,
) -> list[str]:
    """Apply conveyor.toml's environments to the store; returns their names. `read`: the file
    as already read (where, its tables) — a served run's, as committed at its commit."""
    declared = load_environments(repository_root) if read is None else environments_in(*read)
    for name, rules in declared.items():
        environments.declare_environment(repository, name, rules, source="toml")
    return list(declared)
