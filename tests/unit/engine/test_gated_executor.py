"""GatedExecutor: job-level concurrency groups and environments, over the fake store ports."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from conveyor.engine.gated_executor import GatedExecutor, JobControls, WatchedSignal
from conveyor.engine.job_environment import index_jobs, merged
from conveyor.engine.planner import plan_workflow
from conveyor.engine.ports.store import GroupTicket, NewRun, ProtectionRules
from conveyor.engine.records import RunRecord
from conveyor.engine.scope import RunScope, RunSettings
from conveyor.engine.session import RunRequest, RunSession
from conveyor.executors.fake import FakeExecutor, FakeJob
from conveyor.model.results import Conclusion
from conveyor.store.fake import (
    FakeConcurrencyGate,
    FakeEnvironmentStore,
    FakeRunStore,
    FakeSecretStore,
    FakeVariableStore,
)
from conveyor.store.protection_gate import ProtectionGate
from tests.unit.engine.conftest import Recorder, When, bounded, workflow_from

REPO = "/repo"


@dataclass
class Store:
    runs: FakeRunStore = field(default_factory=FakeRunStore)
    concurrency: FakeConcurrencyGate = field(default_factory=FakeConcurrencyGate)
    secrets: FakeSecretStore = field(default_factory=FakeSecretStore)
    variables: FakeVariableStore = field(default_factory=FakeVariableStore)
    environments: FakeEnvironmentStore = field(init=False)

    def __post_init__(self) -> None:
        self.environments = FakeEnvironmentStore(self.runs)
        self.runs.create_run(NewRun(REPO, "w", ".github/workflows/test.yml", "push", actor="bob"))

    def gate(self) -> ProtectionGate:
        return ProtectionGate(
            self.environments, self.secrets, self.variables, self.runs, poll_interval=0.01
        )


def run_gated(
    text: str,
    store: Store,
    executor: FakeExecutor,
    *,
    secrets: dict[str, str] | None = None,
    pinned: frozenset[str] = frozenset(),
    parallel: int = 4,
) -> tuple[RunRecord, Recorder]:
    workflow = workflow_from(text)
    plan = plan_workflow(workflow)
    scope = RunScope(
        run_id="1",
        workflow=workflow,
        github={"ref": "refs/heads/main", "actor": "bob"},
        secrets=dict(secrets or {}),
        env={"RUNNER": "r"},
        masks=tuple((secrets or {}).values()),
    )
    observer = Recorder()
    controls = JobControls(
        repository=REPO,
        runs=store.runs,
        concurrency=store.concurrency,
        deployments=store.gate(),
        environments=store.environments,
        jobs=index_jobs([(plan, scope.env)]),
        pinned_secrets=pinned,
        notify=observer.message,
        poll_interval=0.01,
    )
    gated = GatedExecutor(executor, controls)
    session = RunSession(gated, observer, RunSettings(REPO, parallel=parallel), poll_interval=0.01)
    return session.execute([RunRequest(plan, scope)]), observer


JOB_GROUP = """
on: push
jobs:
  ship:
    runs-on: x
    concurrency: target
    strategy: {matrix: {n: [1, 2]}}
    steps: [{run: echo}]
"""


def test_a_job_level_group_runs_its_jobs_one_at_a_time() -> None:
    store = Store()
    executor = FakeExecutor(default=FakeJob(duration=0.1))
    record, observer = run_gated(JOB_GROUP, store, executor, parallel=2)
    assert record.conclusion == "success"
    assert executor.max_active == 1
    assert any(
        "pending: another job holds concurrency group 'target'" in m for m in observer.messages
    )
    assert store.concurrency.groups[(REPO, "target")].running is None  # released


def test_a_pending_job_replaced_by_a_newer_one_ends_cancelled() -> None:
    store = Store()
    holder = GroupTicket(REPO, "target", "job:9:1:x", 9)
    store.concurrency.enter(holder, cancel_in_progress=False)
    newer = GroupTicket(REPO, "target", "job:9:1:y", 9)

    def queued() -> bool:  # this run's job waits behind the holder
        pending = store.concurrency.groups[(REPO, "target")].pending
        return pending is not None and pending != newer

    replacer = When(
        queued,
        lambda: store.concurrency.enter(newer, cancel_in_progress=False),
        unblock=lambda: store.concurrency.release(holder),
    )
    text = "on: push\njobs:\n  ship: {runs-on: x, concurrency: target, steps: [{run: echo}]}\n"
    executor = FakeExecutor()
    record, _ = bounded(lambda: run_gated(text, store, executor))
    replacer.check()
    (job,) = record.jobs
    assert (str(job.conclusion), executor.started) == ("cancelled", [])
    assert "replaced it while it was pending" in (job.error or "")


DEPLOY = """
on: push
jobs:
  build: {runs-on: x, steps: [{run: echo}]}
  deploy:
    runs-on: x
    environment:
      name: production
      url: https://example.invalid/${{ steps.s.outputs.slot }}
    env:
      KEY: ${{ secrets.DEPLOY_KEY }}
      REGION: ${{ vars.REGION }}
    steps: [{id: s, run: echo}]
"""


def test_an_approved_environment_brings_its_secrets_and_variables_to_its_job_only() -> None:
    store = Store()
    store.secrets.set_secret(REPO, "DEPLOY_KEY", "prod-key", "production")
    store.variables.set_variable(REPO, "REGION", "eu", "production")
    executor = FakeExecutor()
    record, _ = run_gated(DEPLOY, store, executor, secrets={"OTHER": "o"})
    assert record.conclusion == "success"
    build, deploy = executor.documents
    assert "DEPLOY_KEY" not in build.contexts["secrets"]  # type: ignore[operator]
    assert deploy.contexts["secrets"] == {"OTHER": "o", "DEPLOY_KEY": "prod-key"}
    assert deploy.env == {"RUNNER": "r", "KEY": "prod-key", "REGION": "eu"}
    assert "prod-key" in deploy.masks
    (deployment,) = store.environments.list_deployments(REPO, "production")
    assert (deployment.status, deployment.instance_key) == ("success", "deploy")
    assert deployment.url == "https://example.invalid/"  # FakeExecutor sets no step outputs


def test_the_command_line_secrets_win_over_the_environment() -> None:
    store = Store()
    store.secrets.set_secret(REPO, "DEPLOY_KEY", "prod-key", "production")
    executor = FakeExecutor()
    run_gated(
        DEPLOY, store, executor, secrets={"deploy_key": "flag"}, pinned=frozenset({"DEPLOY_KEY"})
    )
    deploy = executor.documents[1]
    assert deploy.contexts["secrets"] == {"deploy_key": "flag"}
    assert deploy.env["KEY"] == "flag"


def test_a_rejected_deployment_fails_the_job_without_running_it() -> None:
    store = Store()
    store.environments.declare_environment(REPO, "production", ProtectionRules(("alice",)))

    def reject() -> None:
        store.environments.decide_approval(
            1, "production", approve=False, reviewer="alice", comment="no"
        )

    reviewer = When(lambda: bool(store.environments.list_approvals(1)), reject, unblock=reject)
    executor = FakeExecutor()
    record, _ = bounded(lambda: run_gated(DEPLOY, store, executor))
    reviewer.check()
    assert executor.started == ["build"]
    deploy = next(job for job in record.jobs if job.view.job_id == "deploy")
    assert str(deploy.conclusion) == "failure"
    assert deploy.error == "alice rejected the deployment to production: no"
    assert store.environments.list_deployments(REPO, "production") == []


def test_a_failed_deployment_is_recorded_as_such() -> None:
    store = Store()
    executor = FakeExecutor({"deploy": FakeJob(result=Conclusion.FAILURE)})
    run_gated(DEPLOY, store, executor)
    (deployment,) = store.environments.list_deployments(REPO, "production")
    assert deployment.status == "failure"


def test_the_watched_signal_fires_for_a_request_for_its_job_only() -> None:
    runs = FakeRunStore()
    outer = threading.Event()
    signal = WatchedSignal(outer)
    watch = threading.Thread(target=signal.watch, args=(runs, 1, "ship"), kwargs={"interval": 0.01})
    watch.start()
    runs.request_cancel(1, "other")
    assert not signal.wait(0.1)
    runs.request_cancel(1, "ship")
    assert signal.wait(2)
    watch.join()
    everything = FakeRunStore()
    everything.request_cancel(1)  # the whole run: the scheduler's business, not the watch's
    quiet = WatchedSignal(threading.Event())
    threading.Timer(0.1, quiet.done.set).start()
    quiet.watch(everything, 1, "ship", interval=0.01)
    assert not quiet.is_set()


def test_merged_values_compare_names_without_case() -> None:
    assert merged({"token": "a", "X": "1"}, {"TOKEN": "b"}, ()) == {"X": "1", "TOKEN": "b"}
    assert merged({"token": "a"}, {"TOKEN": "b"}, {"TOKEN"}) == {"token": "a"}
