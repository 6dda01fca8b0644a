"""actions/cache, actions/cache/restore and actions/cache/save over the local CacheStore.

actions/cache restores by `key` then `restore-keys` and sets `cache-hit` ('true' only on an
exact key match); its post step (post-if `success()`, or always with `save-always: true`) saves
`path` under `key` unless the key was hit or already exists. `lookup-only` checks without
restoring; `fail-on-cache-miss` fails the step on a miss. actions/cache/restore does the restore
half (outputs also `cache-primary-key`, `cache-matched-key`); actions/cache/save the save half.
A key holding a secret is refused: keys are written to disk as plain text.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

from conveyor.actions.cache_store import CacheStore, cache_version, restore
from conveyor.actions.path_patterns import matching_files, parse_patterns
from conveyor.engine.ports.actions import (
    ActionConsole,
    ActionInvocation,
    ActionOutcome,
    ActionPhase,
    failed,
)


def _store(invocation: ActionInvocation) -> CacheStore:
    return CacheStore(Path(invocation.home), invocation.repository)


def job_anchors(invocation: ActionInvocation) -> dict[str, str]:
    """The directories cached files are saved relative to (see cache_store)."""
    return {
        "ws": invocation.workspace,
        "tmp": invocation.temp,
        "home": invocation.env.get("HOME", ""),
        "tool": invocation.tool_cache,
    }


def _paths(invocation: ActionInvocation) -> list[str]:
    return [line.strip() for line in invocation.input("path").splitlines() if line.strip()]


def _restore_keys(invocation: ActionInvocation) -> list[str]:
    return [line.strip() for line in invocation.input("restore-keys").splitlines() if line.strip()]


def _invalid(key: str, paths: list[str], console: ActionConsole) -> ActionOutcome | None:
    if not key or not paths:
        return failed("cache: the inputs 'key' and 'path' are required")
    if console.contains_secret(key):
        return failed(
            "cache: the key holds a secret; cache keys are stored as plain text under "
            "CONVEYOR_HOME, where it cannot be masked"
        )
    return None


class RestoreCache:
    """actions/cache/restore (and the main phase of actions/cache)."""

    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        key, paths = invocation.input("key"), _paths(invocation)
        if invalid := _invalid(key, paths, console):
            return invalid
        version = cache_version(paths, job_anchors(invocation))
        entry = _store(invocation).find(key, _restore_keys(invocation), version)
        outputs = {"cache-primary-key": key, "cache-hit": "false", "cache-matched-key": ""}
        if entry is None:
            console.log(
                f"Cache not found for input keys: {', '.join([key, *_restore_keys(invocation)])}"
            )
            if invocation.input("fail-on-cache-miss", "false").lower() == "true":
                return failed(
                    "Failed to restore cache entry. Exiting as fail-on-cache-miss is set. "
                    f"Input key: {key}"
                )
            return ActionOutcome(outputs=outputs, state={"key": key, "matched": ""})
        outputs.update({"cache-hit": str(entry.key == key).lower(), "cache-matched-key": entry.key})
        if invocation.input("lookup-only", "false").lower() != "true":
            try:
                count = restore(entry.archive, job_anchors(invocation))
            except (OSError, tarfile.TarError) as exc:
                return failed(f"cache: restoring '{entry.key}' failed: {exc}")
            console.log(f"Cache restored from key: {entry.key} ({count} entries)")
        return ActionOutcome(outputs=outputs, state={"key": key, "matched": entry.key})


class Cache:
    """actions/cache: restore now, save in the post step."""

    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        if invocation.phase is ActionPhase.POST:
            if invocation.state.get("matched") == invocation.state.get(
                "key", invocation.input("key")
            ):
                console.log("Cache hit occurred on the primary key, not saving cache.")
                return ActionOutcome()
            return save(invocation, console)
        outcome = RestoreCache().run(invocation, console)
        always = invocation.input("save-always", "false").lower() == "true"
        return ActionOutcome(
            status=outcome.status,
            outputs=outcome.outputs,
            state=outcome.state,
            post=outcome.error is None,
            post_if="always()" if always else "success()",
            error=outcome.error,
        )


class SaveCache:
    """actions/cache/save."""

    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        return save(invocation, console)


def save(invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
    key, paths = invocation.input("key"), _paths(invocation)
    if invalid := _invalid(key, paths, console):
        return invalid
    store, version = _store(invocation), cache_version(paths, job_anchors(invocation))
    if store.has(key, version):
        console.log(f"Cache already exists for key: {key}, not saving cache.")
        return ActionOutcome()
    files = matching_files(parse_patterns("\n".join(paths), invocation.workspace))
    if not files:
        console.log(
            "##[warning]Path Validation Error: Path(s) specified in the action for caching "
            "do(es) not exist, hence no cache is being saved."
        )
        return ActionOutcome()
    try:
        archive = store.save(key, version, files, job_anchors(invocation))
    except (OSError, tarfile.TarError) as exc:
        console.log(f"##[warning]Failed to save: {exc}")
        return ActionOutcome()
    console.log(f"Cache saved with key: {key} ({len(files)} files, {archive.stat().st_size} bytes)")
    return ActionOutcome()
