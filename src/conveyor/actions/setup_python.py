"""actions/setup-python: a per-job virtual environment made from an installed interpreter.

The interpreter is the highest installed version satisfying `python-version` (or the version
in `python-version-file`, default `.python-version`); several versions (one per line) give
several environments, the last one first on PATH. The environment lives in the job directory,
so `pip install` in a step never touches the host's Python. It gets a copy of the interpreter's
own pip (ensurepip takes seconds; a copy, a fraction of one), or ensurepip's when it has none.
Outputs: `python-version`, `python-path`, `cache-hit` ('false': dependency
caching is left to actions/cache).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from conveyor.actions.interpreters import Interpreter, identify, python_candidates
from conveyor.actions.versions import VersionSpecError, best_match, version_text
from conveyor.engine.ports.actions import (
    ActionConsole,
    ActionInvocation,
    ActionOutcome,
    failed,
    unavailable,
)


class SetupPython:
    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        specs = _specs(invocation)
        if isinstance(specs, ActionOutcome):
            return specs
        installed = identify(
            python_candidates(invocation.env, invocation.tool_cache),
            "python",
            invocation.tool_cache,
        )
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
        return failed(f"setup-python: {unsupported[0]} is not supported by conveyor (CPython only)")
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
    environments = []
    for interpreter in chosen:
        venv = _environment(invocation, console, interpreter)
        if venv is None:
            return failed(
                f"setup-python: could not create a virtual environment with {interpreter.path}"
            )
        environments.append(venv)
    last, interpreter = environments[-1], chosen[-1]
    python = str(last / "bin" / "python")
    console.log(f"Using Python {version_text(interpreter.version)} from {interpreter.path}")
    console.log(f"Job virtual environment: {last}")
    env = {
        "pythonLocation": str(last),
        "Python_ROOT_DIR": str(last),
        "Python3_ROOT_DIR": str(last),
        "PKG_CONFIG_PATH": str(last / "lib" / "pkgconfig"),
        "VIRTUAL_ENV": str(last),
    }
    if invocation.input("update-environment", "true").lower() == "false":
        env = {}
    return ActionOutcome(
        outputs={
            "python-version": version_text(interpreter.version),
            "python-path": python,
            "cache-hit": "false",
        },
        env=env,
        path=tuple(str(venv / "bin") for venv in environments),
    )


def _environment(
    invocation: ActionInvocation, console: ActionConsole, interpreter: Interpreter
) -> Path | None:
    target = Path(invocation.job_dir) / "python" / version_text(interpreter.version)
    if (target / "bin" / "python").exists():
        return target
    argv = [interpreter.path, "-m", "venv", "--without-pip", str(target)]
    if console.run(argv, cwd=invocation.workspace) != 0:
        return None
    if _copy_base_pip(interpreter, target):
        return target
    console.log("The interpreter has no pip of its own: installing one with ensurepip")
    python = str(target / "bin" / "python")
    if console.run([python, "-m", "ensurepip", "--default-pip"], cwd=invocation.workspace) != 0:
        return None
    return target


def _copy_base_pip(interpreter: Interpreter, target: Path) -> bool:
    """Give the new environment the interpreter's own pip (much faster than ensurepip)."""
    site = _base_site_packages(interpreter.path)
    sources = sorted(site.glob("pip")) + sorted(site.glob("pip-*.dist-info")) if site else []
    destinations = list(target.glob("lib/python*/site-packages"))
    if len(sources) < 2 or len(destinations) != 1:
        return False
    for source in sources:
        shutil.copytree(source, destinations[0] / source.name, symlinks=True, dirs_exist_ok=True)
    major, minor = interpreter.version[0], interpreter.version[1]
    for name in ("pip", f"pip{major}", f"pip{major}.{minor}"):
        script = target / "bin" / name
        script.write_text(_shebang(target / "bin" / "python") + _PIP_SCRIPT, encoding="utf-8")
        script.chmod(0o755)
    return True


def _base_site_packages(python: str) -> Path | None:
    query = "import os, pip; print(os.path.dirname(os.path.dirname(pip.__file__)))"
    try:
        result = subprocess.run(
            [python, "-c", query], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    path = result.stdout.strip()
    return Path(path) if result.returncode == 0 and path else None


_PIP_SCRIPT = """# -*- coding: utf-8 -*-
import re
import sys
from pip._internal.cli.main import main
if __name__ == "__main__":
    sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])
    sys.exit(main())
"""


def _shebang(python: Path) -> str:
    """`#!python`, or the /bin/sh form pip itself writes when the path is too long for Linux."""
    if len(str(python)) < 120:
        return f"#!{python}\n"
    return f"#!/bin/sh\n'''exec' \"{python}\" \"$0\" \"$@\"\n' '''\n"
