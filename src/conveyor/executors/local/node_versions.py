"""Which `node` runs a JavaScript action, by its `runs.using`.

As on GitHub today, `node12` and `node16` actions run on node 20 or newer; `node20`, `node24`
(and later) need that very major version. The node on the step's PATH serves when its major fits;
else a node of that major in the tool cache; else one provisioned from the npm registry
(node_provision); else the step fails naming the version needed — a node24 action never runs on
node 20 silently.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from conveyor.executors.local.node_provision import (
    DEFAULT_REGISTRY,
    NodeProvisionError,
    cached_node,
    platform_package,
    provision_node,
    shown_url,
)

OLDEST_RUNTIME = 20  # what node12/node16 actions run on (GitHub's runners moved them to 20)

_majors: dict[tuple[str, int], int | None] = {}
_registries: dict[str, str] = {}
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class NodeChoice:
    node: str | None  # the executable, or None with `error`
    error: str = ""


def required_major(using: str) -> tuple[int, bool]:
    """The node major an action's `runs.using` needs, and whether exactly that one."""
    digits = using.lower().removeprefix("node")
    major = int(digits) if digits.isdigit() else OLDEST_RUNTIME
    return (major, True) if major >= OLDEST_RUNTIME else (OLDEST_RUNTIME, False)


def choose_node(
    using: str,
    host: str | None,
    tool_cache: Path,
    registry: str,
    say: Callable[[str], None],
) -> NodeChoice:
    """The node for an action (`host`: the `node` on the step's PATH; `registry`: the npm
    registry configured, '' for npm's own setting); `say` is told of a download."""
    major, exact = required_major(using)
    host_major = node_major(host) if host else None
    if host and _fits(host_major, major, exact):
        return NodeChoice(host)
    cached = cached_node(major, tool_cache)
    if cached is not None:
        return NodeChoice(str(cached))
    url = npm_registry(registry)
    say(f"Provisioning node {major} ({platform_package_or_none()}) from {shown_url(url)}")
    try:
        return NodeChoice(str(provision_node(major, tool_cache, url)))
    except NodeProvisionError as exc:
        return NodeChoice(None, _missing(using, major, host, host_major, exc))


def _fits(found: int | None, major: int, exact: bool) -> bool:
    return found is not None and (found == major or (not exact and found > major))


def _missing(
    using: str, major: int, host: str | None, host_major: int | None, exc: Exception
) -> str:
    found = f"the node on PATH is node {host_major}" if host_major else "no node is on PATH"
    if host and host_major is None:
        found = f"{host} does not answer `--version`"
    return (
        f"This {using} action needs node {major}; {found}, and node {major} could not be "
        f"provisioned ({exc}). Put node {major} on PATH (e.g. actions/setup-node before it) or "
        "set CONVEYOR_NPM_REGISTRY to an npm registry that answers."
    )


def platform_package_or_none() -> str:
    try:
        return platform_package()
    except NodeProvisionError:
        return "no package for this platform"


def node_major(path: str) -> int | None:
    """The major version of the node at `path` (asked once per file version, remembered)."""
    try:
        key = (path, os.stat(path).st_mtime_ns)
    except OSError:
        return None
    with _lock:
        if key in _majors:
            return _majors[key]
    major = _ask_major(path)
    with _lock:
        _majors[key] = major
    return major


def _ask_major(path: str) -> int | None:
    try:
        answer = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = answer.stdout.strip().removeprefix("v").split(".")[0]
    return int(text) if answer.returncode == 0 and text.isdigit() else None


def npm_registry(configured: str) -> str:
    """`configured` (CONVEYOR_NPM_REGISTRY), else npm's `registry` setting, else npmjs.org."""
    if configured:
        return configured
    with _lock:
        if "npm" in _registries:
            return _registries["npm"]
    found = _npm_setting() or DEFAULT_REGISTRY
    with _lock:
        _registries["npm"] = found
    return found


def _npm_setting() -> str:
    try:
        answer = subprocess.run(
            ["npm", "config", "get", "registry"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    text = answer.stdout.strip()
    return text if answer.returncode == 0 and text.startswith(("http://", "https://")) else ""
