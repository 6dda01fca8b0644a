"""On a worker, upload-artifact, download-artifact and actions/cache store into the server's
store (through `conveyor.distributed.job_files`, with the job's token), so a later job on any
worker finds what an earlier one stored, and the server lists it.

Each is the native action (conveyor.actions) around which the worker syncs its local store,
which is only a staging area: before an upload the server says whether the name exists; after
it, the artifact's folder goes to the server. A download first fetches the run's artifacts
from the server. A cache restore first fetches the server's best match into the local store;
a save then sends the archive the action made. A failed transfer fails the step (artifacts) or
is a warning (saving a cache, as on GitHub).
"""

from __future__ import annotations

import fnmatch
import shutil
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import httpx

from conveyor.actions import NATIVE_ACTIONS, DeferredHandler
from conveyor.actions.artifacts import artifact_store
from conveyor.actions.cache import job_anchors
from conveyor.actions.cache_store import CacheStore, cache_version
from conveyor.distributed.file_archives import ArchiveRefused
from conveyor.distributed.job_files import JobFiles
from conveyor.engine.ports.actions import (
    ActionConsole,
    ActionHandler,
    ActionInvocation,
    ActionOutcome,
    ActionPhase,
    failed,
)
from conveyor.errors import ConveyorError
from conveyor.private_files import private_directory

TRANSFER_ERRORS = (ConveyorError, httpx.HTTPError, ArchiveRefused, OSError)
Step = Callable[[ActionInvocation, ActionConsole], ActionOutcome]


def server_file_actions(files: JobFiles, server: str) -> Mapping[str, ActionHandler]:
    """The handlers that replace the native ones on a worker."""

    def native(name: str) -> ActionHandler:
        return DeferredHandler(*NATIVE_ACTIONS[name])

    return {
        "actions/upload-artifact": _Upload(native("actions/upload-artifact"), files, server),
        "actions/download-artifact": _Download(native("actions/download-artifact"), files),
        "actions/cache": _Cache(native("actions/cache"), files),
        "actions/cache/restore": _Cache(native("actions/cache/restore"), files),
        "actions/cache/save": _Cache(native("actions/cache/save"), files, saves=True),
    }


def _valid_name(name: str) -> bool:
    return bool(name) and "/" not in name and name not in (".", "..")


class _Upload:
    def __init__(self, inner: ActionHandler, files: JobFiles, server: str) -> None:
        self._inner, self._files, self._server = inner, files, server.rstrip("/")

    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        name = invocation.input("name", "artifact")
        overwrite = invocation.input("overwrite", "false").lower() == "true"
        local = artifact_store(invocation) / name
        try:
            if _valid_name(name) and not console.contains_secret(name):
                shutil.rmtree(local, ignore_errors=True)  # the server's store decides
                if not overwrite and name in self._files.artifact_names():
                    return failed(
                        f"upload-artifact: an artifact named '{name}' already exists in this "
                        "run (set overwrite: true to replace it)"
                    )
            outcome = self._inner.run(invocation, console)
            if outcome.error is not None or "artifact-digest" not in outcome.outputs:
                return outcome
            refused = self._files.upload_artifact(name, local, overwrite)
        except TRANSFER_ERRORS as error:
            return failed(f"upload-artifact: the server could not store '{name}': {error}")
        if refused is not None:
            return failed(f"upload-artifact: the server refused '{name}': {refused}")
        url = f"{self._server}/api/v1/runs/{invocation.run_id}/artifacts/{name}/zip"
        return _with_outputs(outcome, {"artifact-url": url})


def _with_outputs(outcome: ActionOutcome, outputs: Mapping[str, str]) -> ActionOutcome:
    return replace(outcome, outputs={**outcome.outputs, **outputs})


class _Download:
    def __init__(self, inner: ActionHandler, files: JobFiles) -> None:
        self._inner, self._files = inner, files

    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        try:
            self._fetch(invocation)
        except TRANSFER_ERRORS as error:
            return failed(f"Unable to download artifact(s) from the server: {error}")
        return self._inner.run(invocation, console)

    def _fetch(self, invocation: ActionInvocation) -> None:
        """The local store made to hold what the server has of the artifacts asked for."""
        store, name = artifact_store(invocation), invocation.input("name")
        if name and not _valid_name(name):
            return
        on_server = [name] if name else self._files.artifact_names()
        pattern = invocation.input("pattern", "*")
        wanted = on_server if name else [n for n in on_server if fnmatch.fnmatchcase(n, pattern)]
        if not name and store.is_dir():  # names the server no longer has are not downloaded
            for stale in [p for p in store.iterdir() if p.is_dir() and p.name not in on_server]:
                shutil.rmtree(stale, ignore_errors=True)
        for each in wanted:
            private_directory(store)
            if not self._files.download_artifact(each, store / each):
                shutil.rmtree(store / each, ignore_errors=True)


class _Cache:
    """actions/cache (restore, then save in its post phase), its restore and its save."""

    def __init__(self, inner: ActionHandler, files: JobFiles, *, saves: bool = False) -> None:
        self._inner, self._files, self._saves = inner, files, saves

    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        saving = self._saves or invocation.phase is ActionPhase.POST
        key, version = _key_and_version(invocation, console)
        if key is None or version is None:  # the action says what is wrong
            return self._inner.run(invocation, console)
        store = CacheStore(Path(invocation.home), invocation.repository)
        if not saving:
            self._pull(invocation, key, version, store, console)
        outcome = self._inner.run(invocation, console)
        if saving:
            self._push(key, version, store, console)
        return outcome

    def _pull(
        self, invocation: ActionInvocation, key: str, version: str, store: CacheStore,
        console: ActionConsole,
    ) -> None:  # fmt: skip
        restore_keys = _lines(invocation.input("restore-keys"))
        staged = store.staging()
        try:
            matched = self._files.find_cache(key, restore_keys, version, staged)
            if matched is not None:
                store.adopt(matched, version, staged)
        except TRANSFER_ERRORS as error:
            console.log(f"##[warning]Failed to restore the cache from the server: {error}")
        finally:
            staged.unlink(missing_ok=True)

    def _push(self, key: str, version: str, store: CacheStore, console: ActionConsole) -> None:
        entry = next((e for e in store.entries(version) if e.key == key), None)
        if entry is None:
            return
        try:
            refused = self._files.save_cache(key, version, entry.archive)
        except TRANSFER_ERRORS as error:
            refused = str(error)
        if refused is not None:
            console.log(f"##[warning]Failed to save the cache on the server: {refused}")


def _key_and_version(
    invocation: ActionInvocation, console: ActionConsole
) -> tuple[str | None, str | None]:
    key, paths = invocation.input("key"), _lines(invocation.input("path"))
    if not key or not paths or console.contains_secret(key):
        return None, None
    return key, cache_version(paths, job_anchors(invocation))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
