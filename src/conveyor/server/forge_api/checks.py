"""Check runs: create and update one, get one and its annotations, list a ref's."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from conveyor.server.forge_api.access import caller
from conveyor.server.forge_api.bodies import (
    JsonBody,
    answer,
    choice,
    fields_of,
    required_text,
    text,
)
from conveyor.server.forge_api.check_shapes import annotation_objects, check_run
from conveyor.server.forge_api.errors import not_found, validation_failed
from conveyor.server.forge_api.hosted import Hosted, hosted
from conveyor.server.forge_api.paging import Paging, link_header, paging
from conveyor.server.forge_api.refs import commit_of_ref
from conveyor.server.principals import Principal
from conveyor.store.forge_records import Annotation, CheckRunFields, CheckRunRecord

router = APIRouter(tags=["local forge"], include_in_schema=False)  # GitHub describes it
REPOS = "/api/v3/repos/{owner}/{repo}"
RUN = REPOS + "/check-runs/{check_run_id}"
Reader = Annotated[Principal, Depends(caller("read", "checks"))]
Writer = Annotated[Principal, Depends(caller("write", "checks"))]
Repo = Annotated[Hosted, Depends(hosted)]
STATUSES = ("queued", "in_progress", "completed", "waiting", "requested", "pending")
CONCLUSIONS = (
    "action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale",
    "timed_out",
)  # fmt: skip
R = "CheckRun"


def _moment(given: Mapping[str, Any], name: str) -> float | None:
    raw = text(given, name, R)
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise validation_failed(R, name, "invalid") from None


def _annotations(output: Mapping[str, Any]) -> tuple[Annotation, ...]:
    found = output.get("annotations") or []
    try:
        return tuple(
            Annotation(a["path"], int(a["start_line"]), int(a["end_line"]),
                       a["annotation_level"], a["message"], a.get("title"))
            for a in found
        )  # fmt: skip
    except (KeyError, TypeError, ValueError):
        raise validation_failed(R, "output.annotations", "invalid") from None


def _fields(given: Mapping[str, Any]) -> CheckRunFields:
    output = fields_of(given.get("output"), R)
    return CheckRunFields(
        status=choice(given, "status", R, STATUSES),
        conclusion=choice(given, "conclusion", R, CONCLUSIONS),
        external_id=text(given, "external_id", R),
        details_url=text(given, "details_url", R),
        title=text(output, "title", R),
        summary=text(output, "summary", R),
        text=text(output, "text", R),
        annotations=_annotations(output),
        started_at=_moment(given, "started_at"),
        completed_at=_moment(given, "completed_at"),
        name=text(given, "name", R),
    )


def _run(repo: Hosted, run_id: int) -> CheckRunRecord:
    found = repo.data.checks.run(repo.name, run_id)
    if found is None:
        raise not_found()
    return found


@router.post(REPOS + "/check-runs")
def create_check_run(who: Writer, repo: Repo, body: JsonBody = None) -> JSONResponse:
    given = fields_of(body, R)
    name = required_text(given, "name", R)
    head_sha = required_text(given, "head_sha", R)
    made = repo.data.checks.create_run(repo.name, head_sha, name, _fields(given))
    return answer(check_run(repo, made), 201)


@router.patch(RUN)
def update_check_run(
    check_run_id: int, who: Writer, repo: Repo, body: JsonBody = None
) -> JSONResponse:
    _run(repo, check_run_id)
    changed = repo.data.checks.update_run(repo.name, check_run_id, _fields(fields_of(body, R)))
    if changed is None:
        raise not_found()
    return answer(check_run(repo, changed))


@router.get(RUN)
def get_check_run(check_run_id: int, who: Reader, repo: Repo) -> JSONResponse:
    return answer(check_run(repo, _run(repo, check_run_id)))


@router.get(RUN + "/annotations")
def list_annotations(check_run_id: int, who: Reader, repo: Repo) -> JSONResponse:
    return answer(annotation_objects(repo, _run(repo, check_run_id)))


@router.get(REPOS + "/commits/{ref:path}/check-runs")
def list_check_runs(
    ref: str, request: Request, who: Reader, repo: Repo,
    page: Annotated[Paging, Depends(paging)],
) -> JSONResponse:  # fmt: skip
    runs = repo.data.checks.runs(repo.name, commit_of_ref(repo, ref))
    name, state = request.query_params.get("check_name"), request.query_params.get("status")
    runs = [r for r in runs if (name is None or r.name == name) and state in (None, r.status)]
    shown = [check_run(repo, r) for r in runs[page.offset : page.offset + page.per_page]]
    body = {"total_count": len(runs), "check_runs": shown}
    return answer(body, headers=link_header(request, page, len(runs)))
