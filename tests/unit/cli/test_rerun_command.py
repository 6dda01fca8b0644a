from __future__ import annotations

import pytest

from conveyor.cli import rerun_command
from conveyor.engine.ports.store import NewJob
from conveyor.model.results import Conclusion, JobResult
from conveyor.store import StoreHandle
from tests.unit.store.cli_helpers import Cli, make_cli, make_store
from tests.unit.store.conftest import new_run

cli_fixture = pytest.fixture(name="cli")(make_cli)
store_fixture = pytest.fixture(name="store")(make_store)


def finished_run(store: StoreHandle, **results: Conclusion) -> int:
    run = store.runs.create_run(new_run(event_payload={"after": "abc"}, inputs={"x": 1}))
    for key, status in results.items():
        store.runs.start_job(run.id, 1, NewJob(key, key.split("-")[0], key))
        store.runs.finish_job(run.id, 1, key, JobResult(status, outputs={"o": key}))
    store.runs.finish_run(run.id, Conclusion.FAILURE)
    return run.id


@pytest.fixture
def plans(monkeypatch: pytest.MonkeyPatch) -> list[rerun_command.RerunPlan]:
    seen: list[rerun_command.RerunPlan] = []

    def launch(store: StoreHandle, plan: rerun_command.RerunPlan) -> int:
        seen.append(plan)
        return 0

    monkeypatch.setattr(rerun_command, "launcher", lambda: launch)
    return seen


def test_failed_reruns_the_failed_jobs_and_offers_the_passed_ones(
    cli: Cli, store: StoreHandle, plans: list[rerun_command.RerunPlan]
) -> None:
    run_id = finished_run(
        store,
        build=Conclusion.SUCCESS,
        **{"test-a": Conclusion.FAILURE, "lint": Conclusion.CANCELLED},
    )
    assert cli("rerun", str(run_id), "--failed").code == 0
    (plan,) = plans
    assert plan.rerun == {"test", "lint"}
    assert [job.instance_key for job in plan.passed] == ["build"]
    assert plan.request.event_payload == {"after": "abc"}
    assert plan.request.inputs == {"x": 1}


def test_job_and_all_modes(
    cli: Cli, store: StoreHandle, plans: list[rerun_command.RerunPlan]
) -> None:
    run_id = finished_run(store, build=Conclusion.SUCCESS, test=Conclusion.FAILURE)
    assert cli("rerun", str(run_id), "--job", "build").code == 0
    assert cli("rerun", str(run_id)).code == 0
    assert plans[0].rerun == {"build"}
    assert (plans[1].rerun, plans[1].passed) == (None, ())


def test_rerun_refuses_what_it_cannot_do(
    cli: Cli, store: StoreHandle, plans: list[rerun_command.RerunPlan]
) -> None:
    green = finished_run(store, build=Conclusion.SUCCESS)
    assert "no failed jobs" in cli("rerun", str(green), "--failed").err
    assert "no job 'deploy'" in cli("rerun", str(green), "--job", "deploy").err
    assert "there is no run 4242" in cli("rerun", "4242").err
    assert cli("rerun", str(green), "--failed", "--job", "build").code == 2
    running = store.runs.create_run(new_run())
    busy = cli("rerun", str(running.id))
    assert busy.code == 2
    assert "still queued" in busy.err
    assert plans == []
