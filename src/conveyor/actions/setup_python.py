"""actions/setup-python: a per-job Python installation made from an installed interpreter.

The interpreter is the highest installed version satisfying `python-version` (or the version
in `python-version-file`, default `.python-version`); several versions (one per line) give
several installations, the last one first on PATH. Each is an installed-looking Python in the
job directory (conveyor.actions.python_install), not a virtual environment, so uv, tox and nox
find it as on GitHub, while `pip install` in a step never touches the host's Python;
PYTHONUSERBASE keeps `pip install --user` in the job too. The environment is GitHub's:
pythonLocation, Python_ROOT_DIR, Python2_ROOT_DIR, Python3_ROOT_DIR, PKG_CONFIG_PATH,
LD_LIBRARY_PATH and `<location>/bin` on PATH (none with `update-environment: false`).
Outputs: `python-version`, `python-path`, `cache-hit` ('false': dependency
caching is left to actions/cache).
"""

from __future__ import annotations

from pathlib import Path

from conveyor.actions.interpreters import Interpreter, identify, python_candidates
from conveyor.actions.python_install import is_job_installation, job_installation
from conveyor.actions.versions import VersionSpecError, best_match, version_text
from conveyor.engine.ports.actions import (
    ActionConsole,
    ActionInvocation,
    ActionOutcome,
    failed,
    unavailable,
)
from conveyor.errors import InfrastructureError


class SetupPython:
    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        specs = _specs(invocation)
        if isinstance(specs, ActionOutcome):
            return specs
        candidates = [
            path
            for path in python_candidates(invocation.env, invocation.tool_cache)
            if not is_job_installation(path, invocation.tool_cache, invocation.job_dir)
        ]
        installed = identify(candidates, "python", invocation.tool_cache)
        chosen: list[Interpreter] = []
        for spec in specs:
            interpreter = _choose(spec, installed)
            if interpreter is None:
                return unavailable(_not_found(spec, installed))
            chosen.append(interpreter)
        return _activate(invocation, console, chosen)


def _specs(invocation: ActionInvocation) -> list[str] | ActionOutcome:
    text = invocation.input("python-version")
    if not text:
        text = _version_file(invocation)
    specs = [line.strip() for line in text.splitlines() if line.strip()]
    if not specs:
        return failed("setup-python: no python-version given and no .python-version file found")
    unsupported = [s for s in specs if s.lower().startswith(("pypy", "graalpy", "jython"))]
    if unsupported:
        return unavailable(
            f"setup-python: python-version '{unsupported[0]}' cannot run here: conveyor sets up "
            "installed interpreters, CPython only"
        )
    return specs


def _version_file(invocation: ActionInvocation) -> str:
    name = invocation.input("python-version-file", ".python-version")
    path = Path(invocation.workspace) / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def _choose(spec: str, installed: list[Interpreter]) -> Interpreter | None:
    try:
        found = best_match(
            spec, ((i.version, i) for i in installed if i.implementation == "cpython")
        )
    except VersionSpecError:
        return None
    return found[1] if found else None


def _not_found(spec: str, installed: list[Interpreter]) -> str:
    versions = sorted({version_text(i.version) for i in installed}) or ["none"]
    return (
        f"setup-python: no installed Python satisfies python-version '{spec}' "
        f"(installed: {', '.join(versions)}). conveyor does not download interpreters: install "
        "one (for example with pyenv) or change python-version."
    )


def _activate(
    invocation: ActionInvocation, console: ActionConsole, chosen: list[Interpreter]
) -> ActionOutcome:
    installations = []
    for interpreter in chosen:
        try:
            installations.append(
                job_installation(interpreter, invocation.tool_cache, invocation.job_dir)
            )
        except (OSError, InfrastructureError) as exc:
            return failed(f"setup-python: could not set up Python from {interpreter.path}: {exc}")
    location, interpreter = installations[-1], chosen[-1]
    console.log(f"Using Python {version_text(interpreter.version)} from {interpreter.path}")
    console.log(f"Job installation (what pip and uv install into): {location}")
    env, path = _environment(invocation, location), tuple(str(i / "bin") for i in installations)
    if invocation.input("update-environment", "true").lower() == "false":
        env, path = {}, ()
    user_base = Path(invocation.job_dir) / "python-user"
    if "PYTHONUSERBASE" not in invocation.env:  # `pip install --user` stays in the job
        env["PYTHONUSERBASE"] = str(user_base)
    return ActionOutcome(
        outputs={
            "python-version": version_text(interpreter.version),
            "python-path": str(location / "bin" / "python"),
            "cache-hit": "false",
        },
        env=env,
        path=(str(user_base / "bin"), *path) if path else (),
    )


def _environment(invocation: ActionInvocation, location: Path) -> dict[str, str]:
    """What GitHub's setup-python exports (no VIRTUAL_ENV: this is not a virtual environment)."""
    library = str(location / "lib")
    previous = invocation.env.get("LD_LIBRARY_PATH", "")
    env = {
        "pythonLocation": str(location),
        "Python_ROOT_DIR": str(location),
        "Python2_ROOT_DIR": str(location),
        "Python3_ROOT_DIR": str(location),
        "PKG_CONFIG_PATH": f"{location}/lib/pkgconfig",
    }
    if library not in previous.split(":"):
        env["LD_LIBRARY_PATH"] = f"{library}:{previous}" if previous else library
    return env
