"""setup-uv's `enable-cache`: the uv cache directory kept in conveyor's cache store.

With `enable-cache: true` (`auto` is false, as on a self-hosted runner: a local uv already keeps
its cache warm in the user's ~/.cache/uv) UV_CACHE_DIR is the job's `RUNNER_TEMP/setup-uv-cache`
(or `cache-local-path`), restored from the store under setup-uv's key —
`setup-uv-2-<arch>-<platform>-<python version>[-pruned]-<hash of cache-dependency-glob files>
[-<cache-suffix>]`, falling back to the key without the hash and suffix — and saved by the post
step (post-if `success()`) unless the exact key was hit; `prune-cache` runs `uv cache prune
--ci` first. An empty or missing cache directory fails the post step unless
`ignore-nothing-to-cache`.
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import tarfile
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

from conveyor.actions.cache_store import CacheStore, cache_version, restore
from conveyor.actions.path_patterns import matching_files, parse_patterns
from conveyor.actions.uv_install import machine_arch
from conveyor.engine.ports.actions import ActionConsole, ActionInvocation, ActionOutcome, failed

DEFAULT_GLOB = (
    "**/*requirements*.txt\n**/*requirements*.in\n**/*constraints*.txt\n**/*constraints*.in\n"
    "**/pyproject.toml\n**/uv.lock\n**/*.py.lock"
)
_VERSION = cache_version(["setup-uv-cache"])


def _store(invocation: ActionInvocation) -> CacheStore:
    return CacheStore(Path(invocation.home), invocation.repository)


def cache_keys(
    invocation: ActionInvocation, working_directory: Path, python_version: str
) -> tuple[str, str]:
    """(primary key, restore key) as setup-uv computes them."""
    pruned = "-pruned" if invocation.input("prune-cache", "true") == "true" else ""
    python = urllib.parse.quote(python_version, safe="")
    restore_key = f"setup-uv-2-{machine_arch()}-{platform.system().lower()}-{python}{pruned}"
    globs = invocation.input("cache-dependency-glob", DEFAULT_GLOB)
    digest = _files_digest(globs, working_directory)
    suffix = invocation.input("cache-suffix")
    primary = restore_key + (f"-{digest}" if digest else "-no-dependency-glob")
    return primary + (f"-{urllib.parse.quote(suffix, safe='')}" if suffix else ""), restore_key


def _files_digest(globs: str, working_directory: Path) -> str:
    files = sorted(matching_files(parse_patterns(globs, str(working_directory))))
    if not files:
        return ""
    total = hashlib.sha256()
    for file in files:
        total.update(hashlib.sha256(file.read_bytes()).digest())
    return total.hexdigest()


def restore_uv_cache(
    invocation: ActionInvocation, console: ActionConsole, cache_dir: Path, keys: tuple[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """(outputs, state for the post step) after restoring the uv cache into `cache_dir`."""
    primary, restore_key = keys
    outputs = {"cache-key": primary, "cache-hit": "false"}
    state = {"key": primary, "matched": "", "cache-dir": str(cache_dir)}
    if invocation.input("restore-cache", "true") != "true":
        console.log("restore-cache is false. Skipping restore cache step.")
        return outputs, state
    entry = _store(invocation).find(primary, [restore_key], _VERSION)
    if entry is None:
        console.log(f"No cache found for key: {primary}")
        return outputs, state
    cache_dir.mkdir(parents=True, exist_ok=True)
    try:
        count = restore(entry.archive, {"ws": str(cache_dir)})
    except (OSError, tarfile.TarError) as exc:
        console.log(f"##[warning]Restoring the uv cache '{entry.key}' failed: {exc}")
        return outputs, state
    console.log(f"uv cache restored from key: {entry.key} ({count} entries)")
    state["matched"] = entry.key
    outputs["cache-hit"] = str(entry.key == primary).lower()
    return outputs, state


def save_uv_cache(invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
    """The post step: save the uv cache unless the primary key was hit."""
    state = invocation.state
    key, cache_dir = state.get("key", ""), Path(state.get("cache-dir", ""))
    if not key or invocation.input("save-cache", "true") != "true":
        return ActionOutcome()
    if state.get("matched") == key:
        console.log(f"Cache hit occurred on key {key}, not saving cache.")
        return ActionOutcome()
    if invocation.input("prune-cache", "true") == "true" and state.get("uv"):
        _prune(state, cache_dir, console)
    files = _cached_files(cache_dir)
    if not files:
        if invocation.input("ignore-nothing-to-cache", "false") == "true":
            console.log("No files to cache: ignoring, as ignore-nothing-to-cache is true.")
            return ActionOutcome()
        return failed(
            f"Cache path {cache_dir} does not exist on disk or is empty. This likely indicates "
            "that there are no dependencies to cache. Consider disabling the cache input if it "
            "is not needed, or set ignore-nothing-to-cache."
        )
    return _save(invocation, console, key, cache_dir, files)


def _cached_files(cache_dir: Path) -> list[Path]:
    """Files and symbolic links under `cache_dir` (links to directories not followed)."""
    found: list[Path] = []
    for directory, subdirectories, names in os.walk(cache_dir):
        found.extend(Path(directory, n) for n in subdirectories if Path(directory, n).is_symlink())
        found.extend(Path(directory, name) for name in names)
    return found


def _prune(state: Mapping[str, str], cache_dir: Path, console: ActionConsole) -> None:
    console.log("Pruning the uv cache (uv cache prune --ci)")
    argv = [state["uv"], "cache", "prune", "--ci", "--cache-dir", str(cache_dir)]
    if console.run(argv, cwd=str(cache_dir.parent)) != 0:
        console.log("##[warning]uv cache prune failed; saving the cache as it is")


def _save(
    invocation: ActionInvocation,
    console: ActionConsole,
    key: str,
    cache_dir: Path,
    files: list[Path],
) -> ActionOutcome:
    store = _store(invocation)
    if store.has(key, _VERSION):
        console.log(f"Cache already exists for key: {key}, not saving cache.")
        return ActionOutcome()
    try:
        archive = store.save(key, _VERSION, files, {"ws": str(cache_dir)})
    except (OSError, tarfile.TarError, subprocess.SubprocessError) as exc:
        console.log(f"##[warning]Failed to save the uv cache: {exc}")
        return ActionOutcome()
    console.log(f"uv cache saved with key: {key} ({len(files)} files, {archive.stat().st_size} B)")
    return ActionOutcome()
