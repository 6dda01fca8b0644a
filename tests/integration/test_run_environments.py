"""Environments under `conveyor run`: required reviewers (approve/reject from another process),
environment secrets and variables, deployment records, branch policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_run_history import (
    Running,
    conveyor,
    make_repo,
    run_by_id,
    run_id_in,
)

pytestmark = pytest.mark.integration

RELEASE = """
name: Release
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "run-id=${{ github.run_id }}"
          echo "build sees [${{ secrets.DEPLOY_KEY }}] [${{ vars.REGION }}]"
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: production
      url: https://example.invalid/${{ steps.go.outputs.slot }}
    env:
      KEY: ${{ secrets.DEPLOY_KEY }}
    steps:
      - id: go
        run: |
          touch "{shared}/deployed"
          echo "deploying with $KEY to ${{ vars.REGION }}"
          test "$KEY" = "key-for-production"
          echo "slot=blue" >> "$GITHUB_OUTPUT"
"""

REVIEWED = """
[environments.production]
required_reviewers = ["alice"]
"""


def release_repo(tmp_path: Path, config: str = REVIEWED) -> tuple[Path, Path]:
    shared = tmp_path / "shared"
    shared.mkdir()
    files = {
        ".github/workflows/release.yml": RELEASE.replace("{shared}", str(shared)),
        "conveyor.toml": config,
    }
    repo = make_repo(tmp_path / "repo", files)
    secret = conveyor(
        repo, "secrets", "set", "DEPLOY_KEY", "--env", "production", stdin="key-for-production"
    )
    assert secret.code == 0, secret.err
    assert conveyor(repo, "vars", "set", "REGION", "eu-west", "--env", "production").code == 0
    return repo, shared


def test_a_job_waits_for_approval_and_gets_its_environment_once_approved(tmp_path: Path) -> None:
    repo, shared = release_repo(tmp_path)
    running = Running(repo, "run")
    try:
        running.wait_for("approve:  conveyor approve")
        run_id = run_id_in(running.output)
        assert f"conveyor approve {run_id} --env production" in running.output
        assert f"conveyor reject {run_id} --env production" in running.output
        assert run_by_id(repo, run_id)["status"] == "waiting"
        assert not (shared / "deployed").exists()
        approved = conveyor(repo, "approve", str(run_id), "--env", "production", "--as", "alice")
        assert approved.code == 0, approved.err
        assert running.finish() == 0, running.output
    finally:
        running.stop()
    output = running.output
    assert "build sees [] []" in output  # environment secrets and variables: that job only
    assert "deploying with *** to eu-west" in output
    assert "key-for-production" not in output
    assert run_by_id(repo, run_id)["conclusion"] == "success"
    listed = conveyor(repo, "deployments", "production", "--json")
    (deployment,) = json.loads(listed.out)
    assert (deployment["run_id"], deployment["job"], deployment["status"]) == (
        run_id,
        "deploy",
        "success",
    )
    assert deployment["url"] == "https://example.invalid/blue"
    assert "success" in conveyor(repo, "deployments", "production").out


def test_a_rejected_deployment_fails_its_job(tmp_path: Path) -> None:
    repo, shared = release_repo(tmp_path)
    running = Running(repo, "run")
    try:
        running.wait_for("reject:   conveyor reject")
        run_id = run_id_in(running.output)
        rejected = conveyor(
            repo, "reject", str(run_id), "--env", "production", "--as", "alice", "-m", "not today"
        )
        assert rejected.code == 0, rejected.err
        assert running.finish() == 1, running.output
    finally:
        running.stop()
    assert "alice rejected the deployment to production: not today" in running.output
    assert not (shared / "deployed").exists()
    assert run_by_id(repo, run_id)["conclusion"] == "failure"
    assert json.loads(conveyor(repo, "deployments", "production", "--json").out) == []


def test_a_branch_that_may_not_deploy_fails_at_once(tmp_path: Path) -> None:
    config = '[environments.production]\ndeployment_branches = ["release/*"]\n'
    repo, shared = release_repo(tmp_path, config)
    done = conveyor(repo, "run")
    assert done.code == 1
    assert "branch 'main' may not deploy to this environment (allowed: release/*)" in done.out
    assert not (shared / "deployed").exists()
