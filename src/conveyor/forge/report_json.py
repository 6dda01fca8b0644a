"""Reports as JSON text and back (what the retry queue stores): plain fields, no secrets (the
summaries and annotation messages are already masked by the job)."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from typing import Any

from conveyor.engine.ports.forge import (
    AnnotationLevel,
    CheckAnnotation,
    CheckConclusion,
    CheckRunReport,
    CheckStatus,
    CommitState,
    CommitStatusReport,
)


def check_json(report: CheckRunReport) -> str:
    return json.dumps(asdict(report), separators=(",", ":"))


def check_from_json(text: str) -> CheckRunReport:
    data: dict[str, Any] = json.loads(text)
    annotations = tuple(
        replace(CheckAnnotation(**one), level=AnnotationLevel(one["level"]))
        for one in data.pop("annotations", [])
    )
    conclusion = data.pop("conclusion", None)
    return CheckRunReport(
        **data | {"status": CheckStatus(data["status"])},
        conclusion=CheckConclusion(conclusion) if conclusion else None,
        annotations=annotations,
    )


def status_json(report: CommitStatusReport) -> str:
    return json.dumps(asdict(report), separators=(",", ":"))


def status_from_json(text: str) -> CommitStatusReport:
    data: dict[str, Any] = json.loads(text)
    return CommitStatusReport(**data | {"state": CommitState(data["state"])})
