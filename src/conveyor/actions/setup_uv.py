"""astral-sh/setup-uv: uv from the package index, kept in the tool cache (actions.uv_install).

Inputs as the real action's: `version` / `version-file` (conveyor.actions.uv_versions),
`resolution-strategy`, `working-directory` (default the workspace), `python-version` (sets
UV_PYTHON), `activate-environment` (+ `venv-path`: `uv venv`, then VIRTUAL_ENV and its bin/ on
PATH), `tool-dir` (UV_TOOL_DIR), `tool-bin-dir` (UV_TOOL_BIN_DIR, on PATH; else ~/.local/bin is
put on PATH, as the real action does), `enable-cache` and the cache inputs (conveyor.actions.
uv_cache), `ignore-empty-workdir`. UV_PYTHON_INSTALL_DIR is set (to uv's default unless set) and
put on PATH; UV_NO_MODIFY_PATH leaves PATH alone. Inputs that need GitHub (`github-token`,
`server-url`, `manifest-file`, `checksum` of GitHub's archives, `cache-python`,
`add-problem-matchers`...) are accepted and ignored with a debug line. Outputs: `uv-version`,
`uv-path`, `uvx-path`, `python-version`, `venv`, `cache-hit`, `cache-key`, `python-cache-hit`.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from conveyor.actions.uv_cache import cache_keys, restore_uv_cache, save_uv_cache
from conveyor.actions.uv_install import (
    cached_versions,
    index_releases,
    index_url,
    install,
    shown_url,
    tool_directory,
)
from conveyor.actions.uv_versions import choose_version, is_exact, requested_version
from conveyor.actions.versions import Version, parse_version, version_text
from conveyor.engine.ports.actions import (
    ActionConsole,
    ActionInvocation,
    ActionOutcome,
    ActionPhase,
    failed,
)
from conveyor.errors import InfrastructureError

_IGNORED = (
    "github-token",
    "server-url",
    "manifest-file",
    "checksum",
    "cache-python",
    "add-problem-matchers",
    "download-from-astral-mirror",
    "python-arch",
    "no-project",
    "quiet",
)


class SetupUv:
    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        if invocation.phase is ActionPhase.POST:
            return save_uv_cache(invocation, console)
        try:
            return _main(invocation, console)
        except (InfrastructureError, ValueError) as exc:
            return failed(f"setup-uv: {exc}")


def _main(invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
    working = _working_directory(invocation, console)
    for name in _IGNORED:
        if invocation.input(name):
            console.log(f"##[debug]setup-uv: input '{name}' is not used by conveyor; ignored")
    inputs = {k.lower(): v for k, v in invocation.inputs.items() if v != ""}
    spec = requested_version(inputs, working)
    version, uv_dir = _provide(spec, invocation, console)
    env, path = _environment(invocation, uv_dir)
    outputs = {
        "uv-version": version_text(version),
        "uv-path": str(uv_dir / "uv"),
        "uvx-path": str(uv_dir / "uvx"),
    }
    console.log(f"Successfully installed uv version {version_text(version)}")
    if invocation.input("activate-environment", "false") == "true":
        venv = _activate(invocation, console, working, uv_dir, env)
        env["VIRTUAL_ENV"], outputs["venv"] = str(venv), str(venv)
        path.append(str(venv / "bin"))
    outputs["python-version"] = _python_version(invocation, working, uv_dir, env)
    return _with_cache(invocation, console, working, uv_dir, (outputs, env, path))


def _working_directory(invocation: ActionInvocation, console: ActionConsole) -> Path:
    working = Path(invocation.workspace) / invocation.input("working-directory", ".")
    empty = not working.is_dir() or not any(working.iterdir())
    if empty and invocation.input("ignore-empty-workdir", "false") != "true":
        console.log(
            "##[warning]Empty workdir detected. This may cause unexpected behavior. You can "
            "enable ignore-empty-workdir to mute this warning."
        )
    return working


def _provide(
    spec: str, invocation: ActionInvocation, console: ActionConsole
) -> tuple[Version, Path]:
    """The uv version chosen for `spec` and its tool-cache directory (downloaded if missing)."""
    strategy = invocation.input("resolution-strategy", "highest")
    if is_exact(spec):
        version = parse_version(spec.lstrip("=").strip())
        if (tool_directory(invocation.tool_cache, version) / "uv").is_file():
            console.log(f"Found uv in tool-cache for {version_text(version)}")
            return version, tool_directory(invocation.tool_cache, version)
    try:
        releases = index_releases(invocation.env)
    except InfrastructureError as exc:
        return _offline(spec, strategy, invocation, console, exc)
    by_version = {release.version: release for release in releases}
    chosen = choose_version(spec, by_version, strategy)
    if chosen is None:
        raise ValueError(
            f"no uv release on {shown_url(index_url(invocation.env))} satisfies '{spec}'"
        )
    directory = tool_directory(invocation.tool_cache, chosen)
    if (directory / "uv").is_file():
        console.log(f"Found uv in tool-cache for {version_text(chosen)}")
        return chosen, directory
    console.log(f"Downloading uv {version_text(chosen)} from {shown_url(by_version[chosen].url)}")
    return chosen, install(by_version[chosen], invocation.tool_cache)


def _offline(
    spec: str,
    strategy: str,
    invocation: ActionInvocation,
    console: ActionConsole,
    error: InfrastructureError,
) -> tuple[Version, Path]:
    chosen = choose_version(spec, cached_versions(invocation.tool_cache), strategy)
    if chosen is None:
        raise InfrastructureError(f"{error}; and no uv satisfying '{spec}' is in the tool cache")
    console.log(f"##[warning]{error}: using uv {version_text(chosen)} from the tool cache")
    return chosen, tool_directory(invocation.tool_cache, chosen)


def _environment(invocation: ActionInvocation, uv_dir: Path) -> tuple[dict[str, str], list[str]]:
    """The variables and PATH entries (in the order added; the last is first) before any venv."""
    env: dict[str, str] = {}
    path: list[str] = []
    tool_bin = invocation.input("tool-bin-dir")
    if tool_bin:
        env["UV_TOOL_BIN_DIR"] = _resolve(invocation, tool_bin)
        path.append(env["UV_TOOL_BIN_DIR"])
    else:
        path.append(_user_bin(invocation.env))
    path.append(str(uv_dir))
    if invocation.input("tool-dir"):
        env["UV_TOOL_DIR"] = _resolve(invocation, invocation.input("tool-dir"))
    python_dir = invocation.env.get("UV_PYTHON_INSTALL_DIR") or os.path.join(
        invocation.env.get("HOME", str(Path.home())), ".local", "share", "uv", "python"
    )
    env["UV_PYTHON_INSTALL_DIR"] = python_dir
    path.append(python_dir)
    if invocation.input("python-version"):
        env["UV_PYTHON"] = invocation.input("python-version")
    if "UV_NO_MODIFY_PATH" in invocation.env:
        path = []
    return env, path


def _resolve(invocation: ActionInvocation, value: str) -> str:
    expanded = invocation.env.get("HOME", "~") + value[1:] if value.startswith("~") else value
    working = Path(invocation.workspace) / invocation.input("working-directory", ".")
    return os.path.normpath(working / expanded)


def _user_bin(env: Mapping[str, str]) -> str:
    if env.get("XDG_BIN_HOME"):
        return env["XDG_BIN_HOME"]
    if env.get("XDG_DATA_HOME"):
        return os.path.normpath(os.path.join(env["XDG_DATA_HOME"], "..", "bin"))
    return os.path.join(env.get("HOME", str(Path.home())), ".local", "bin")


def _step_env(invocation: ActionInvocation, uv_dir: Path, env: Mapping[str, str]) -> dict[str, str]:
    """The environment uv runs with inside this action (its own new variables applied)."""
    merged = {**invocation.env, **env}
    merged["PATH"] = os.pathsep.join([str(uv_dir), invocation.env.get("PATH", os.defpath)])
    return merged


def _activate(
    invocation: ActionInvocation,
    console: ActionConsole,
    working: Path,
    uv_dir: Path,
    env: Mapping[str, str],
) -> Path:
    if "UV_NO_MODIFY_PATH" in invocation.env:
        raise ValueError("UV_NO_MODIFY_PATH and activate-environment cannot be used together.")
    venv = Path(_resolve(invocation, invocation.input("venv-path", ".venv")))
    console.log(f"Activating python venv at {venv}...")
    argv = [str(uv_dir / "uv"), "venv", str(venv)]
    if console.run(argv, cwd=str(working), env=_step_env(invocation, uv_dir, env)) != 0:
        raise InfrastructureError(f"uv venv {venv} failed")
    return venv


def _python_version(
    invocation: ActionInvocation, working: Path, uv_dir: Path, env: Mapping[str, str]
) -> str:
    """`python-version`, else the version of the Python uv finds for the working directory."""
    if invocation.input("python-version"):
        return invocation.input("python-version")
    step_env = _step_env(invocation, uv_dir, env)
    try:
        found = subprocess.run(
            [str(uv_dir / "uv"), "python", "find", "--directory", str(working)],
            capture_output=True,
            text=True,
            env=step_env,
            timeout=60,
            check=True,
        ).stdout.strip()
        answer = subprocess.run(
            [found, "--version"], capture_output=True, text=True, timeout=60, check=True
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return answer[1] if len(answer) > 1 else "unknown"


def _with_cache(
    invocation: ActionInvocation,
    console: ActionConsole,
    working: Path,
    uv_dir: Path,
    parts: tuple[dict[str, str], dict[str, str], list[str]],
) -> ActionOutcome:
    outputs, env, path = parts
    outputs["python-cache-hit"] = "false"
    local = invocation.input("cache-local-path")
    enabled = invocation.input("enable-cache", "auto") == "true"
    if local or enabled:
        cache_dir = Path(_resolve(invocation, local)) if local else None
        cache_dir = cache_dir or Path(invocation.temp) / "setup-uv-cache"
        env["UV_CACHE_DIR"] = str(cache_dir)
    if not enabled:
        return ActionOutcome(outputs=outputs, env=env, path=tuple(path))
    keys = cache_keys(invocation, working, outputs["python-version"])
    if console.contains_secret(keys[0]):
        return failed(
            "setup-uv: the cache key holds a secret (from cache-suffix?); cache keys are stored "
            "as plain text under CONVEYOR_HOME, where it cannot be masked"
        )
    restored, state = restore_uv_cache(invocation, console, Path(env["UV_CACHE_DIR"]), keys)
    state["uv"] = str(uv_dir / "uv")
    return ActionOutcome(
        outputs={**outputs, **restored},
        env=env,
        path=tuple(path),
        state=state,
        post=True,
        post_if="success()",
    )
