"""Where conveyor keeps its data, how many jobs run at once by default, and the settings files."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from conveyor.errors import UsageError, decode_utf8
from conveyor.store.location import conveyor_home


def default_parallel() -> int:
    """`CONVEYOR_PARALLEL`, else the number of CPUs."""
    configured = os.environ.get("CONVEYOR_PARALLEL", "")
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
    import tomllib  # only for a file that exists

    try:
        return ConfigFile(path, tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}") from None


def config_files(repository: Path) -> tuple[ConfigFile, ConfigFile]:
    """The repository's conveyor.toml and the user's config.toml, in order of precedence."""
    return read_config(repository / CONFIG_FILE), read_config(user_config_path())


__all__ = [
    "CONFIG_FILE",
    "ConfigFile",
    "config_files",
    "conveyor_home",
    "default_parallel",
    "read_config",
    "user_config_path",
]
