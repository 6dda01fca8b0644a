"""What conveyor/dependency-review shows: the comment (also the `comment-content` output), the
step summary, annotations on the manifests' lines and GitHub's JSON outputs."""

from __future__ import annotations

import json
from typing import Any

from conveyor.actions.dependency_changes import Change
from conveyor.actions.dependency_manifests import PIP
from conveyor.actions.dependency_osv import LEVELS
from conveyor.actions.native_support import finding, table
from conveyor.model.results import Annotation


def package_url(change: Change) -> str:
    dependency = change.dependency
    kind = "pypi" if dependency.ecosystem == PIP else dependency.ecosystem
    version = f"@{dependency.version}" if dependency.pinned else ""
    return f"pkg:{kind}/{dependency.name}{version}"


def shown(change: Change) -> dict[str, Any]:
    """A change as GitHub's action writes it in `dependency-changes`."""
    dependency = change.dependency
    return {
        "change_type": change.change_type,
        "manifest": change.manifest,
        "ecosystem": dependency.ecosystem,
        "name": dependency.name,
        "version": dependency.version,
        "package_url": package_url(change),
        "license": change.licence,
        "source_repository_url": None,
        "scope": dependency.scope,
        "vulnerabilities": [advisory.shown() for advisory in change.advisories],
    }


def outputs(changes: list[Change], comment_text: str) -> dict[str, str]:
    invalid = {
        kind: [shown(c) for c in changes if c.licence_problem == kind]
        for kind in ("forbidden", "unresolved", "unlicensed")
    }
    return {
        "comment-content": comment_text,
        "dependency-changes": json.dumps([shown(c) for c in changes]),
        "vulnerable-changes": json.dumps([shown(c) for c in changes if c.advisories]),
        "invalid-license-changes": json.dumps(invalid),
    }


def _version(change: Change) -> str:
    if change.previous is not None:
        return f"{change.previous} → {change.dependency.version}"
    return change.dependency.version or "any"


def _rows(changes: list[Change]) -> list[list[str]]:
    rows = []
    for change in changes:
        if change.change_type == "removed" and _replaced(change, changes):
            continue
        kind = "changed" if change.previous is not None else change.change_type
        advisories = ", ".join(f"{a.id} ({a.severity})" for a in change.advisories)
        licence = change.licence or ("unknown" if change.change_type == "added" else "")
        rows.append([
            kind, f"`{change.dependency.name}`", _version(change), licence,
            advisories, f"`{change.manifest}`",
        ])  # fmt: skip
    return rows


def _replaced(removed: Change, changes: list[Change]) -> bool:
    return any(
        c.change_type == "added" and c.manifest == removed.manifest
        and c.dependency.key == removed.dependency.key for c in changes
    )  # fmt: skip


_HEADER = ["change", "package", "version", "licence", "vulnerabilities", "manifest"]


def comment(changes: list[Change], failing: list[str], fail_on_severity: str) -> str:
    if not changes:
        return "## Dependency review\n\nNo dependency changes.\n"
    verdict = "\n".join(f"- :x: {line}" for line in failing) or "- :white_check_mark: no problems"
    text = f"## Dependency review\n\n{verdict}\n\n"
    text += f"Fails on advisories of severity {fail_on_severity} or above.\n\n"
    return text + table(_HEADER, _rows(changes))


def summary(changes: list[Change], failing: list[str]) -> str:
    verdict = "failed" if failing else "passed"
    text = f"## conveyor/dependency-review: {verdict}\n\n{len(changes)} change(s)\n"
    text += "".join(f"- {line}\n" for line in failing)
    return text + ("\n" + table(_HEADER, _rows(changes)) if changes else "")


def finding_annotations(
    changes: list[Change], fail_on_severity: str, unknown_licences: bool
) -> tuple[Annotation, ...]:
    """Annotations at the manifest's line: advisories (errors at or above the failing severity,
    else warnings) and licence problems (forbidden: errors; unknown: warnings, when
    `unknown_licences`, i.e. there is a licence policy)."""
    floor = LEVELS.index(fail_on_severity)
    found = []
    for change in changes:
        name = f"{change.dependency.name}@{change.dependency.version}"
        for advisory in change.advisories:
            blocking = advisory.severity == "unknown" or LEVELS.index(advisory.severity) >= floor
            message = f"{name}: {advisory.id} ({advisory.severity}) {advisory.summary}"
            found.append(
                _at_line(
                    change, "error" if blocking else "warning", message, "Vulnerable dependency"
                )
            )
        if change.licence_problem == "forbidden" or (change.licence_problem and unknown_licences):
            message = f"{name}: licence {change.licence or 'unknown'} ({change.licence_problem})"
            level = "error" if change.licence_problem == "forbidden" else "warning"
            found.append(_at_line(change, level, message, "Dependency licence"))
    return tuple(found)


def _at_line(change: Change, level: str, message: str, title: str) -> Annotation:
    return finding(level, message, file=change.manifest, line=change.dependency.line, title=title)
