"""A repository's secrets, variables, environments and deployments
(`/api/v1/repos/{owner}/{repo}/…`).

Reading needs a read token; changing needs an admin token. A secret's value is write-only: no
endpoint returns it (`GET .../secrets` lists names and dates)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response
from pydantic import BaseModel, Field

from conveyor.engine.ports.store import ProtectionRules
from conveyor.server.api.runs import Context, Reader
from conveyor.server.api.schemas import (
    Deployment,
    DeploymentList,
    Environment,
    EnvironmentList,
    Rules,
    Secret,
    SecretList,
    Variable,
    VariableList,
    iso,
)
from conveyor.server.auth import require
from conveyor.server.errors import ERRORS
from conveyor.server.principals import Role
from conveyor.store.protection import check_environment_name, check_rules
from conveyor.store.setting_names import check_name, check_value

router = APIRouter(prefix="/api/v1/repos/{owner}/{repo}", tags=["settings"], responses=ERRORS)
Admin = Annotated[object, Depends(require(Role.ADMIN))]
Part = Annotated[str, Path(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9._-]+$")]
# What check_environment_name and check_name accept, so the schema says it too.
# Whitespace spelled out (str.strip's): `\s` differs between Python's and JSON Schema's regexes.
SPACE = r"\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
EDGE = rf"[^\x00-\x1f/\\{SPACE}]"
ENV_PATTERN = rf"^{EDGE}(?:[^\x00-\x1f/\\]*{EDGE})?$"
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"  # and not GITHUB_… (400: no look-ahead in pydantic)
EnvName = Annotated[str, Path(min_length=1, max_length=255, pattern=ENV_PATTERN)]
Scope = Annotated[
    str | None,
    Query(min_length=1, max_length=255, pattern=ENV_PATTERN, description="An environment."),
]
Name = Annotated[str, Path(min_length=1, max_length=255, pattern=NAME_PATTERN)]


class SecretValue(BaseModel):
    value: str = Field(max_length=49_152, description="Write-only: never returned.")


class VariableValue(BaseModel):
    value: str = Field(max_length=49_152)


def environment_scope(environment: str | None) -> str | None:
    return None if environment is None else check_environment_name(environment)


@router.get("/secrets", response_model=SecretList)
def list_secrets(
    owner: Part, repo: Part, _: Reader, ctx: Context, environment: Scope = None
) -> SecretList:
    """The secrets' names and dates (never a value)."""
    found = ctx.store.secrets.list_secrets(f"{owner}/{repo}", environment_scope(environment))
    return SecretList(
        secrets=[
            Secret(name=s.name, environment=s.environment, updated_at=iso(s.updated_at))
            for s in found
        ]
    )


@router.put("/secrets/{name}", status_code=204, response_class=Response)
def set_secret(
    owner: Part,
    repo: Part,
    name: Name,
    body: SecretValue,
    _: Admin,
    ctx: Context,
    environment: Scope = None,
) -> Response:
    key = check_name(name, "secret")
    check_value(body.value, "secret", key)
    ctx.store.secrets.set_secret(f"{owner}/{repo}", key, body.value, environment_scope(environment))
    return Response(status_code=204)


@router.delete("/secrets/{name}", status_code=204, response_class=Response)
def delete_secret(
    owner: Part, repo: Part, name: Name, _: Admin, ctx: Context, environment: Scope = None
) -> Response:
    key = check_name(name, "secret")
    if not ctx.store.secrets.delete_secret(f"{owner}/{repo}", key, environment_scope(environment)):
        raise HTTPException(404, f"there is no secret {key}")
    return Response(status_code=204)


@router.get("/variables", response_model=VariableList)
def list_variables(
    owner: Part, repo: Part, _: Reader, ctx: Context, environment: Scope = None
) -> VariableList:
    found = ctx.store.variables.list_variables(f"{owner}/{repo}", environment_scope(environment))
    return VariableList(
        variables=[
            Variable(
                name=v.name, value=v.value, environment=v.environment, updated_at=iso(v.updated_at)
            )
            for v in found
        ]
    )


@router.put("/variables/{name}", status_code=204, response_class=Response)
def set_variable(
    owner: Part,
    repo: Part,
    name: Name,
    body: VariableValue,
    _: Admin,
    ctx: Context,
    environment: Scope = None,
) -> Response:
    key = check_name(name, "variable")
    check_value(body.value, "variable", key)
    ctx.store.variables.set_variable(
        f"{owner}/{repo}", key, body.value, environment_scope(environment)
    )
    return Response(status_code=204)


@router.delete("/variables/{name}", status_code=204, response_class=Response)
def delete_variable(
    owner: Part, repo: Part, name: Name, _: Admin, ctx: Context, environment: Scope = None
) -> Response:
    key = check_name(name, "variable")
    if not ctx.store.variables.delete_variable(
        f"{owner}/{repo}", key, environment_scope(environment)
    ):
        raise HTTPException(404, f"there is no variable {key}")
    return Response(status_code=204)


@router.get("/environments", response_model=EnvironmentList)
def list_environments(owner: Part, repo: Part, _: Reader, ctx: Context) -> EnvironmentList:
    found = ctx.store.environments.list_environments(f"{owner}/{repo}")
    return EnvironmentList(environments=[Environment.of(record) for record in found])


@router.get("/environments/{environment}", response_model=Environment)
def get_environment(
    owner: Part, repo: Part, environment: EnvName, _: Reader, ctx: Context
) -> Environment:
    found = ctx.store.environments.get_environment(
        f"{owner}/{repo}", check_environment_name(environment)
    )
    if found is None:
        raise HTTPException(404, f"there is no environment {environment!r}")
    return Environment.of(found)


@router.put("/environments/{environment}", response_model=Environment)
def put_environment(
    owner: Part, repo: Part, environment: EnvName, rules: Rules, _: Admin, ctx: Context
) -> Environment:
    """Create an environment or replace its protection rules."""
    checked = check_rules(
        ProtectionRules(
            tuple(rules.required_reviewers),
            rules.prevent_self_review,
            rules.wait_timer_minutes,
            None if rules.deployment_branches is None else tuple(rules.deployment_branches),
            None if rules.deployment_tags is None else tuple(rules.deployment_tags),
        )
    )
    name = check_environment_name(environment)
    return Environment.of(
        ctx.store.environments.declare_environment(f"{owner}/{repo}", name, checked, "api")
    )


@router.delete("/environments/{environment}", status_code=204, response_class=Response)
def delete_environment(
    owner: Part, repo: Part, environment: EnvName, _: Admin, ctx: Context
) -> Response:
    if not ctx.store.environments.delete_environment(f"{owner}/{repo}", environment):
        raise HTTPException(404, f"there is no environment {environment!r}")
    return Response(status_code=204)


@router.get("/environments/{environment}/deployments", response_model=DeploymentList)
def list_deployments(
    owner: Part,
    repo: Part,
    environment: EnvName,
    _: Reader,
    ctx: Context,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> DeploymentList:
    found = ctx.store.environments.list_deployments(f"{owner}/{repo}", environment.lower(), limit)
    return DeploymentList(deployments=[Deployment.of(record) for record in found])
