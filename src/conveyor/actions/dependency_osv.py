"""Vulnerabilities for conveyor/dependency-review from OSV data read offline: a directory of
OSV JSON records (searched recursively) or a zip of them (as osv.dev publishes per ecosystem,
e.g. PyPI/all.zip). A record affects a version listed in `affected[].versions`, or within one of
its ECOSYSTEM/SEMVER `ranges[].events` (introduced, fixed, last_affected); versions compare by
PEP 440 for PyPI (`packaging`) and by semver for npm. Severity: GitHub's level in
`database_specific.severity`, else the CVSS v3 base score of `severity[]`."""

from __future__ import annotations

import json
import math
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from conveyor.actions.dependency_manifests import NPM, PIP, Dependency, normalise
from conveyor.errors import UsageError

LEVELS = ("low", "moderate", "high", "critical")  # GitHub's, in order
OSV_ECOSYSTEM = {PIP: "PyPI", NPM: "npm"}
_ECOSYSTEM = {"pypi": PIP, "npm": NPM}


@dataclass(frozen=True, slots=True)
class Advisory:
    id: str
    summary: str
    severity: str  # one of LEVELS, or "unknown"
    url: str

    def shown(self) -> dict[str, str]:
        return {
            "severity": self.severity,
            "advisory_ghsa_id": self.id,
            "advisory_summary": self.summary,
            "advisory_url": self.url,
        }


class OsvDatabase:
    """The records of an OSV directory or zip, indexed by (ecosystem, normalised name)."""

    def __init__(self, records: Iterator[Mapping[str, Any]]) -> None:
        self.index: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
        for record in records:
            for affected in record.get("affected") or []:
                package = affected.get("package") or {}
                ecosystem = _ECOSYSTEM.get(str(package.get("ecosystem", "")).lower())
                if ecosystem:
                    key = (ecosystem, normalise(ecosystem, str(package.get("name", ""))))
                    self.index.setdefault(key, []).append(record)

    @classmethod
    def load(cls, location: str) -> OsvDatabase:
        path = Path(location)
        if path.is_dir():
            return cls(_directory_records(path))
        if path.is_file() and zipfile.is_zipfile(path):
            return cls(_zip_records(path))
        raise UsageError(f"input `osv-data`: {location} is neither a directory nor a zip")

    def advisories(self, dependency: Dependency) -> list[Advisory]:
        """The advisories affecting a pinned version (none for an unpinned requirement)."""
        if not dependency.pinned:
            return []
        records = self.index.get((dependency.ecosystem, dependency.key), [])
        found = {r["id"]: _advisory(r) for r in records if _affects(r, dependency)}
        return sorted(found.values(), key=lambda advisory: advisory.id)


def _directory_records(root: Path) -> Iterator[Mapping[str, Any]]:
    for path in sorted(root.rglob("*.json")):
        yield _record(path.read_bytes(), str(path))


def _zip_records(path: Path) -> Iterator[Mapping[str, Any]]:
    with zipfile.ZipFile(path) as archive:
        for name in sorted(n for n in archive.namelist() if n.endswith(".json")):
            yield _record(archive.read(name), f"{path}:{name}")


def _record(data: bytes, where: str) -> Mapping[str, Any]:
    try:
        record = json.loads(data)
    except ValueError as error:
        raise UsageError(f"{where}: not an OSV record ({error})") from None
    if not isinstance(record, dict) or "id" not in record:
        raise UsageError(f"{where}: not an OSV record (no `id`)")
    return record


def _affects(record: Mapping[str, Any], dependency: Dependency) -> bool:
    compare = _COMPARE[dependency.ecosystem]
    for affected in record.get("affected") or []:
        package = affected.get("package") or {}
        ecosystem = _ECOSYSTEM.get(str(package.get("ecosystem", "")).lower())
        if ecosystem != dependency.ecosystem:
            continue
        if normalise(ecosystem, str(package.get("name", ""))) != dependency.key:
            continue
        if dependency.version in (affected.get("versions") or []):
            return True
        if any(_in_range(r, dependency.version, compare) for r in affected.get("ranges") or []):
            return True
    return False


def _in_range(
    range_: Mapping[str, Any], version: str, compare: Callable[[str, str], int | None]
) -> bool:
    """OSV's evaluation: walk the events in version order; `introduced` opens, `fixed` (at or
    below the version) and `last_affected` (below it) close."""
    if range_.get("type") not in ("ECOSYSTEM", "SEMVER"):
        return False
    affected = False
    for event in range_.get("events") or []:
        ((kind, at),) = event.items()
        order = -1 if at == "0" else compare(at, version)
        if order is None:
            return False
        if kind == "introduced" and order <= 0:
            affected = True
        elif (kind == "fixed" and order <= 0) or (kind == "last_affected" and order < 0):
            affected = False
    return affected


def _pep440(left: str, right: str) -> int | None:
    try:
        a, b = Version(left), Version(right)
    except InvalidVersion:
        return None
    return (a > b) - (a < b)


_SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def _semver(left: str, right: str) -> int | None:
    a, b = _SEMVER.match(left.strip()), _SEMVER.match(right.strip())
    if not a or not b:
        return None
    core_a, core_b = tuple(map(int, a.groups()[:3])), tuple(map(int, b.groups()[:3]))
    if core_a != core_b:
        return (core_a > core_b) - (core_a < core_b)
    return _prerelease(a.group(4), b.group(4))


def _prerelease(a: str | None, b: str | None) -> int:
    if a == b:
        return 0
    if a is None or b is None:
        return 1 if a is None else -1  # a release is above its prereleases
    key_a, key_b = _prerelease_key(a), _prerelease_key(b)
    return (key_a > key_b) - (key_a < key_b)


def _prerelease_key(text: str) -> list[tuple[int, int, str]]:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in text.split(".")]


_COMPARE: dict[str, Callable[[str, str], int | None]] = {PIP: _pep440, NPM: _semver}


def _advisory(record: Mapping[str, Any]) -> Advisory:
    identifier = str(record["id"])
    summary = str(record.get("summary") or record.get("details") or "").strip().splitlines()
    url = f"https://osv.dev/vulnerability/{identifier}"
    if identifier.startswith("GHSA-"):
        url = f"https://github.com/advisories/{identifier}"
    return Advisory(identifier, summary[0] if summary else "", severity(record), url)


def severity(record: Mapping[str, Any]) -> str:
    """GitHub's level of a record: its `database_specific.severity`, else from its CVSS v3
    score; 'unknown' without either."""
    stated = str((record.get("database_specific") or {}).get("severity") or "").lower()
    stated = "moderate" if stated == "medium" else stated
    if stated in LEVELS:
        return stated
    for entry in record.get("severity") or []:
        if str(entry.get("type")) == "CVSS_V3":
            score = cvss3_base_score(str(entry.get("score", "")))
            if score is not None:
                return level_of_score(score)
    return "unknown"


def level_of_score(score: float) -> str:
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    return "moderate" if score >= 4.0 else "low"


_WEIGHTS: dict[str, dict[str, float]] = {
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "UI": {"N": 0.85, "R": 0.62},
    "C": {"H": 0.56, "L": 0.22, "N": 0.0},
}
_PRIVILEGES = {"U": {"N": 0.85, "L": 0.62, "H": 0.27}, "C": {"N": 0.85, "L": 0.68, "H": 0.5}}


def cvss3_base_score(vector: str) -> float | None:
    """The CVSS v3.0/v3.1 base score of a vector (None when it is not one)."""
    metrics = dict(part.split(":", 1) for part in vector.split("/")[1:] if ":" in part)
    try:
        scope = metrics["S"]
        impact_weights = [_WEIGHTS["C"][metrics[m]] for m in ("C", "I", "A")]
        exploitability = (
            8.22
            * _PRIVILEGES[scope][metrics["PR"]]
            * math.prod(_WEIGHTS[m][metrics[m]] for m in ("AV", "AC", "UI"))
        )
    except KeyError:
        return None
    iss = 1 - math.prod(1 - w for w in impact_weights)
    impact = 6.42 * iss if scope == "U" else 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15
    if impact <= 0:
        return 0.0
    total = impact + exploitability
    return _round_up(min(total if scope == "U" else 1.08 * total, 10.0))


def _round_up(value: float) -> float:
    scaled = round(value * 100000)
    return scaled / 100000.0 if scaled % 10000 == 0 else (math.floor(scaled / 10000) + 1) / 10.0
