"""Cobertura XML (coverage.py's `coverage xml`) read into per-file line hits, and the lines a
pull request adds (`git diff -U0 base...head`), for `conveyor/coverage-gate`."""

from __future__ import annotations

import os
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(?P<start>\d+)(?:,(?P<count>\d+))? @@")
_CONDITIONS = re.compile(r"\((?P<covered>\d+)/(?P<total>\d+)\)")


class CoverageReportError(ValueError):
    """A report that cannot be read (the message names the file)."""


@dataclass
class Coverage:
    """Line hits per file (paths relative to the workspace when they are under it), branches."""

    lines: dict[str, dict[int, bool]] = field(default_factory=dict)
    branches_valid: int = 0
    branches_covered: int = 0

    def line_rate(self) -> float | None:
        valid = sum(len(hits) for hits in self.lines.values())
        covered = sum(sum(hits.values()) for hits in self.lines.values())
        return None if valid == 0 else 100.0 * covered / valid

    def branch_rate(self) -> float | None:
        if self.branches_valid == 0:
            return None
        return 100.0 * self.branches_covered / self.branches_valid


def read_reports(paths: Iterable[Path], workspace: Path) -> Coverage:
    """Every report merged (a line is covered when any report covers it)."""
    merged = Coverage()
    for path in paths:
        _merge(merged, path, workspace)
    return merged


def _merge(merged: Coverage, path: Path, workspace: Path) -> None:
    try:
        root = ET.parse(path).getroot()  # the job's own report
    except (OSError, ET.ParseError) as exc:
        raise CoverageReportError(f"{path}: not a readable Cobertura XML report ({exc})") from None
    if root.tag != "coverage":
        raise CoverageReportError(f"{path}: not a Cobertura report (root <{root.tag}>)")
    sources = [Path(s.text.strip()) for s in root.iter("source") if s.text and s.text.strip()]
    for element in root.iter("class"):
        name = _relative(element.get("filename") or "", sources, workspace)
        hits = merged.lines.setdefault(name, {})
        for line in element.iter("line"):
            _add_line(merged, hits, line)


def _add_line(merged: Coverage, hits: dict[int, bool], line: ET.Element) -> None:
    number = int(line.get("number") or 0)
    covered = int(line.get("hits") or 0) > 0
    hits[number] = hits.get(number, False) or covered
    found = _CONDITIONS.search(line.get("condition-coverage") or "")
    if line.get("branch") == "true" and found:
        merged.branches_valid += int(found.group("total"))
        merged.branches_covered += int(found.group("covered"))


def _relative(filename: str, sources: list[Path], workspace: Path) -> str:
    """The report's file name relative to the workspace (through its <source>s) when it can."""
    for source in sources:
        candidate = source / filename if source.is_absolute() else workspace / source / filename
        if candidate.is_file() and candidate.resolve().is_relative_to(workspace.resolve()):
            return candidate.resolve().relative_to(workspace.resolve()).as_posix()
    return filename.replace(os.sep, "/")


def added_lines(workspace: str, base: str, head: str) -> dict[str, set[int]]:
    """The lines `head` adds or changes since its merge base with `base`, by file."""
    argv = ["git", "diff", "-U0", "--no-color", "--no-renames", f"{base}...{head}"]
    done = subprocess.run(argv, cwd=workspace, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise CoverageReportError(f"git diff {base}...{head}: {done.stderr.strip()}")
    return parse_added_lines(done.stdout)


def parse_added_lines(diff: str) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            path = line[4:].strip()
            current = (
                None if path == "/dev/null" else found.setdefault(path.removeprefix("b/"), set())
            )
        elif current is not None and (hunk := _HUNK.match(line)):
            start, count = int(hunk.group("start")), int(hunk.group("count") or 1)
            current.update(range(start, start + count))
    return {path: lines for path, lines in found.items() if lines}


@dataclass(frozen=True, slots=True)
class DiffCoverage:
    covered: int
    measured: int
    uncovered: Mapping[str, tuple[int, ...]]  # file → changed lines not covered

    @property
    def rate(self) -> float | None:
        return None if self.measured == 0 else 100.0 * self.covered / self.measured


def diff_coverage(coverage: Coverage, changed: Mapping[str, set[int]]) -> DiffCoverage:
    """Of the changed lines the report measures, how many are covered."""
    covered = measured = 0
    uncovered: dict[str, tuple[int, ...]] = {}
    for path, lines in sorted(changed.items()):
        hits = _hits_for(coverage, path)
        measurable = sorted(line for line in lines if line in hits)
        missed = tuple(line for line in measurable if not hits[line])
        measured += len(measurable)
        covered += len(measurable) - len(missed)
        if missed:
            uncovered[path] = missed
    return DiffCoverage(covered, measured, uncovered)


def _hits_for(coverage: Coverage, path: str) -> dict[int, bool]:
    if path in coverage.lines:
        return coverage.lines[path]
    for name, hits in coverage.lines.items():
        if path.endswith("/" + name):
            return hits
    return {}
