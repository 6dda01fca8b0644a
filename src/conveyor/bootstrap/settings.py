"""Where conveyor keeps its data, and how many jobs run at once by default."""

from __future__ import annotations

import os
from pathlib import Path


def conveyor_home() -> Path:
    """`CONVEYOR_HOME`, else `$XDG_DATA_HOME/conveyor`, else `~/.local/share/conveyor`."""
    explicit = os.environ.get("CONVEYOR_HOME")
    if explicit:
        return Path(explicit)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "conveyor"


def default_parallel() -> int:
    """`CONVEYOR_PARALLEL`, else the number of CPUs."""
    configured = os.environ.get("CONVEYOR_PARALLEL", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return os.cpu_count() or 1
