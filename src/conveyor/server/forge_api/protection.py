"""Branch protection, GitHub's `required_status_checks` subset: `PUT`, `GET`, `DELETE
/repos/{owner}/{repo}/branches/{branch}/protection` (an admin token to change it; a job's token
never may: `administration` is not a `permissions:` scope). The checks named (by
`required_status_checks.contexts` or `.checks[].context`) must have succeeded on a pull
request's head before it is merged into the branch (`refuse_unmet`, used by the merge)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from conveyor.server.forge_api.access import caller
from conveyor.server.forge_api.bodies import JsonBody, answer, fields_of
from conveyor.server.forge_api.errors import github_error, validation_failed
from conveyor.server.forge_api.hosted import Hosted, hosted
from conveyor.server.principals import Principal, Role
from conveyor.store.forge_protections import BranchProtection, unmet_checks
from conveyor.store.forge_records import PullRecord

router = APIRouter(tags=["local forge"], include_in_schema=False)  # GitHub describes it
PROTECTION = "/api/v3/repos/{owner}/{repo}/branches/{branch:path}/protection"
Reader = Annotated[Principal, Depends(caller("read", "administration"))]
Repo = Annotated[Hosted, Depends(hosted)]
R = "BranchProtection"


def admin(who: Annotated[Principal, Depends(caller("write", "administration"))]) -> Principal:
    if who.permissions is None and who.role < Role.ADMIN:
        raise github_error(403, "Resource not accessible by integration")
    return who


Admin = Annotated[Principal, Depends(admin)]


@router.put(PROTECTION)
def protect(branch: str, who: Admin, repo: Repo, body: JsonBody = None) -> JSONResponse:
    if repo.git().find_commit(f"refs/heads/{branch}") is None:
        raise github_error(404, "Branch not found")
    checks = required_checks(fields_of(body, R))
    return answer(shape(repo, repo.data.protections.protect(repo.name, branch, checks)))


@router.get(PROTECTION)
def protection(branch: str, who: Reader, repo: Repo) -> JSONResponse:
    found = repo.data.protections.get(repo.name, branch)
    if found is None:
        raise github_error(404, "Branch not protected")
    return answer(shape(repo, found))


@router.delete(PROTECTION)
def unprotect(branch: str, who: Admin, repo: Repo) -> Response:
    if not repo.data.protections.unprotect(repo.name, branch):
        raise github_error(404, "Branch not protected")
    return Response(status_code=204)


def required_checks(given: Mapping[str, Any]) -> list[str]:
    """The names in `required_status_checks` (`contexts` and `checks[].context`); none: null."""
    if "required_status_checks" not in given:
        raise validation_failed(R, "required_status_checks")
    required = given["required_status_checks"]
    if required is None:
        return []
    if not isinstance(required, dict):
        raise validation_failed(R, "required_status_checks", "invalid")
    contexts, checks = required.get("contexts") or [], required.get("checks") or []
    if not isinstance(contexts, list) or not isinstance(checks, list):
        raise validation_failed(R, "required_status_checks", "invalid")
    named = [*contexts, *(c.get("context") for c in checks if isinstance(c, dict))]
    if not all(isinstance(name, str) and name for name in named):
        raise validation_failed(R, "contexts", "invalid")
    return named


def shape(repo: Hosted, found: BranchProtection) -> dict[str, object]:
    url = f"{repo.api}/branches/{found.branch}/protection"
    checks_url = f"{url}/required_status_checks"
    return {
        "url": url,
        "enabled": True,
        "required_status_checks": {
            "url": checks_url,
            "enforcement_level": "non_admins",
            "strict": False,
            "contexts": list(found.required_checks),
            "checks": [{"context": name, "app_id": None} for name in found.required_checks],
            "contexts_url": f"{checks_url}/contexts",
        },
        "enforce_admins": {"url": f"{url}/enforce_admins", "enabled": False},
        "required_linear_history": {"enabled": False},
        "allow_force_pushes": {"enabled": True},
        "allow_deletions": {"enabled": True},
    }


def refuse_unmet(repo: Hosted, pull: PullRecord) -> None:
    """405 with GitHub's message while a check the base branch requires has not succeeded."""
    found = repo.data.protections.get(repo.name, pull.base_ref)
    if found is None or not found.required_checks:
        return
    checks = repo.data.checks
    unmet = unmet_checks(
        found.required_checks,
        checks.runs(repo.name, pull.head_sha),
        checks.statuses(repo.name, pull.head_sha),
    )
    if unmet:
        raise github_error(405, f'Required status check "{unmet[0].name}" is {unmet[0].state}.')
