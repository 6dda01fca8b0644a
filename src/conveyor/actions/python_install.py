"""A per-job Python installation made from an installed interpreter (for actions/setup-python).

Tools see it as an installed Python, not as a virtual environment (`sys.prefix ==
sys.base_prefix`, no pyvenv.cfg): `uv python find --system`, `uv venv`, `uv pip install
--system`, tox, nox and `pip install --user` behave as on GitHub's runners. Its site-packages is
its own, so what a step installs never reaches the host's interpreter.

Layout of `<job dir>/python/<version>/`, hard links to a template kept per interpreter in
RUNNER_TOOL_CACHE/conveyor-python/ (made once, under a lock):

    bin/python3.N      a copy of the interpreter's executable (a copy: Python finds its prefix
                       from where its executable really is), `python3` and `python` linking to it,
                       and pip scripts (written per job: their first line names this python)
    lib/python3.N/     symbolic links to each entry of the interpreter's standard library, but
                       site-packages (the job's own, with a copy of the interpreter's pip, or
                       ensurepip's) and EXTERNALLY-MANAGED
    lib/libpython*     links to the interpreter's shared library (for `$ORIGIN` run paths)
    lib/pkgconfig/     links to its python*.pc;  include/python3.N: a link to its headers
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

try:  # hashlib would load OpenSSL (megabytes of memory) for this one digest
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

from conveyor.actions.interpreters import Interpreter
from conveyor.actions.tool_cache import ensure_tool, link_tree
from conveyor.actions.versions import version_text
from conveyor.errors import InfrastructureError
from conveyor.private_files import write_private

TEMPLATES = "conveyor-python"  # under the tool cache
_LAYOUT_QUERY = """
import json, os, sys, sysconfig
paths = sysconfig.get_paths()
try:
    import pip
    pip_dir = os.path.dirname(pip.__file__)
except Exception:
    pip_dir = ''
print(json.dumps({'prefix': sys.base_prefix, 'executable': os.path.realpath(sys.executable),
    'stdlib': paths['stdlib'], 'purelib': paths['purelib'], 'include': paths['include'],
    'libdir': sysconfig.get_config_var('LIBDIR') or '',
    'libpc': sysconfig.get_config_var('LIBPC') or '', 'pip': pip_dir}))
"""
_CHECK_QUERY = "import sys, sysconfig; print(sys.prefix, sysconfig.get_paths()['purelib'])"


def job_installation(interpreter: Interpreter, tool_cache: str, job_dir: str) -> Path:
    """The job's installation of `interpreter` (made now from its template unless there)."""
    target = Path(job_dir) / "python" / version_text(interpreter.version)
    if (target / "bin" / "python").exists():
        return target
    template = ensure_tool(_template_path(interpreter, tool_cache), _TemplateBuilder(interpreter))
    link_tree(template, target)
    _write_pip_scripts(target, interpreter)
    return target


def is_job_installation(path: str, tool_cache: str, job_dir: str) -> bool:
    """Whether an interpreter found on PATH is one of ours (never a base for another)."""
    roots = (job_dir, os.path.join(tool_cache, TEMPLATES))
    ours = tuple(os.path.join(p, "") for r in roots for p in {r, os.path.realpath(r)})
    return path.startswith(ours)


def _template_path(interpreter: Interpreter, tool_cache: str) -> Path:
    info = os.stat(interpreter.path)
    stamp = f"{interpreter.path}:{info.st_mtime_ns}:{info.st_size}"
    digest = blake2b(stamp.encode("utf-8"), digest_size=6).hexdigest()
    return Path(tool_cache) / TEMPLATES / f"{version_text(interpreter.version)}-{digest}"


class _TemplateBuilder:
    """Makes the template of one interpreter in a staging directory."""

    def __init__(self, interpreter: Interpreter) -> None:
        self.interpreter = interpreter

    def __call__(self, staging: Path) -> None:
        layout = _layout(self.interpreter.path)
        purelib = _mirror(layout, staging)
        if layout["pip"]:
            _copy_pip(Path(layout["pip"]), purelib)
        python = _python_in(staging, self.interpreter)
        _check(python, staging, purelib)
        if not layout["pip"]:
            _ensurepip(python, staging)


def _layout(python: str) -> Mapping[str, str]:
    try:
        result = subprocess.run(
            [python, "-I", "-c", _LAYOUT_QUERY],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        data = json.loads(result.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        raise InfrastructureError(f"could not ask {python} for its layout: {exc}") from exc
    return {str(key): str(value) for key, value in data.items()}


def _mirror(layout: Mapping[str, str], staging: Path) -> Path:
    """bin/, the standard library, libraries and headers; returns the new site-packages."""
    prefix = Path(layout["prefix"])
    stdlib = Path(layout["stdlib"])
    own_stdlib = staging / _relative(stdlib, prefix, Path("lib") / stdlib.name)
    own_stdlib.mkdir(parents=True)
    for entry in stdlib.iterdir():
        if entry.name not in ("site-packages", "dist-packages", "EXTERNALLY-MANAGED"):
            (own_stdlib / entry.name).symlink_to(entry)
    purelib = staging / _relative(Path(layout["purelib"]), prefix, own_stdlib / "site-packages")
    purelib.mkdir(parents=True, exist_ok=True)
    _link_libraries(layout, staging)
    include = Path(layout["include"])
    if include.is_dir():
        (staging / "include").mkdir(exist_ok=True)
        (staging / "include" / include.name).symlink_to(include)
    return purelib


def _relative(path: Path, prefix: Path, default: Path) -> Path:
    try:
        return path.relative_to(prefix)
    except ValueError:
        return default


def _link_libraries(layout: Mapping[str, str], staging: Path) -> None:
    lib = staging / "lib"
    pkgconfig = lib / "pkgconfig"
    pkgconfig.mkdir(parents=True, exist_ok=True)
    if layout["libdir"] and Path(layout["libdir"]).is_dir():
        for library in Path(layout["libdir"]).glob("libpython*"):
            if not (lib / library.name).exists():
                (lib / library.name).symlink_to(library)
    if layout["libpc"] and Path(layout["libpc"]).is_dir():
        for description in Path(layout["libpc"]).glob("python*.pc"):
            (pkgconfig / description.name).symlink_to(description)


def _python_in(staging: Path, interpreter: Interpreter) -> Path:
    """The executable copied to bin/python3.N, with python3 and python linking to it."""
    name = f"python{interpreter.version[0]}.{interpreter.version[1]}"
    bin_dir = staging / "bin"
    bin_dir.mkdir()
    shutil.copy2(interpreter.path, bin_dir / name)
    for alias in (f"python{interpreter.version[0]}", "python"):
        (bin_dir / alias).symlink_to(name)
    return bin_dir / name


def _copy_pip(pip: Path, purelib: Path) -> None:
    for source in [pip, *sorted(pip.parent.glob("pip-*.dist-info"))]:
        shutil.copytree(source, purelib / source.name, symlinks=True)


def _check(python: Path, staging: Path, purelib: Path) -> None:
    """The copy must find its standard library and its own site-packages."""
    try:
        result = subprocess.run(
            [str(python), "-I", "-c", _CHECK_QUERY],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise InfrastructureError(f"{python} does not start: {exc}") from exc
    if result.stdout.split() != [str(staging), str(purelib)]:
        raise InfrastructureError(
            f"a copy of the interpreter does not see its own prefix ({result.stdout.strip()} "
            f"{result.stderr.strip()[-300:]})"
        )


def _ensurepip(python: Path, staging: Path) -> None:
    """The interpreter has no pip of its own: ensurepip's, without its scripts."""
    try:
        subprocess.run(
            [str(python), "-I", "-m", "ensurepip", "--default-pip"],
            capture_output=True,
            timeout=300,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise InfrastructureError(f"ensurepip failed with {python}: {exc}") from exc
    for script in (staging / "bin").glob("pip*"):
        script.unlink()


def _write_pip_scripts(target: Path, interpreter: Interpreter) -> None:
    """pip, pip3, pip3.N as pip writes them (new files: the template's are hard links)."""
    major, minor = interpreter.version[0], interpreter.version[1]
    python = target / "bin" / "python"
    for name in ("pip", f"pip{major}", f"pip{major}.{minor}"):
        script = target / "bin" / name
        write_private(script, _shebang(python) + _PIP_SCRIPT)
        script.chmod(0o700)


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
