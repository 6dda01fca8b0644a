"""Which `runs-on` labels this host cannot run: a Windows or macOS runner on another system.

The local executor runs steps on this machine; a job for a Windows or macOS runner would run on
Linux with `runner.os=Linux` and fail in ways that say nothing about the workflow. Such a job is
reported skipped (unavailable) with the reason instead, unless the user maps the label to the
host (`--platform LABEL=host`, conveyor.toml `[run.platforms]`).
"""

from __future__ import annotations

import platform
from collections.abc import Iterable, Sequence

# runner.os → the label families that name a runner of that system.
_FAMILIES = {"Windows": ("windows", "win"), "macOS": ("macos", "osx")}
HOST_VALUE = "host"


def host_system() -> str:
    """runner.os of this host: Linux, Windows or macOS."""
    system = platform.system()
    return {"Darwin": "macOS"}.get(system, system)


def label_system(label: str) -> str | None:
    """The system a label names (`windows-2022`, `macos-14-xlarge`, `macOS`), or None."""
    lowered = label.strip().lower()
    for system, prefixes in _FAMILIES.items():
        if any(lowered == prefix or lowered.startswith(prefix + "-") for prefix in prefixes):
            return system
    return None


def unavailable_reason(
    labels: Sequence[str], on_host: Iterable[str] = (), system: str | None = None
) -> str | None:
    """Why this host cannot run a job with these `runs-on` labels, or None when it can."""
    system = system or host_system()
    mapped = {label.lower() for label in on_host}
    if any(label.lower() in mapped for label in labels):
        return None
    for label in labels:
        wanted = label_system(label)
        if wanted is not None and wanted != system:
            return (
                f"runs-on: {label} needs a {wanted} runner and this host runs {system} "
                f"(--platform {label}={HOST_VALUE} runs it here anyway)"
            )
    return None
