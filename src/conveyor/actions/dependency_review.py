"""conveyor/dependency-review (for actions/dependency-review-action): the packages a pull
request (base...head) or a push (before..after) adds, removes or changes in its manifests,
their licences checked against `allow-licenses`/`deny-licenses` and their pinned versions
against OSV advisories, offline (nothing is looked up online). One sticky comment on the pull
request, a step summary, annotations on the manifests' lines, GitHub's outputs.
Inputs and outputs: docs/actions.md (conveyor/dependency-review)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from conveyor.actions.dependency_changes import Change, dependency_changes
from conveyor.actions.dependency_licences import LicenceData, Policy, canonical, job_python
from conveyor.actions.dependency_osv import LEVELS, OsvDatabase
from conveyor.actions.dependency_report import comment, finding_annotations, outputs, summary
from conveyor.actions.forge_rest import ForgeRest, ForgeTarget
from conveyor.actions.native_support import event, flag, listed, pull_request, sticky_comment
from conveyor.engine.ports.actions import ActionConsole, ActionInvocation, ActionOutcome, failed
from conveyor.errors import ForgeError, UsageError
from conveyor.model.results import Conclusion

NAME = "dependency-review"
OSV_SETTING = "CONVEYOR_OSV_DATA"  # the OSV directory/zip when the input is not given
COMMENT_MODES = ("always", "on-failure", "never")


@dataclass(frozen=True, slots=True)
class Settings:
    policy: Policy
    licence_check: bool
    vulnerability_check: bool
    fail_on_severity: str
    fail_on_scopes: frozenset[str]
    fail_on_unknown: bool
    warn_only: bool
    comment_mode: str


def _choice(invocation: ActionInvocation, name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = invocation.input(name, default).strip().lower() or default
    if value not in allowed:
        raise UsageError(f"input `{name}`: one of {', '.join(allowed)}, got {value!r}")
    return value


def settings(invocation: ActionInvocation) -> Settings:
    return Settings(
        policy=Policy.of(listed(invocation, "allow-licenses"), listed(invocation, "deny-licenses")),
        licence_check=flag(invocation, "license-check", True),
        vulnerability_check=flag(invocation, "vulnerability-check", True),
        fail_on_severity=_choice(invocation, "fail-on-severity", "low", LEVELS),
        fail_on_scopes=frozenset(listed(invocation, "fail-on-scopes", "runtime")),
        fail_on_unknown=flag(invocation, "fail-on-unknown-license", False),
        warn_only=flag(invocation, "warn-only", False),
        comment_mode=_choice(invocation, "comment-summary-in-pr", "always", COMMENT_MODES),
    )


def base_and_head(invocation: ActionInvocation) -> tuple[str, str]:
    payload = event(invocation)
    pull = pull_request(invocation)
    base = invocation.input("base-ref") or (pull.base_sha if pull else "")
    head = invocation.input("head-ref") or (pull.head_sha if pull else "")
    base = base or str(payload.get("before") or "")
    head = head or str(payload.get("after") or "") or (invocation.sha or "")
    if not base or not head or set(base) == {"0"}:
        raise UsageError(
            "needs a pull_request or push event, or the inputs `base-ref` and `head-ref`"
        )
    return base, head


class DependencyReview:
    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        try:
            return _review(invocation, console)
        except (UsageError, ForgeError) as error:
            return failed(f"conveyor/{NAME}: {error}")


def _review(invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
    chosen = settings(invocation)
    base, head = base_and_head(invocation)
    changes = dependency_changes(Path(invocation.workspace), base, head)
    added = [c for c in changes if c.change_type == "added"]
    if chosen.licence_check:
        _licences(invocation, added, chosen)
    if chosen.vulnerability_check:
        _vulnerabilities(invocation, added, console)
    failing = _failures(added, chosen)
    console.log(f"conveyor/{NAME}: {base[:12]}...{head[:12]}: {len(changes)} change(s)")
    text = comment(changes, failing, chosen.fail_on_severity)
    _comment(invocation, console, text, failing, chosen.comment_mode)
    status = Conclusion.FAILURE if failing and not chosen.warn_only else Conclusion.SUCCESS
    error = f"conveyor/{NAME}: " + "; ".join(failing) if status is Conclusion.FAILURE else None
    return ActionOutcome(
        status, outputs(changes, text), error=error, summary=summary(changes, failing),
        annotations=finding_annotations(
            changes, chosen.fail_on_severity, chosen.policy.active or chosen.fail_on_unknown
        ),
    )  # fmt: skip


def _licences(invocation: ActionInvocation, added: list[Change], chosen: Settings) -> None:
    data_file = invocation.input("license-data")
    python = None
    if flag(invocation, "installed-licenses", True):
        python = job_python(invocation.env.get("PATH") or os.environ.get("PATH"))
    data = LicenceData.of(Path(invocation.workspace, data_file) if data_file else None, python)
    for change in added:
        raw, change.licence_source = data.licence(change.dependency)
        change.licence = canonical(raw) if raw else None
        if raw is None:
            change.licence_problem = "unlicensed"
        elif change.licence is None:
            change.licence, change.licence_problem = raw, "unresolved"
        elif chosen.policy.active and not chosen.policy.permits(change.licence):
            change.licence_problem = "forbidden"


def _vulnerabilities(
    invocation: ActionInvocation, added: list[Change], console: ActionConsole
) -> None:
    location = invocation.input("osv-data") or invocation.env.get(OSV_SETTING, "")
    if not location:
        console.log(f"conveyor/{NAME}: no OSV data (input `osv-data`): vulnerabilities not checked")
        return
    database = OsvDatabase.load(str(Path(invocation.workspace, location)))
    for change in added:
        change.advisories = database.advisories(change.dependency)


def _failures(added: list[Change], chosen: Settings) -> list[str]:
    """What fails the review, one sentence per kind."""
    counted = [c for c in added if c.dependency.scope in chosen.fail_on_scopes]
    floor = LEVELS.index(chosen.fail_on_severity)
    ids = sorted({
        a.id for c in counted for a in c.advisories
        if a.severity == "unknown" or LEVELS.index(a.severity) >= floor
    })  # fmt: skip
    forbidden = [_named(c) for c in counted if c.licence_problem == "forbidden"]
    unknown = [_named(c) for c in counted if c.licence_problem in ("unresolved", "unlicensed")]
    found = []
    if ids:
        found.append(f"vulnerable package(s): {', '.join(ids)}")
    if forbidden:
        found.append(f"licence(s) not allowed: {', '.join(forbidden)}")
    if unknown and chosen.fail_on_unknown:
        found.append(f"unknown licence(s): {', '.join(unknown)}")
    return found


def _named(change: Change) -> str:
    licence = f" ({change.licence})" if change.licence else ""
    return f"{change.dependency.name}@{change.dependency.version}{licence}"


def _comment(
    invocation: ActionInvocation,
    console: ActionConsole,
    text: str,
    failing: list[str],
    mode: str,
) -> None:
    pull = pull_request(invocation)
    if pull is None or mode == "never" or (mode == "on-failure" and not failing):
        return
    rest = ForgeRest(ForgeTarget.of(invocation), console)
    try:
        done = sticky_comment(rest, pull.number, NAME, text)
    finally:
        rest.close()
    console.log(f"conveyor/{NAME}: comment {done} on #{pull.number}")
