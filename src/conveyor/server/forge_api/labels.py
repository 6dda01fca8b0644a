"""Labels: the repository's (list, create) and an issue's (list, add, set, remove). Labelling a
pull request fires `pull_request` labeled/unlabeled."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from conveyor.errors import UsageError
from conveyor.server.forge_api import pull_actions
from conveyor.server.forge_api.access import caller
from conveyor.server.forge_api.bodies import (
    JsonBody,
    answer,
    fields_of,
    names,
    required_text,
    text,
)
from conveyor.server.forge_api.errors import not_found, validation_failed
from conveyor.server.forge_api.hosted import Hosted, hosted
from conveyor.server.forge_api.issues import ISSUES, SCOPES, find
from conveyor.server.forge_api.shapes import label
from conveyor.server.principals import Principal
from conveyor.store.forge_labels import DEFAULT_COLOR
from conveyor.store.forge_records import IssueRecord, LabelRecord

router = APIRouter(tags=["local forge"], include_in_schema=False)  # GitHub describes it
LABELS = "/api/v3/repos/{owner}/{repo}/labels"
ISSUE_LABELS = ISSUES + "/{number}/labels"
Reader = Annotated[Principal, Depends(caller("read", *SCOPES))]
Writer = Annotated[Principal, Depends(caller("write", *SCOPES))]
Repo = Annotated[Hosted, Depends(hosted)]
_COLOR = re.compile(r"^[0-9a-fA-F]{6}$")


def _shown(repo: Hosted, labels: list[LabelRecord]) -> list[dict[str, object]]:
    return [label(repo, each) for each in labels]


@router.get(LABELS)
def list_repository_labels(who: Reader, repo: Repo) -> JSONResponse:
    return answer(_shown(repo, repo.data.labels.listing(repo.name)))


@router.post(LABELS)
def create_label(who: Writer, repo: Repo, body: JsonBody = None) -> JSONResponse:
    given = fields_of(body, "Label")
    name = required_text(given, "name", "Label")
    color = (text(given, "color", "Label") or DEFAULT_COLOR).removeprefix("#")
    if not _COLOR.match(color):
        raise validation_failed("Label", "color", "invalid")
    try:
        made = repo.data.labels.create(repo.name, name, color, text(given, "description", "Label"))
    except UsageError:
        raise validation_failed("Label", "name", "already_exists") from None
    return answer(label(repo, made), 201, {"Location": f"{repo.api}/labels/{name}"})


@router.get(ISSUE_LABELS)
def list_issue_labels(number: int, who: Reader, repo: Repo) -> JSONResponse:
    return answer(_shown(repo, list(find(repo, number).labels)))


@router.post(ISSUE_LABELS)
def add_labels(number: int, who: Writer, repo: Repo, body: JsonBody = None) -> JSONResponse:
    found = find(repo, number)
    after = repo.data.labels.add(found.id, repo.name, names(body, "Label"))
    _fire(repo, found, after, who.name)
    return answer(_shown(repo, after))


@router.put(ISSUE_LABELS)
def set_labels(number: int, who: Writer, repo: Repo, body: JsonBody = None) -> JSONResponse:
    found = find(repo, number)
    after = repo.data.labels.set(found.id, repo.name, names(body, "Label"))
    _fire(repo, found, after, who.name)
    return answer(_shown(repo, after))


@router.delete(ISSUE_LABELS + "/{name:path}")  # `size/L`: %2F arrives decoded
def remove_label(number: int, name: str, who: Writer, repo: Repo) -> JSONResponse:
    found = find(repo, number)
    if not repo.data.labels.remove(found.id, repo.name, name):
        raise not_found()
    after = repo.data.labels.for_issue(found.id)
    _fire(repo, found, after, who.name)
    return answer(_shown(repo, after))


def _fire(repo: Hosted, before: IssueRecord, after: list[LabelRecord], sender: str) -> None:
    if before.is_pull:
        pull_actions.labels_changed(repo, before, after, sender)
