"""The dependencies a manifest declares, for conveyor/dependency-review: requirements*.txt,
pyproject.toml (PEP 621 `dependencies` and `optional-dependencies`, Poetry's tables), uv.lock,
poetry.lock, package.json and package-lock.json (lockfile versions 1 to 3). A version is the
pinned or locked one where the file says it (`==1.2.3`, a lock entry, npm's `1.2.3`), else the
requirement as written (`>=2`, `^4.17.0`)."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from conveyor.errors import UsageError

PIP, NPM = "pip", "npm"  # GitHub's ecosystem names (OSV's: PyPI, npm)
_PINNED_PYTHON = re.compile(r"^===?\s*([A-Za-z0-9_.!+-]+)$")
_PINNED_NPM = re.compile(r"^=?v?(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?)$")
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")


@dataclass(frozen=True, slots=True)
class Dependency:
    ecosystem: str  # pip | npm
    name: str  # as the manifest writes it
    version: str  # pinned/locked version, else the requirement ('' for any)
    pinned: bool
    scope: str  # runtime | development
    line: int  # 1-based line in the manifest (0 when unknown)

    @property
    def key(self) -> str:
        """The name compared across versions (PEP 503 normalised for Python)."""
        return normalise(self.ecosystem, self.name)


def normalise(ecosystem: str, name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower() if ecosystem == PIP else name


def is_manifest(path: str) -> bool:
    return _parser(path) is not None


def parse_manifest(path: str, text: str, where: str = "") -> list[Dependency]:
    """The dependencies `path` declares; a UsageError naming the file (and `where`, e.g. the
    commit) when it does not parse."""
    parser = _parser(path)
    if parser is None:
        return []
    try:
        return parser(text)
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        raise UsageError(f"{path}{where}: not a valid manifest ({error})") from None


def _parser(path: str) -> Callable[[str], list[Dependency]] | None:
    name = PurePosixPath(path).name
    if name.startswith("requirements") and name.endswith(".txt"):
        return _requirements
    return _PARSERS.get(name)


def _line_finder(text: str) -> Callable[[str], int]:
    lines = text.splitlines()

    def line_of(name: str) -> int:
        quoted = re.compile(rf"(^|[\s\"'{{\[/,]){re.escape(name)}([\s\"'=<>!~\[;:@,]|$)", re.I)
        return next((n for n, line in enumerate(lines, 1) if quoted.search(line)), 0)

    return line_of


def _python(requirement: str, scope: str, line: int) -> Dependency | None:
    matched = _REQUIREMENT_NAME.match(requirement.split(";")[0])
    if not matched:
        return None
    spec = matched.group(2).strip().strip("()").strip()
    pinned = _PINNED_PYTHON.match(spec)
    version = pinned.group(1) if pinned else spec
    return Dependency(PIP, matched.group(1), version, bool(pinned), scope, line)


def _requirements(text: str) -> list[Dependency]:
    found = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #")[0].strip()
        if not line or line.startswith(("#", "-", "git+", "http:", "https:", ".", "/")):
            continue
        dependency = _python(line.split("\\")[0].strip(), "runtime", number)
        if dependency is not None:
            found.append(dependency)
    return found


def _pyproject(text: str) -> list[Dependency]:
    document, line_of = tomllib.loads(text), _line_finder(text)
    project = document.get("project", {})
    found = _python_list(project.get("dependencies", []), "runtime", line_of)
    for extra in project.get("optional-dependencies", {}).values():
        found += _python_list(extra, "runtime", line_of)
    for group in document.get("dependency-groups", {}).values():
        found += _python_list([g for g in group if isinstance(g, str)], "development", line_of)
    return found + _poetry(document.get("tool", {}).get("poetry", {}), line_of)


def _python_list(
    items: Iterable[str], scope: str, line_of: Callable[[str], int]
) -> list[Dependency]:
    found = []
    for item in items:
        dependency = _python(str(item), scope, 0)
        if dependency is not None:
            found.append(_at(dependency, line_of(dependency.name)))
    return found


def _at(dependency: Dependency, line: int) -> Dependency:
    return Dependency(
        dependency.ecosystem, dependency.name, dependency.version, dependency.pinned,
        dependency.scope, line,
    )  # fmt: skip


def _poetry(poetry: Mapping[str, Any], line_of: Callable[[str], int]) -> list[Dependency]:
    tables = [("runtime", poetry.get("dependencies", {}))]
    tables.append(("development", poetry.get("dev-dependencies", {})))
    tables += [("development", g.get("dependencies", {})) for g in poetry.get("group", {}).values()]
    found = []
    for scope, table in tables:
        for name, spec in table.items():
            if name.lower() != "python":
                found.append(_poetry_dependency(name, spec, scope, line_of(name)))
    return found


def _poetry_dependency(name: str, spec: object, scope: str, line: int) -> Dependency:
    version = str(spec.get("version", "") if isinstance(spec, Mapping) else spec).strip()
    pinned = re.fullmatch(r"=?=?\s*(\d[A-Za-z0-9_.!+-]*)", version)
    exact = pinned.group(1) if pinned else version
    return Dependency(PIP, name, exact, bool(pinned), scope, line)


def _python_lock(text: str) -> list[Dependency]:
    """uv.lock and poetry.lock: `[[package]]` tables with a name and a version."""
    line_of = _lock_lines(text)
    found = []
    for package in tomllib.loads(text).get("package", []):
        name, version = str(package.get("name", "")), str(package.get("version", ""))
        source = package.get("source", {})
        if not name or not version or "editable" in source or "virtual" in source:
            continue  # the project itself
        scope = "development" if package.get("category") == "dev" else "runtime"
        found.append(Dependency(PIP, name, version, True, scope, line_of(name)))
    return found


def _lock_lines(text: str) -> Callable[[str], int]:
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        matched = re.match(r'^name\s*=\s*"([^"]+)"', line)
        if matched:
            lines.setdefault(matched.group(1), number)
    return lambda name: lines.get(name, 0)


def _package_json(text: str) -> list[Dependency]:
    document, line_of = json.loads(text), _line_finder(text)
    found = []
    for table, scope in _NPM_TABLES:
        for name, spec in (document.get(table) or {}).items():
            pinned = _PINNED_NPM.match(str(spec).strip())
            version = pinned.group(1) if pinned else str(spec)
            found.append(Dependency(NPM, name, version, bool(pinned), scope, line_of(name)))
    return found


_NPM_TABLES = (
    ("dependencies", "runtime"),
    ("optionalDependencies", "runtime"),
    ("peerDependencies", "runtime"),
    ("devDependencies", "development"),
)


def _package_lock(text: str) -> list[Dependency]:
    """Every locked copy (a nested `node_modules/a/node_modules/b` too), at its entry's line."""
    document, lines = json.loads(text), _lock_json_lines(text)
    packages = document.get("packages")
    if isinstance(packages, Mapping):
        entries = [
            (key.rsplit("node_modules/", 1)[1], value, lines.get(key, 0))
            for key, value in packages.items()
            if "node_modules/" in key and not value.get("link")
        ]
    else:
        entries = _lock_v1(document.get("dependencies") or {}, lines)
    return [_npm_locked(name, entry, line) for name, entry, line in entries if entry.get("version")]


def _lock_v1(
    dependencies: Mapping[str, Any], lines: Mapping[str, int]
) -> list[tuple[str, Mapping[str, Any], int]]:
    found = []
    for name, value in dependencies.items():
        found.append((name, value, lines.get(name, 0)))
        found += _lock_v1(value.get("dependencies") or {}, lines)
    return found


def _npm_locked(name: str, entry: Mapping[str, Any], line: int) -> Dependency:
    scope = "development" if entry.get("dev") else "runtime"
    return Dependency(NPM, name, str(entry["version"]), True, scope, line)


def _lock_json_lines(text: str) -> dict[str, int]:
    """The line of each object key (`"node_modules/a": {`): the first one for a repeated key."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        matched = re.match(r'^\s*"([^"]+)":\s*\{', line)
        if matched:
            lines.setdefault(matched.group(1), number)
    return lines


_PARSERS: dict[str, Callable[[str], list[Dependency]]] = {
    "pyproject.toml": _pyproject,
    "uv.lock": _python_lock,
    "poetry.lock": _python_lock,
    "package.json": _package_json,
    "package-lock.json": _package_lock,
}
