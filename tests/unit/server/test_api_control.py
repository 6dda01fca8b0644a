"""Cancel, re-run and deployment reviews over real HTTP (RunControl is the fake: the engine's
side is the bootstrap's, tested there)."""

from __future__ import annotations

from conveyor.engine.ports.store import Conclusion, NewJob, NewRun, ProtectionRules, RunStatus
from tests.unit.server.conftest import Api


def test_cancel_an_active_run_and_not_a_finished_one(api: Api) -> None:
    active = api.store.runs.create_run(NewRun("o/r", "CI", "ci.yml", "push"))
    done = api.store.runs.create_run(NewRun("o/r", "CI", "ci.yml", "push"))
    api.store.runs.finish_run(done.id, Conclusion.SUCCESS)
    with api.client("write") as client:
        accepted = client.post(f"/api/v1/runs/{active.id}/cancel")
        assert accepted.status_code == 202
        assert accepted.json() == {
            "run_id": active.id,
            "cancelled": True,
        }
        finished = client.post(f"/api/v1/runs/{done.id}/cancel")
        assert finished.status_code == 409
        assert "completed" in finished.json()["message"]
        assert client.post("/api/v1/runs/77/cancel").status_code == 404
    assert api.control.cancelled == [active.id]


def test_rerun_all_failed_and_one_job(api: Api) -> None:
    run = api.store.runs.create_run(NewRun("o/r", "CI", "ci.yml", "push"))
    api.store.runs.start_job(run.id, 1, NewJob("build", "build", "build"))
    with api.client("write") as client:
        busy = client.post(f"/api/v1/runs/{run.id}/rerun")
        assert busy.status_code == 409
        assert "still" in busy.json()["message"]
        api.store.runs.finish_run(run.id, Conclusion.FAILURE)
        assert client.post(f"/api/v1/runs/{run.id}/rerun").status_code == 201
        assert client.post(f"/api/v1/runs/{run.id}/rerun-failed-jobs").status_code == 201
        one = client.post(f"/api/v1/runs/{run.id}/rerun", json={"job": "build"})
        assert one.status_code == 201
        assert one.json()["attempt_of"] == run.id
        unknown = client.post(f"/api/v1/runs/{run.id}/rerun", json={"job": "nope"})
        assert unknown.status_code == 404
    assert api.control.reruns == [
        (run.id, False, None),
        (run.id, True, None),
        (run.id, False, "build"),
    ]


def test_rerun_a_matrix_leg_by_its_name_reruns_its_job(api: Api) -> None:
    run = api.store.runs.create_run(NewRun("o/r", "CI", "ci.yml", "push"))
    api.store.runs.start_job(run.id, 1, NewJob("test (3.11)", "test", "test (3.11)"))
    api.store.runs.finish_run(run.id, Conclusion.FAILURE)
    with api.client("write") as client:
        leg = client.post(f"/api/v1/runs/{run.id}/rerun", json={"job": "test (3.11)"})
        assert leg.status_code == 201, leg.text
        assert client.post(f"/api/v1/runs/{run.id}/rerun", json={"job": "test"}).status_code == 201
    assert api.control.reruns == [(run.id, False, "test"), (run.id, False, "test")]


def waiting_run(api: Api, actor: str) -> int:
    rules = ProtectionRules(required_reviewers=("bob", "alice"), prevent_self_review=True)
    api.store.environments.declare_environment("o/r", "production", rules)
    run = api.store.runs.create_run(NewRun("o/r", "Deploy", "deploy.yml", "push", actor=actor))
    api.store.runs.set_run_status(run.id, RunStatus.WAITING)
    api.store.environments.request_approval(run.id, 1, "production")
    return run.id


def test_only_a_required_reviewer_approves_and_never_their_own_run(api: Api) -> None:
    run_id = waiting_run(api, actor="alice")
    path = f"/api/v1/runs/{run_id}/approvals/production/approve"
    own = api.client(None)
    own.headers["Authorization"] = f"Bearer {api.token('alice', 'write')}"
    other = api.client(None)
    other.headers["Authorization"] = f"Bearer {api.token('carol', 'write')}"
    bob = api.client(None)
    bob.headers["Authorization"] = f"Bearer {api.token('bob', 'write')}"
    with own, other, bob:
        self_review = own.post(path, json={"comment": "mine"})
        assert self_review.status_code == 403
        assert "self-review" in self_review.json()["message"]
        stranger = other.post(path)
        assert stranger.status_code == 403
        assert "not a required reviewer" in stranger.json()["message"]
        approved = bob.post(path, json={"comment": "ship it"})
        assert approved.status_code == 200, approved.text
        assert (approved.json()["state"], approved.json()["reviewer"]) == ("approved", "bob")
        assert approved.json()["comment"] == "ship it"
        again = bob.post(path)
        assert again.status_code == 409
        assert "not waiting" in again.json()["message"]
        listed = bob.get(f"/api/v1/runs/{run_id}/approvals").json()["approvals"]
    assert [(a["environment"], a["state"]) for a in listed] == [("production", "approved")]


def test_reject_with_a_comment(api: Api) -> None:
    run_id = waiting_run(api, actor="alice")
    with api.client(None) as bob:
        bob.headers["Authorization"] = f"Bearer {api.token('bob', 'write')}"
        other_env = bob.post(f"/api/v1/runs/{run_id}/approvals/staging/reject")
        assert other_env.status_code == 409
        rejected = bob.post(
            f"/api/v1/runs/{run_id}/approvals/Production/reject", json={"comment": "not today"}
        )
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["state"], rejected.json()["comment"]) == ("rejected", "not today")
    decided = api.store.environments.get_approval(run_id, 1, "production")
    assert decided is not None
    assert decided.reviewer == "bob"
