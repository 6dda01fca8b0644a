"""The process environment of a step, and the `runner` context.

Layers, later wins: the host's environment (minus what would mislead a step) → `CI=true` →
the job's env (workflow + job `env:`) → GITHUB_ENV additions → the step's `env:` → the default
`GITHUB_*` / `RUNNER_*` variables (a workflow cannot override those, as on GitHub). GITHUB_PATH
additions are prepended to PATH, the most recently added first.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Iterable, Mapping

from conveyor.executors.local.process_tracker import TOKEN_VARIABLE
from conveyor.triggers.context import ENV_KEYS

# Host variables a step must not inherit: the runner protocol's own names (conveyor may itself
# run inside a CI job), the user's login shell (a step's shell is chosen by `shell:`) and
# conveyor's own virtual environment.
_DROPPED_PREFIXES = ("GITHUB_", "RUNNER_", "INPUT_", "STATE_", "ACTIONS_")
# CONVEYOR_ACTIONS_TOKEN: git's credential for fetching actions, never a step's.
_DROPPED = {"SHELL", "VIRTUAL_ENV", TOKEN_VARIABLE, "CONVEYOR_ACTIONS_TOKEN"}

# github context keys exported as GITHUB_<KEY> to every step: the triggers' list, less the
# per-step file paths (GITHUB_ENV, GITHUB_OUTPUT, ...) that the step runner sets for each step.
_STEP_FILE_KEYS = frozenset({"env", "output", "path", "state", "step_summary"})
GITHUB_KEYS = tuple(key for key in ENV_KEYS if key not in _STEP_FILE_KEYS)


def host_environment(source: Mapping[str, str] | None = None) -> dict[str, str]:
    """The inherited part of every step's environment, with `CI=true`."""
    source = os.environ if source is None else source
    env = {
        key: value
        for key, value in source.items()
        if key not in _DROPPED and not key.startswith(_DROPPED_PREFIXES)
    }
    venv = source.get("VIRTUAL_ENV")
    if venv and "PATH" in env:
        own_bin = os.path.join(venv, "bin")
        env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != own_bin)
    env.setdefault("PATH", os.defpath)
    env["CI"] = "true"
    return env


_GITHUB_NAMES = tuple((key, f"GITHUB_{key.upper()}") for key in GITHUB_KEYS)  # named once


def github_variables(github: Mapping[str, object]) -> dict[str, str]:
    """GITHUB_<KEY> for each exported github context key, plus GITHUB_ACTIONS=true."""
    env = {"GITHUB_ACTIONS": "true"}
    for key, name in _GITHUB_NAMES:
        env[name] = _text(github.get(key))
    return env


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def runner_context(temp: str, tool_cache: str, workspace_root: str, debug: bool) -> dict[str, str]:
    return {
        "name": "conveyor",
        "os": _runner_os(),
        "arch": _runner_arch(),
        "temp": temp,
        "tool_cache": tool_cache,
        "workspace": workspace_root,
        "debug": "1" if debug else "",
        "environment": "self-hosted",
    }


def runner_variables(runner: Mapping[str, str]) -> dict[str, str]:
    env = {f"RUNNER_{key.upper()}": value for key, value in runner.items()}
    if not runner.get("debug"):
        env.pop("RUNNER_DEBUG", None)
    return env


def _runner_os() -> str:
    system = platform.system()
    return {"Darwin": "macOS"}.get(system, system)


def _runner_arch() -> str:
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64"):
        return "X64"
    if machine in ("aarch64", "arm64"):
        return "ARM64"
    if machine.startswith("arm"):
        return "ARM"
    return "X86"


def prepend_path(path: str, additions: Iterable[str]) -> str:
    """PATH with `additions` (most recent first) in front; an entry moves rather than repeats."""
    added = list(dict.fromkeys(additions))
    rest = [p for p in path.split(os.pathsep) if p and p not in added]
    return os.pathsep.join([*added, *rest])
