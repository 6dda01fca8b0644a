"""Secrets (values write-only), variables, environments and deployments over real HTTP."""

from __future__ import annotations

from pathlib import Path

from conveyor.engine.ports.store import NewRun
from tests.unit.server.conftest import Api

R = "/api/v1/repos/o/r"
SECRET = "pa55-w0rd-never-shown"


def test_a_secret_value_is_write_only(api: Api, conveyor_home: Path) -> None:
    with api.client("admin") as admin:
        assert admin.put(f"{R}/secrets/deploy_key", json={"value": SECRET}).status_code == 204
        scoped = admin.put(
            f"{R}/secrets/KEY", params={"environment": "prod"}, json={"value": SECRET}
        )
        assert scoped.status_code == 204
        listed = admin.get(f"{R}/secrets")
        in_env = admin.get(f"{R}/secrets", params={"environment": "prod"}).json()
        bad = admin.put(f"{R}/secrets/1bad", json={"value": "x"})
        assert bad.status_code == 422
        assert "path.name" in bad.json()["message"]
        reserved = admin.put(f"{R}/secrets/GITHUB_TOKEN", json={"value": "x"})
        assert reserved.status_code == 400
        assert "GITHUB_TOKEN" in reserved.json()["message"]
        assert admin.delete(f"{R}/secrets/DEPLOY_KEY").status_code == 204
        assert admin.delete(f"{R}/secrets/DEPLOY_KEY").status_code == 404
        openapi = admin.get("/openapi.json").text
    names = [(s["name"], s["environment"]) for s in listed.json()["secrets"]]
    assert names == [("DEPLOY_KEY", None), ("KEY", "prod")]
    assert [(s["name"], s["environment"]) for s in in_env["secrets"]] == [("KEY", "prod")]
    assert SECRET not in listed.text
    assert "value" not in listed.json()["secrets"][0]
    assert api.store.secrets.resolve_secrets("o/r", "prod") == {"KEY": SECRET}
    assert "SecretValue" in openapi
    database = b"".join(p.read_bytes() for p in conveyor_home.glob("conveyor.db*"))
    assert SECRET.encode() not in database


def test_variables(api: Api) -> None:
    with api.client("admin") as admin:
        assert admin.put(f"{R}/variables/region", json={"value": "eu"}).status_code == 204
        listed = admin.get(f"{R}/variables").json()["variables"]
        assert admin.delete(f"{R}/variables/REGION").status_code == 204
        assert admin.get(f"{R}/variables").json() == {"variables": []}
    assert [(v["name"], v["value"]) for v in listed] == [("REGION", "eu")]


def test_environments_and_deployments(api: Api) -> None:
    rules = {
        "required_reviewers": ["bob"],
        "prevent_self_review": True,
        "deployment_branches": ["main"],
    }
    with api.client("admin") as admin:
        put = admin.put(f"{R}/environments/Production", json=rules)
        assert put.status_code == 200, put.text
        assert put.json()["rules"]["required_reviewers"] == ["bob"]
        got = admin.get(f"{R}/environments/production").json()
        assert got["rules"]["deployment_branches"] == ["main"]
        assert got["rules"]["prevent_self_review"]
        assert [e["name"] for e in admin.get(f"{R}/environments").json()["environments"]] == [
            "Production"
        ]
        too_many = admin.put(f"{R}/environments/x", json={"required_reviewers": list("abcdefg")})
        assert too_many.status_code == 422
        assert admin.get(f"{R}/environments/nowhere").status_code == 404
        run = api.store.runs.create_run(
            NewRun("o/r", "Deploy", "d.yml", "push", ref="refs/heads/main", sha="a" * 40)
        )
        api.store.environments.record_deployment(run.id, 1, "deploy", "production", "success")
        deployments = admin.get(f"{R}/environments/production/deployments").json()["deployments"]
        assert admin.delete(f"{R}/environments/production").status_code == 204
    assert [(d["run_id"], d["job"], d["status"], d["sha"]) for d in deployments] == [
        (run.id, "deploy", "success", "a" * 40)
    ]


def test_metrics_in_prometheus_text_format(api: Api, recorded_repo: Path) -> None:
    api.store.runs.create_run(NewRun("o/r", "CI", "ci.yml", "push"))
    api.context.webhook_deliveries["accepted"] += 2
    with api.client("read") as client:
        answer = client.get("/metrics")
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = answer.text.splitlines()
    assert 'conveyor_runs{status="completed",conclusion="failure"} 1' in lines
    assert 'conveyor_runs{status="queued"} 1' in lines
    assert "conveyor_queue_depth 0" in lines
    assert 'conveyor_job_duration_seconds_bucket{le="+Inf"} 2' in lines
    assert "conveyor_job_duration_seconds_count 2" in lines
    assert 'conveyor_webhook_deliveries_total{result="accepted"} 2' in lines
    assert "# TYPE conveyor_job_duration_seconds histogram" in lines
