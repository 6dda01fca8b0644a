"""Executor-level behaviour act's test corpus needs: single jobs of ../shared/act-corpus cases
(no matrix, no needs — the planner's conformance test covers whole workflows) run through
LocalExecutor with the corpus committed to a temporary git repository as the workspace."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conveyor.actions import default_registry
from conveyor.model.results import Conclusion, JobResult
from tests.integration.act_corpus_cases import JOB_FAILED, Case, load_cases
from tests.unit.executors.harness import (
    RecordingReporter,
    commit_all,
    git,
    run_job,
    workflow_documents,
)

pytestmark = pytest.mark.integration

# (case directory, workflow file, job ids or None for every job, expected result)
CASES = [
    ("act-composite-env-test", "push.yml", None, Conclusion.SUCCESS),
    ("checkout", "push.yml", None, Conclusion.SUCCESS),
    ("commands", "push.yml", None, Conclusion.SUCCESS),
    ("composite-fail-with-output", "push.yml", None, Conclusion.SUCCESS),
    ("defaults-run", "main.yaml", None, Conclusion.SUCCESS),
    ("dir with spaces", "push.yml", None, Conclusion.SUCCESS),
    ("do-not-leak-step-env-in-composite", "push.yml", None, Conclusion.SUCCESS),
    ("ensure-post-steps", "push.yml", None, Conclusion.FAILURE),
    ("env-and-path", "push.yaml", None, Conclusion.SUCCESS),
    ("environment-files", "push.yaml", None, Conclusion.SUCCESS),
    ("environment-files-parser-bug", "push.yaml", None, Conclusion.SUCCESS),
    ("if-expressions", "push.yml", ["mytest"], Conclusion.FAILURE),
    ("inputs-via-env-context", "push.yml", None, Conclusion.SUCCESS),
    ("local-action-js", "push.yml", None, Conclusion.SUCCESS),
    ("mask-values", "push.yml", None, Conclusion.SUCCESS),
    ("nix-prepend-path", "push.yml", None, Conclusion.SUCCESS),
    ("non-existent-action", "push.yml", None, Conclusion.FAILURE),
    ("outputs", "push.yml", ["build_output"], Conclusion.SUCCESS),
    ("post-step-failure-is-job-failure", "push.yml", None, Conclusion.FAILURE),
    ("set-env-new-env-file-per-step", "push.yml", None, Conclusion.SUCCESS),
    ("set-env-step-env-override", "push.yml", None, Conclusion.SUCCESS),
    ("steps-context/conclusion", "push.yml", None, Conclusion.SUCCESS),
    ("steps-context/outcome", "push.yml", None, Conclusion.SUCCESS),
    ("uses-composite", "push.yml", None, Conclusion.SUCCESS),
    ("uses-composite-check-for-input-collision", "push.yml", None, Conclusion.SUCCESS),
    ("uses-composite-check-for-input-shadowing", "push.yml", None, Conclusion.SUCCESS),
    ("uses-composite-with-error", "push.yml", None, Conclusion.FAILURE),
    ("uses-github-root", "push.yml", None, Conclusion.SUCCESS),
    ("workdir", "push.yml", ["workdir", "top-level-workdir"], Conclusion.SUCCESS),
    (
        "workflow_dispatch-scalar-composite-action",
        "workflow_dispatch.yml",
        None,
        Conclusion.SUCCESS,
    ),
]

# (case, act's error, job) -> the same error in conveyor's words: a regular expression matched
# against the job's steps ("step <name>: <conclusion>") and annotations ("<level> <message>").
ERROR_FORMS = {
    ("post-step-failure-is-job-failure", "post failure", "build"): (
        r"^step Post Run \./post-step-failure-is-job-failure/post-step-failure: failure$"
    ),
    (
        "no-panic-on-invalid-composite-action",
        "jobs failed due to invalid action",
        "local-invalid-step",
    ): (r"^error \S*/action\.yml:4:5: a composite step needs exactly one of 'run' and 'uses'$"),
    (
        "no-panic-on-invalid-composite-action",
        "jobs failed due to invalid action",
        "local-missing-steps",
    ): (r"^error \S*/action\.yml: missing steps in composite action$"),
}

PARTIAL_CASES = [
    ("shells/bash", "push.yml", ["check", "check-job-default"], Conclusion.SUCCESS),
    ("shells/sh", "push.yml", ["check", "check-job-default"], Conclusion.SUCCESS),
    ("shells/python", "push.yml", ["check", "check-job-default"], Conclusion.SUCCESS),
    ("shells/defaults", "push.yml", ["check"], Conclusion.SUCCESS),
    (
        "no-panic-on-invalid-composite-action",
        "push.yml",
        ["local-invalid-step", "local-missing-steps"],
        Conclusion.FAILURE,
    ),
]


def _corpus_repo(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    git(target, "init", "-q", "-b", "main")
    commit_all(target, "act corpus")
    return target


@pytest.fixture(scope="module")
def corpus_repo(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _corpus_repo(shared / "act-corpus" / "workflows", tmp_path_factory.mktemp("act") / "w")


@pytest.fixture(scope="module")
def partial_repo(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = shared / "act-corpus" / "workflows-partial"
    return _corpus_repo(source, tmp_path_factory.mktemp("act-partial") / "w")


Results = dict[str, tuple[JobResult, RecordingReporter]]


@pytest.fixture(scope="module")
def act_cases(shared: Path) -> dict[str, Case]:
    """What expected.json records for each case directory (its errors, log expectations)."""
    return {case.key: case for case in load_cases(shared)}


def _run_case(repo: Path, home: Path, case: str, workflow: str, jobs: list[str] | None) -> Results:
    documents = workflow_documents(repo, repo / case / workflow)
    results = {}
    for job_id, doc in documents.items():
        if jobs is None or job_id in jobs:
            results[job_id] = run_job(doc, home, actions=default_registry())
    return results


def _check(results: Results, expected: Conclusion, act: Case) -> None:
    """Successful jobs ran steps; failures are those act records (its errors, log_expect)."""
    assert results
    assert str(expected) == act.expect, "CASES disagrees with expected.json"
    shown = {job: reporter.text(every=True) for job, (_, reporter) in results.items()}
    if expected is Conclusion.SUCCESS:
        failing = {job: shown[job] for job, (r, _) in results.items() if r.result is not expected}
        assert not failing, failing
        idle = [job for job, (r, _) in results.items() if not _ran_a_step(r)]
        assert not idle, f"{idle} ran no step\n{shown}"
        return
    failed = {job for job, (result, _) in results.items() if result.result is Conclusion.FAILURE}
    assert failed, shown
    for error in act.errors:
        named = JOB_FAILED.match(error)
        if named:
            assert named["job"] in failed, f"act: {error}\n{shown}"
        else:
            _check_error(act.key, error, results)
    for what, value in act.log_expect:
        ((result, _),) = results.values()
        step = result.steps[0].conclusion if what == "first stepResult" else result.result
        assert str(step) == value, f"act: {what} {value}\n{shown}"


def _ran_a_step(result: JobResult) -> bool:
    return any(step.conclusion is not Conclusion.SKIPPED for step in result.steps)


def _check_error(key: str, error: str, results: Results) -> None:
    """act's error, in conveyor's words: a step's result or a job's error annotations."""
    for job, (result, reporter) in results.items():
        said = [f"step {s.name}: {s.conclusion}" for s in result.steps]
        said += [f"{a.level} {a.message}" for a in reporter.annotations]
        form = ERROR_FORMS[key, error, job]
        assert any(re.search(form, line) for line in said), f"act: {error}\n{job}: {said}"


@pytest.mark.parametrize(("case", "workflow", "jobs", "expected"), CASES, ids=[c[0] for c in CASES])
def test_act_case(
    corpus_repo: Path,
    act_cases: dict[str, Case],
    conveyor_home: Path,
    case: str,
    workflow: str,
    jobs: list[str] | None,
    expected: Conclusion,
) -> None:
    results = _run_case(corpus_repo, conveyor_home, case, workflow, jobs)
    _check(results, expected, act_cases[case])


@pytest.mark.parametrize(
    ("case", "workflow", "jobs", "expected"), PARTIAL_CASES, ids=[c[0] for c in PARTIAL_CASES]
)
def test_act_partial_case(
    partial_repo: Path,
    act_cases: dict[str, Case],
    conveyor_home: Path,
    case: str,
    workflow: str,
    jobs: list[str],
    expected: Conclusion,
) -> None:
    results = _run_case(partial_repo, conveyor_home, case, workflow, jobs)
    assert set(results) == set(jobs)
    for job, (result, reporter) in results.items():
        assert result.result is expected, (job, reporter.text(every=True))
    _check(results, expected, act_cases[case])


def test_mask_values_hides_masked_output(corpus_repo: Path, conveyor_home: Path) -> None:
    results = _run_case(corpus_repo, conveyor_home, "mask-values", "push.yml", None)
    ((result, reporter),) = results.values()
    assert result.result is Conclusion.SUCCESS
    printed = [line for _, line in reporter.lines if not line.startswith(("##[", "echo", "shell:"))]
    assert "secret value" not in "\n".join(printed)
    assert "YWJjCg==" not in "\n".join(printed)
