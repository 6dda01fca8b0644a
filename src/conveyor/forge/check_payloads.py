"""The JSON bodies of GitHub's check-run and commit-status requests, from the port's reports:
the summary cut to GitHub's 65535-character limit, annotations in batches of 50 (the most one
request may carry)."""

from __future__ import annotations

from collections.abc import Sequence

from conveyor.engine.ports.forge import (
    CheckAnnotation,
    CheckRunReport,
    CheckStatus,
    CommitStatusReport,
)

OUTPUT_LIMIT = 65535  # characters of output.summary and output.text
ANNOTATIONS_PER_REQUEST = 50
DESCRIPTION_LIMIT = 140  # a commit status's description
TRUNCATED = "\n\n… (truncated)"


def truncated(text: str, limit: int = OUTPUT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - len(TRUNCATED)] + TRUNCATED


def annotation_body(annotation: CheckAnnotation) -> dict[str, object]:
    body: dict[str, object] = {
        "path": annotation.path,
        "start_line": annotation.start_line,
        "end_line": max(annotation.end_line, annotation.start_line),
        "annotation_level": str(annotation.level),
        "message": truncated(annotation.message, 64 * 1024) or "-",
    }
    if annotation.title:
        body["title"] = annotation.title[:255]
    return body


def output_body(
    report: CheckRunReport, annotations: Sequence[CheckAnnotation]
) -> dict[str, object]:
    output: dict[str, object] = {
        "title": report.title or report.name,
        "summary": truncated(report.summary or f"{report.name}: {report.status}"),
    }
    if annotations:
        output["annotations"] = [annotation_body(one) for one in annotations]
    return output


def check_body(
    report: CheckRunReport, annotations: Sequence[CheckAnnotation], *, create: bool
) -> dict[str, object]:
    """The POST (create) or PATCH (update) body of the check run."""
    body: dict[str, object] = {
        "name": report.name,
        "external_id": report.external_id,
        "status": str(report.status),
        "output": output_body(report, annotations),
    }
    if create:
        body["head_sha"] = report.head_sha
    optional = {
        "details_url": report.details_url,
        "started_at": report.started_at,
        "completed_at": report.completed_at,
    }
    body.update({name: value for name, value in optional.items() if value})
    if report.status is CheckStatus.COMPLETED:
        body["conclusion"] = str(report.conclusion or "neutral")
    return body


def status_body(report: CommitStatusReport) -> dict[str, object]:
    body: dict[str, object] = {"state": str(report.state), "context": report.context}
    if report.description:
        body["description"] = report.description[:DESCRIPTION_LIMIT]
    if report.target_url:
        body["target_url"] = report.target_url
    return body
