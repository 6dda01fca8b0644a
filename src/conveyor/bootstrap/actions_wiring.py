"""Remote actions for a run: the `[actions]` settings and the run's resolver (docs/actions.md).

Each setting comes from the first layer that has it (DESIGN.md §3): the variables
`CONVEYOR_ACTIONS_URL`, `CONVEYOR_ACTIONS_TOKEN`, `CONVEYOR_ACTIONS_OFFLINE`, then `[actions]`
`url`, `token`, `offline` of the repository's conveyor.toml, then of the user's config.toml.
`conveyor run --offline` wins over all. Other keys of `[actions]` belong to other features.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from conveyor.bootstrap.settings import config_files
from conveyor.errors import UsageError

if TYPE_CHECKING:
    from conveyor.engine.ports.remote_actions import FetchedAction, FetchFailure
    from conveyor.git.remote_actions import RemoteActionResolver

DEFAULT_URL = "https://github.com"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


@dataclass(frozen=True, slots=True)
class ActionsSettings:
    url: str = DEFAULT_URL  # the Git base URL: <url>/<owner>/<repo> is cloned
    token: str = field(default="", repr=False)  # for private repositories over https
    offline: bool = False  # never touch the network: the cache and local copies only


def actions_settings(
    repository: Path | None,
    environ: Mapping[str, str] | None = None,
    *,
    offline: bool = False,
    revision: str | None = None,
) -> ActionsSettings:
    """The effective settings (a UsageError naming the file or variable when one is bad;
    `revision`: the run's commit, whose conveyor.toml counts when the working tree has none)."""
    env = os.environ if environ is None else environ
    layers = [_env_layer(env)]
    if repository is not None:
        files = config_files(repository, revision)
        layers += [_file_layer(file.data, str(file.path)) for file in files]
    merged: dict[str, object] = {}
    for layer in layers:
        for key, value in layer.items():
            merged.setdefault(key, value)
    return ActionsSettings(
        url=str(merged.get("url") or DEFAULT_URL),
        token=str(merged.get("token") or ""),
        offline=offline or bool(merged.get("offline", False)),
    )


def _env_layer(env: Mapping[str, str]) -> dict[str, object]:
    layer: dict[str, object] = {}
    for key in ("url", "token"):
        value = env.get(f"CONVEYOR_ACTIONS_{key.upper()}", "").strip()
        if value:
            layer[key] = value
    offline = env.get("CONVEYOR_ACTIONS_OFFLINE", "").strip().lower()
    if offline not in _TRUE | _FALSE:
        raise UsageError(f"CONVEYOR_ACTIONS_OFFLINE: expected 1 or 0, got {offline!r}")
    if offline:
        layer["offline"] = offline in _TRUE
    return layer


def _file_layer(data: Mapping[str, object], where: str) -> dict[str, object]:
    table = data.get("actions", {})
    if not isinstance(table, Mapping):
        raise UsageError(f"{where}: [actions] must be a table")
    layer: dict[str, object] = {}
    for key, kind in (("url", str), ("token", str), ("offline", bool)):
        if key in table:
            value = table[key]
            if not isinstance(value, kind):
                raise UsageError(f"{where}: [actions] {key} must be a {kind.__name__}")
            layer[key] = value
    return layer


def remote_actions(home: Path, settings: ActionsSettings) -> RemoteActionResolver:
    """The resolver of one run (its tags are resolved once, for all its jobs)."""
    from conveyor.git.action_cache import ActionCache, cache_root
    from conveyor.git.action_remote import GitRemote
    from conveyor.git.remote_actions import RemoteActionResolver

    remote = GitRemote(settings.url, settings.token)
    return RemoteActionResolver(ActionCache(cache_root(home)), remote, offline=settings.offline)


class DeferredRemoteActions:
    """The RemoteActions of a run, made (git and cache modules loaded) by the first fetch: a run
    without remote actions pays nothing for them."""

    def __init__(self, home: Path, settings: ActionsSettings) -> None:
        self._home = home
        self._settings = settings
        self._resolver: RemoteActionResolver | None = None
        self._lock = threading.Lock()

    def fetch(self, owner: str, repo: str, ref: str) -> FetchedAction | FetchFailure:
        with self._lock:
            if self._resolver is None:
                self._resolver = remote_actions(self._home, self._settings)
        return self._resolver.fetch(owner, repo, ref)


__all__ = [
    "DEFAULT_URL",
    "ActionsSettings",
    "DeferredRemoteActions",
    "actions_settings",
    "remote_actions",
]
