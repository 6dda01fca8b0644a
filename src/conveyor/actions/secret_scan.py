"""conveyor/secret-scan: the pull request's diff (base...head: only the lines it adds) or the
whole tree, scanned with detect-secrets' detectors and entropy rules (its default plugins and
filters, or the baseline's); findings not in the baseline (`.secrets.baseline`, detect-secrets'
format) are annotations at `path:line` and fail the step. A secret's value is never printed:
not in the log, the summary or the outputs (only its file, line and detector).
Inputs and outputs: docs/actions.md (conveyor/secret-scan)."""

from __future__ import annotations

import json
import re
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conveyor.actions.native_support import finding, flag, table
from conveyor.actions.secret_sources import Target, diff_targets, tree_targets
from conveyor.engine.ports.actions import ActionConsole, ActionInvocation, ActionOutcome, failed
from conveyor.errors import UsageError
from conveyor.model.results import Annotation, Conclusion

BASELINE = ".secrets.baseline"
_SETTINGS_LOCK = threading.Lock()  # detect-secrets keeps its settings in globals


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    line: int
    detector: str  # detect-secrets' type, e.g. "AWS Access Key"
    secret_hash: str  # never shown: only compared with the baseline's

    def shown(self) -> dict[str, object]:
        return {"file": self.path, "line": self.line, "type": self.detector}


def _baseline(invocation: ActionInvocation) -> tuple[str, dict[str, Any] | None]:
    named = invocation.input("baseline")
    path = Path(invocation.workspace, named or BASELINE)
    if not path.is_file():
        if named:
            raise UsageError(f"input `baseline`: {named} does not exist in the workspace")
        return "", None
    try:
        document = json.loads(path.read_text())
    except (ValueError, OSError) as error:
        raise UsageError(f"{named or BASELINE}: not a detect-secrets baseline ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("results"), dict):
        raise UsageError(f"{named or BASELINE}: not a detect-secrets baseline (no `results`)")
    return named or BASELINE, document


def _known(baseline: dict[str, Any] | None) -> set[tuple[str, str, str]]:
    if baseline is None:
        return set()
    return {
        (path, str(item.get("hashed_secret")), str(item.get("type")))
        for path, items in baseline["results"].items()
        for item in items
    }


def _settings(baseline: dict[str, Any] | None) -> AbstractContextManager[Any]:
    from detect_secrets.settings import default_settings, transient_settings

    if baseline is None or "plugins_used" not in baseline:
        return default_settings()
    return transient_settings(
        {key: baseline[key] for key in ("plugins_used", "filters_used") if key in baseline}
    )


def scan(root: Path, targets: list[Target], baseline: dict[str, Any] | None) -> list[Finding]:
    from detect_secrets.core import scan as detect

    found: list[Finding] = []
    with _SETTINGS_LOCK, _settings(baseline):
        for target in targets:
            try:
                secrets = list(detect.scan_file(str(root / target.path)))
            except (UnicodeDecodeError, OSError):
                continue  # not text: nothing to read
            found += [
                Finding(target.path, s.line_number, s.type, s.secret_hash)
                for s in secrets
                if target.lines is None or s.line_number in target.lines
            ]
    return sorted(found, key=lambda f: (f.path, f.line, f.detector))


def _targets(invocation: ActionInvocation, root: Path) -> tuple[str, list[Target]]:
    mode = invocation.input("scan", "auto").strip().lower()
    if mode not in ("auto", "diff", "tree"):
        raise UsageError(f"input `scan`: auto, diff or tree, got {mode!r}")
    base, head = _base_head(invocation)
    if mode == "diff" and not base:
        raise UsageError("input `scan: diff` needs `base` (or a pull_request event)")
    if mode == "tree" or not base:
        return "tree", tree_targets(root)
    return f"diff {base[:12]}...{head[:12]}", diff_targets(root, base, head or "HEAD")


def _base_head(invocation: ActionInvocation) -> tuple[str, str]:
    event = invocation.github.get("event")
    pull = event.get("pull_request") if isinstance(event, dict) else None
    pull = pull if isinstance(pull, dict) else {}
    base = invocation.input("base") or str((pull.get("base") or {}).get("sha") or "")
    head = invocation.input("head") or str((pull.get("head") or {}).get("sha") or "")
    return base, head


def _excluded(invocation: ActionInvocation) -> re.Pattern[str] | None:
    raw = invocation.input("exclude-files")
    try:
        return re.compile(raw) if raw else None
    except re.error as error:
        raise UsageError(f"input `exclude-files`: not a regular expression ({error})") from None


class SecretScan:
    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        try:
            return _scan(invocation, console)
        except UsageError as error:
            return failed(f"conveyor/secret-scan: {error}")


def _scan(invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
    root = Path(invocation.workspace)
    baseline_name, baseline = _baseline(invocation)
    what, targets = _targets(invocation, root)
    exclude = _excluded(invocation)
    targets = [
        t for t in targets if t.path != baseline_name and not (exclude and exclude.search(t.path))
    ]
    findings = scan(root, targets, baseline)
    known = _known(baseline)
    new = [f for f in findings if (f.path, f.secret_hash, f.detector) not in known]
    console.log(
        f"conveyor/secret-scan: {what}: {len(targets)} files, {len(new)} new findings, "
        f"{len(findings) - len(new)} in the baseline"
    )
    summary = _summary(what, len(targets), new, len(findings) - len(new))
    return _outcome(invocation, new, len(findings) - len(new), summary)


def _annotation(found: Finding) -> Annotation:
    message = f"{found.detector}: a potential secret (detect-secrets)"
    return finding("error", message, file=found.path, line=found.line, title="Secret detected")


def _outcome(
    invocation: ActionInvocation, new: list[Finding], baselined: int, summary: str
) -> ActionOutcome:
    outputs = {
        "findings": str(len(new)),
        "baselined": str(baselined),
        "findings-json": json.dumps([f.shown() for f in new]),
    }
    if new and flag(invocation, "fail-on-findings", True):
        message = (
            f"conveyor/secret-scan: {len(new)} new potential secret(s), see the "
            "annotations; audit false positives into the baseline "
            "(detect-secrets scan --baseline .secrets.baseline)"
        )
        status = Conclusion.FAILURE
    else:
        status, message = Conclusion.SUCCESS, None
    annotations = tuple(_annotation(found) for found in new)
    return ActionOutcome(status, outputs, error=message, summary=summary, annotations=annotations)


def _summary(what: str, files: int, new: list[Finding], baselined: int) -> str:
    rows = [[f"`{f.path}:{f.line}`", f.detector] for f in new]
    verdict = f"{len(new)} new potential secret(s)" if new else "no new potential secrets"
    text = f"## conveyor/secret-scan: {verdict}\n\n{what}: {files} files scanned"
    text += f", {baselined} finding(s) in the baseline\n"
    if rows:
        text += "\n" + table(["where", "detector"], rows)
    return text
