"""Licences for conveyor/dependency-review, offline: a licence data file (`license-data`: JSON
`{ecosystem: {name: {version: spdx}}}`, a `*` version for any, or `{name: spdx}`), then, for
Python packages, the metadata of the distribution installed in the job's environment (the
`python` on the job's PATH: `License-Expression`, else an SPDX `License`, else its classifiers).
Expressions are evaluated with `license-expression` against `allow-licenses`/`deny-licenses`:
deprecated ids mean their `-only` form (`GPL-3.0` is `GPL-3.0-only`), `X-or-later` may be taken
as any later version, OR passes when one choice passes, AND when all do."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from conveyor.actions.dependency_manifests import PIP, Dependency, normalise
from conveyor.errors import UsageError

_FAMILIES = {
    "GPL": ("1.0", "2.0", "3.0"),
    "LGPL": ("2.0", "2.1", "3.0"),
    "AGPL": ("1.0", "3.0"),
    "GFDL": ("1.1", "1.2", "1.3"),
}
_CLASSIFIERS = {
    "MIT License": "MIT",
    "Apache Software License": "Apache-2.0",
    "BSD License": "BSD-3-Clause",  # pip-licenses and GitHub read it so
    "ISC License (ISCL)": "ISC",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "Python Software Foundation License": "PSF-2.0",
    "The Unlicense (Unlicense)": "Unlicense",
}


@cache
def _spdx() -> Any:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def canonical(expression: str) -> str | None:
    """The SPDX expression in canonical form (deprecated ids replaced); None when it does not
    parse or names a licence SPDX does not know."""
    from license_expression import ExpressionError

    licensing = _spdx()
    try:
        parsed = licensing.parse(expression, validate=False)
    except ExpressionError:
        return None
    if parsed is None or licensing.unknown_license_keys(parsed):
        return None
    return str(parsed.render())


class LicenceData:
    """Where licences come from: the data file, then the job's installed Python packages."""

    def __init__(self, table: Mapping[str, Any], site_paths: Sequence[str] | None) -> None:
        self.table = {_ecosystem(k): v for k, v in table.items() if isinstance(v, Mapping)}
        self.site_paths = site_paths
        self.installed: dict[str, tuple[str | None, str]] = {}

    @classmethod
    def of(cls, data_file: Path | None, python: str | None) -> LicenceData:
        return cls(_read_table(data_file) if data_file else {}, _site_paths(python))

    def licence(self, dependency: Dependency) -> tuple[str | None, str]:
        """(the SPDX expression or None, where it came from)."""
        found = self._from_table(dependency)
        if found:
            return found, "license-data"
        if dependency.ecosystem == PIP and self.site_paths is not None:
            if dependency.key not in self.installed:  # this run's: a job may install more
                self.installed[dependency.key] = _installed(dependency.name, self.site_paths)
            return self.installed[dependency.key]
        return None, ""

    def _from_table(self, dependency: Dependency) -> str | None:
        names = self.table.get(dependency.ecosystem, {})
        entry = next(
            (v for k, v in names.items() if normalise(dependency.ecosystem, k) == dependency.key),
            None,
        )
        if isinstance(entry, Mapping):
            entry = entry.get(dependency.version) or entry.get("*")
        return str(entry) if entry else None


def _ecosystem(name: str) -> str:
    return PIP if name.lower() in ("pip", "pypi", "python") else name.lower()


def _read_table(path: Path) -> Mapping[str, Any]:
    try:
        table = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise UsageError(f"input `license-data`: {path}: {error}") from None
    if not isinstance(table, Mapping):
        raise UsageError(f"input `license-data`: {path}: expected {{ecosystem: {{name: ...}}}}")
    return table


def _site_paths(python: str | None) -> list[str] | None:
    """The job's Python's sys.path (None when there is no python on its PATH)."""
    if python is None:
        return None
    program = "import json, sys; print(json.dumps(sys.path))"
    done = subprocess.run([python, "-c", program], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return None
    return [str(p) for p in json.loads(done.stdout) if p]


def job_python(path_variable: str | None) -> str | None:
    if not path_variable:
        return None
    return shutil.which("python3", path=path_variable) or shutil.which("python", path=path_variable)


def _installed(name: str, paths: Sequence[str]) -> tuple[str | None, str]:
    found = next(iter(importlib.metadata.distributions(name=name, path=list(paths))), None)
    if found is None:
        return None, ""
    where = f"installed {found.version}"
    metadata = found.metadata.json
    for candidate in (metadata.get("license_expression"), metadata.get("license")):
        if isinstance(candidate, str) and len(candidate) < 100 and canonical(candidate):
            return canonical(candidate), where
    classifiers = metadata.get("classifier") or []
    spdx = [
        _CLASSIFIERS.get(c.rsplit(" :: ", 1)[-1]) for c in classifiers if c.startswith("License ::")
    ]
    known = sorted({s for s in spdx if s})
    return (" OR ".join(known) if known else None), where


@dataclass(frozen=True, slots=True)
class Policy:
    allow: frozenset[str]
    deny: frozenset[str]

    @classmethod
    def of(cls, allow: Sequence[str], deny: Sequence[str]) -> Policy:
        if allow and deny:
            raise UsageError("inputs `allow-licenses` and `deny-licenses`: set one, not both")
        return cls(_expanded(allow, "allow-licenses"), _expanded(deny, "deny-licenses"))

    @property
    def active(self) -> bool:
        return bool(self.allow or self.deny)

    def permits(self, expression: str) -> bool:
        parsed = _spdx().parse(expression, validate=False)
        return self._node(parsed)

    def _node(self, node: Any) -> bool:
        from license_expression import AND, OR, LicenseWithExceptionSymbol

        if isinstance(node, OR):
            return any(self._node(arg) for arg in node.args)
        if isinstance(node, AND):
            return all(self._node(arg) for arg in node.args)
        if isinstance(node, LicenseWithExceptionSymbol):
            return self._licence(node.license_symbol.key)
        return self._licence(node.key)

    def _licence(self, key: str) -> bool:
        choices = set(_choices(key))
        if self.allow:
            return bool(choices & self.allow)
        concrete = {c for c in choices if not c.endswith("-or-later")} or choices
        return not concrete <= self.deny


def _expanded(names: Sequence[str], input_name: str) -> frozenset[str]:
    found: set[str] = set()
    for name in names:
        spdx = canonical(name)
        if spdx is None:
            raise UsageError(f"input `{input_name}`: {name!r} is not an SPDX licence id")
        found.update(_choices(spdx))
    return frozenset(found)


def _choices(key: str) -> list[str]:
    """The licences `key` lets one take: itself, and for `X-or-later` every later `-only` and
    `-or-later` version of its family."""
    family, _, rest = key.partition("-")
    if not key.endswith("-or-later") or family not in _FAMILIES:
        return [key]
    version = rest.removesuffix("-or-later")
    versions = _FAMILIES[family]
    later = versions[versions.index(version) :] if version in versions else ()
    return [key] + [f"{family}-{v}-{s}" for v in later for s in ("only", "or-later")]
