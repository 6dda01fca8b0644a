"""astral-sh/setup-uv's version rules: which uv is asked for, and which release answers it.

Asked for: the `version` input; else `version-file` (uv.toml or pyproject.toml's
`required-version`, a requirements file's `uv==…` line, .tool-versions' `uv …`); else the
working directory's uv.toml, then pyproject.toml (`[tool.uv] required-version`); else `latest`.
Specs are PEP 440 as setup-uv takes them (`0.4.2`, `==0.4.*`, `>=0.4,<0.5`, `~=0.4.1`,
`!=0.5.0`, and `0.4.x`); `resolution-strategy` picks the highest (default) or the lowest match.
Releases come from the index's JSON simple API (PEP 691): the wheels for this machine, neither
yanked nor pre-releases, each with its sha256.
"""

from __future__ import annotations

import re
import tomllib
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from conveyor.actions.versions import Version, VersionSpecError, matches, parse_version

_WHEEL = re.compile(r"^uv-(?P<version>\d+(?:\.\d+)*)-py3-none-(?P<platform>.+)\.whl$")
_REQUIREMENT = re.compile(r"^\s*uv\s*(?P<spec>(?:==|>=|<=|~=|!=|>|<)[^;#\s]+)", re.MULTILINE)
_TOOL_VERSIONS = re.compile(r"^\s*uv\s+(?P<version>\S+)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class UvRelease:
    version: Version
    filename: str
    url: str
    sha256: str


def requested_version(inputs: Mapping[str, str], working_directory: Path) -> str:
    """The version spec asked for (ValueError naming the file when `version-file` is bad)."""
    if inputs.get("version"):
        return inputs["version"].strip()
    if inputs.get("version-file"):
        path = working_directory / inputs["version-file"]
        found = _version_in(path)
        if found is None:
            raise ValueError(f"could not determine the uv version from file {path}")
        return found
    for name in ("uv.toml", "pyproject.toml"):
        path = working_directory / name
        if path.is_file():
            try:
                found = _version_in(path)
            except ValueError:
                found = None
            if found:
                return found
    return "latest"


def _version_in(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the uv version file {path}: {exc}") from exc
    if path.suffix == ".toml":
        return _toml_version(path, text)
    pattern = _TOOL_VERSIONS if path.name == ".tool-versions" else _REQUIREMENT
    match = pattern.search(text)
    return match.group(1) if match else None


def _toml_version(path: Path, text: str) -> str | None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("uv", {})
    value = data.get("required-version") if isinstance(data, dict) else None
    return str(value).strip() if value else None


def is_exact(spec: str) -> bool:
    """`0.4.2` or `==0.4.2`: a release that needs no index to be found."""
    return re.fullmatch(r"(==)?\s*v?\d+\.\d+\.\d+", spec.strip()) is not None


def choose_version(
    spec: str, versions: Iterable[Version], strategy: str = "highest"
) -> Version | None:
    """The highest (or lowest) version satisfying `spec`; None when none does."""
    try:
        clauses = _clauses(spec)
        found = [v for v in versions if all(_holds(clause, v) for clause in clauses)]
    except VersionSpecError:
        return None
    if not found:
        return None
    return min(found) if strategy == "lowest" else max(found)


def _clauses(spec: str) -> list[str]:
    text = spec.strip()
    if text in ("", "latest", "*"):
        return []
    return [part.strip() for part in text.split(",") if part.strip()]


def _holds(clause: str, version: Version) -> bool:
    if clause.startswith("!="):
        return not matches(clause[2:].replace("*", "x"), version)
    if clause.startswith("~="):
        bound = parse_version(clause[2:])
        if len(bound) < 2:
            raise VersionSpecError(f"'{clause}' needs at least two parts")
        upper = (*bound[:-2], bound[-2] + 1)
        return version >= bound and version[: len(upper)] < upper
    return matches(clause.lstrip("=") if clause.startswith("==") else clause, version)


def releases_from_index(
    document: Mapping[str, object], page_url: str, *, machine: str, system: str, musl: bool
) -> list[UvRelease]:
    """The uv wheels of a PEP 691 project page that run here, oldest first."""
    tags = _platform_tags(machine, system, musl)
    releases: dict[Version, UvRelease] = {}
    files = document.get("files")
    for entry in files if isinstance(files, Sequence) else ():
        release = _release(entry, page_url, tags)
        if release is not None:
            releases.setdefault(release.version, release)
    return [releases[v] for v in sorted(releases)]


def _release(entry: object, page_url: str, tags: Sequence[str]) -> UvRelease | None:
    if not isinstance(entry, Mapping) or entry.get("yanked"):
        return None
    match = _WHEEL.match(str(entry.get("filename", "")))
    hashes = entry.get("hashes")
    digest = hashes.get("sha256") if isinstance(hashes, Mapping) else None
    if match is None or not digest or not _fits(match.group("platform"), tags):
        return None
    url = urllib.parse.urljoin(page_url, str(entry.get("url", "")))
    return UvRelease(parse_version(match.group("version")), match.group(0), url, str(digest))


def _platform_tags(machine: str, system: str, musl: bool) -> list[str]:
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine.lower(), machine.lower())
    if system == "Darwin":
        mac_arch = "arm64" if arch == "aarch64" else arch
        return [f"macosx_*_{mac_arch}", "macosx_*_universal2"]
    return [f"musllinux_*_{arch}"] if musl else [f"manylinux*_{arch}"]


def _fits(platform: str, tags: Sequence[str]) -> bool:
    parts = platform.split(".")
    return any(re.fullmatch(tag.replace("*", ".*"), part) for part in parts for tag in tags)
