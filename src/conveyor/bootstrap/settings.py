"""conveyor's settings, read once into one `Settings` value (`load_settings`), and the settings
files. Precedence (DESIGN.md §3): `CONVEYOR_*` variables, then `conveyor.toml` in the
repository, then the user's `config.toml`. The modules below bootstrap are handed values from
`Settings`; they do not read the environment for them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.errors import UsageError, decode_utf8
from conveyor.store.location import (
    DatabaseSettings,
    conveyor_home,
    data_home,
    database_settings,
    explicit_home,
)

SERVICES_PREFIX = "CONVEYOR_SERVICES_"


@dataclass(frozen=True, slots=True)
class Settings:
    """What the `CONVEYOR_*` variables say (the settings files are read per repository)."""

    home: Path  # CONVEYOR_HOME, else $XDG_DATA_HOME/conveyor, else ~/.local/share/conveyor
    parallel: int  # CONVEYOR_PARALLEL: jobs at once, else the number of CPUs
    plain: bool = False  # CONVEYOR_PLAIN: plain lines, never the live view
    actor: str | None = None  # CONVEYOR_ACTOR: who approves or rejects (else the login name)
    # CONVEYOR_SERVICES_*: the `[services]` settings' variable layer (services_wiring)
    services_variables: Mapping[str, str] = field(default_factory=dict)
    # CONVEYOR_NPM_REGISTRY: where JavaScript actions' node is provisioned from (else npm's own)
    npm_registry: str = ""
    # CONVEYOR_DATABASE_URL, CONVEYOR_DATABASE_TIMEOUT: the store's database, its lock timeout
    database: DatabaseSettings = field(default_factory=DatabaseSettings)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of this process (`environ`: os.environ); CONVEYOR_HOME is created (0700)."""
    env = os.environ if environ is None else environ
    return Settings(
        home=conveyor_home(env),
        parallel=_parallel(env.get("CONVEYOR_PARALLEL", "")),
        plain=bool(env.get("CONVEYOR_PLAIN")),
        actor=env.get("CONVEYOR_ACTOR") or None,
        services_variables=services_variables(env),
        npm_registry=env.get("CONVEYOR_NPM_REGISTRY", "").strip(),
        database=database_settings(env),
    )


def services_variables(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The `CONVEYOR_SERVICES_*` variables (`environ`: os.environ)."""
    env = os.environ if environ is None else environ
    return {name: value for name, value in env.items() if name.startswith(SERVICES_PREFIX)}


def _parallel(configured: str) -> int:
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return os.cpu_count() or 1


# Configuration files, highest precedence first after the CONVEYOR_* variables (DESIGN.md §3):
# `conveyor.toml` at the repository root, then the user's `config.toml`.
CONFIG_FILE = "conveyor.toml"


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """One settings file as read: where it is, and its tables ({} when the file is absent)."""

    path: Path
    data: Mapping[str, object]


def user_config_path() -> Path:
    """`$XDG_CONFIG_HOME/conveyor/config.toml`, else `~/.config/conveyor/config.toml`."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "conveyor" / "config.toml"


def read_config(path: Path) -> ConfigFile:
    """A TOML settings file; an absent file is empty; bad TOML is a UsageError naming the file."""
    try:
        text = decode_utf8(path.read_bytes(), str(path))
    except FileNotFoundError:
        return ConfigFile(path, {})
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return _parsed(text, path)


def repository_config(repository: Path, revision: str | None = None) -> ConfigFile:
    """The repository's conveyor.toml: the working tree's (uncommitted edits count); when there
    is none and `revision` (the run's commit) is given, the file committed there — a served run:
    the server's view of a repository has no working tree — shown as
    `conveyor.toml (commit 1a2b3c…)` in errors."""
    path = repository / CONFIG_FILE
    if revision is None or path.exists() or not (repository / ".git").exists():
        return read_config(path)
    from conveyor.git import GitRepository  # only for a run of a commit without the file

    shown = Path(f"{CONFIG_FILE} (commit {revision[:12]})")
    text = GitRepository(repository).try_git("cat-file", "blob", f"{revision}:{CONFIG_FILE}")
    return ConfigFile(shown, {}) if text is None else _parsed(text, shown)


def _parsed(text: str, shown: Path) -> ConfigFile:
    import tomllib  # only for a file that exists

    try:
        return ConfigFile(shown, tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{shown}: invalid TOML: {exc}") from None


def config_files(repository: Path, revision: str | None = None) -> tuple[ConfigFile, ConfigFile]:
    """The repository's conveyor.toml (`repository_config`) and the user's config.toml, in
    order of precedence."""
    return repository_config(repository, revision), read_config(user_config_path())


__all__ = [
    "CONFIG_FILE",
    "ConfigFile",
    "Settings",
    "config_files",
    "conveyor_home",
    "data_home",
    "explicit_home",
    "load_settings",
    "read_config",
    "repository_config",
    "services_variables",
    "user_config_path",
]
