"""The local executor: runs job documents as processes on this machine (no Docker).

The names are loaded on first use, so importing a module of this package (the workspace pool,
made before the executor) does not load the executor's modules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conveyor.executors.local.executor import LocalExecutor
    from conveyor.executors.local.processes import StopPolicy
    from conveyor.executors.local.services_hook import ServicesStarter

_EXPORTS = {
    "LocalExecutor": "conveyor.executors.local.executor",
    "StopPolicy": "conveyor.executors.local.processes",
    "ServicesStarter": "conveyor.executors.local.services_hook",
}


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = ["LocalExecutor", "ServicesStarter", "StopPolicy"]
