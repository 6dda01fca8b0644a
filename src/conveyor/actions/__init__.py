"""Native implementations of common remote actions (layer 5), served by an ActionRegistry.

Each handler implements `conveyor.engine.ports.actions.ActionHandler`; `default_registry()`
registers them under the `owner/repo[/path]` they stand for. To add one: a module defining the
handler class, and one line in `NATIVE_ACTIONS`. A handler's module is imported when a step first
uses it, so a run that uses none of them does not load them (tarfile, zipfile...).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping

from conveyor.engine.ports.actions import (
    ActionConsole,
    ActionHandler,
    ActionInvocation,
    ActionOutcome,
    ActionRegistry,
)

# `owner/repo[/path]` → (module under conveyor.actions, handler class)
NATIVE_ACTIONS: dict[str, tuple[str, str]] = {
    "actions/checkout": ("checkout", "Checkout"),
    "actions/setup-python": ("setup_python", "SetupPython"),
    "actions/setup-node": ("setup_node", "SetupNode"),
    "actions/cache": ("cache", "Cache"),
    "actions/cache/restore": ("cache", "RestoreCache"),
    "actions/cache/save": ("cache", "SaveCache"),
    "actions/upload-artifact": ("artifacts", "UploadArtifact"),
    "actions/download-artifact": ("artifacts", "DownloadArtifact"),
    "astral-sh/setup-uv": ("setup_uv", "SetupUv"),
    "conveyor/quality-gate": ("quality_gate", "QualityGate"),
    "conveyor/tdd-gate": ("tdd_gate", "TddGate"),
    "conveyor/labeler": ("labeler", "Labeler"),
    "conveyor/coverage-gate": ("coverage_gate", "CoverageGate"),
    "conveyor/stale": ("stale", "Stale"),
    "conveyor/release": ("release", "Release"),
    "conveyor/secret-scan": ("secret_scan", "SecretScan"),
    "conveyor/dependency-review": ("dependency_review", "DependencyReview"),
}

# `conveyor run --native-actions`: marketplace actions run by the native one standing for them
# (a target not shipped is left out). conveyor.toml `[actions.native]` adds to / overrides it.
BUILTIN_NATIVE_MAP: dict[str, str] = {
    "actions/labeler": "conveyor/labeler",
    "actions/stale": "conveyor/stale",
    "actions/dependency-review-action": "conveyor/dependency-review",
    "re-actors/alls-green": "conveyor/quality-gate",
    "codecov/codecov-action": "conveyor/coverage-gate",
    "trufflesecurity/trufflehog": "conveyor/secret-scan",
    "gitleaks/gitleaks-action": "conveyor/secret-scan",
}


class DeferredHandler:
    """An ActionHandler whose class is imported, and instantiated once, on its first run."""

    def __init__(self, module: str, name: str) -> None:
        self.module = f"{__name__}.{module}"
        self.name = name
        self._handler: ActionHandler | None = None
        self._lock = threading.Lock()

    def handler(self) -> ActionHandler:
        with self._lock:
            if self._handler is None:
                handler_class = getattr(importlib.import_module(self.module), self.name)
                self._handler = handler_class()
            return self._handler

    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        return self.handler().run(invocation, console)


def native_handlers() -> dict[str, ActionHandler]:
    return {name: DeferredHandler(*target) for name, target in NATIVE_ACTIONS.items()}


def default_registry(natives: Mapping[str, str] | None = None) -> ActionRegistry:
    """Every native action conveyor ships; `natives` maps more names (`actions/stale`) to them
    (`conveyor/stale`): those steps run the native handler (a target not shipped is ignored)."""
    handlers = native_handlers()
    for name, native in (natives or {}).items():
        if native.lower() in handlers:
            handlers[name.lower()] = handlers[native.lower()]
    return ActionRegistry(handlers)


__all__ = [
    "BUILTIN_NATIVE_MAP",
    "NATIVE_ACTIONS",
    "DeferredHandler",
    "default_registry",
    "native_handlers",
]
