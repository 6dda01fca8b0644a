"""nektos/act's test corpus, replayed: every case of act-corpus/expected.json that runs offline.

Each case's directory tree (workflows/, workflows-partial/ or model-workflows/) is committed to a
temporary git repository, which is the repository conveyor runs; the case is run with
`conveyor run --json -W <case dir>` and the event, payload, secrets, env files, inputs, matrix
filter and job of its rows (tests/integration/act_corpus_cases.py), and must end as act's tests
expect, judged from the run record:

- success: exit 0, and jobs ran steps (`-j` cases: that job), none of them failing;
- failure: exit 1, and each error act records is the one conveyor reports: "Job 'x' failed" is
  job x's conclusion; other messages are conveyor's wording of the same error (ERROR_FORMS).
  act's `log_expect` (first step's result, job result) and `log_must_not_contain` are checked too.

The harness reproduces what act's tests run in: the repository's remote is nektos/act and its
user nektos/act (act's defaults for `github.repository` and the actor), `ACT=true` is in the env
(act sets it for every run; if-env-act checks it), and SHELL is removed from the environment
(act's cases run in a container where it is unset; defaults-run checks `$SHELL` the way bash
and sh set it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conveyor.cli import main as cli_main
from tests.conftest import shared_params
from tests.integration.act_corpus_cases import CORPUS, JOB_FAILED, ROOTS, Case, load_cases

pytestmark = pytest.mark.integration

COMMANDS = {"run": "conveyor.cli.run_command:run_command"}

# (case, act's error message) -> how conveyor reports the same error: a regular expression
# searched in the run's output (Outcome.text). act's messages are its own wording; these are
# conveyor's, with the file, line and column (or the job and step) they are about.
ERROR_FORMS: dict[tuple[str, str], str] = {
    ("empty-workflow", "unable to read workflow 'push.yml': file is empty: EOF"): (
        r"empty-workflow/push\.yml:1:1: error\[file-empty\]: the workflow file is empty"
    ),
    (
        "invalid-job-name/invalid-1.yml",
        "workflow is not valid. 'invalid-job-name-1': Job name "
        "'invalid-JOB-Name-v1.2.3-docker_hub' is invalid. Names must start with a letter or '_' "
        "and contain only alphanumeric characters, '-', or '_'",
    ): (
        r"invalid-1\.yml:5:3: error\[job-id\]: job id 'invalid-JOB-Name-v1\.2\.3-docker_hub' is "
        r"invalid: ids must start with a letter or '_'"
    ),
    (
        "invalid-job-name/invalid-2.yml",
        "workflow is not valid. 'invalid-job-name-2': Job name "
        "'1234invalid-JOB-Name-v123-docker_hub' is invalid. Names must start with a letter or '_' "
        "and contain only alphanumeric characters, '-', or '_'",
    ): (
        r"invalid-2\.yml:5:3: error\[job-id\]: job id '1234invalid-JOB-Name-v123-docker_hub' is "
        r"invalid: ids must start with a letter or '_'"
    ),
    ("issue-1595", "unable to build dependency graph for missing (missing.yml)"): (
        r"issue-1595/missing\.yml:7:12: error\[needs-unknown\]: job 'second' needs unknown job "
        r"'first'"
    ),
    ("issue-1595", "unable to build dependency graph for no first (no-first.yml)"): (
        r"issue-1595/no-first\.yml:7:12: error\[needs-unknown\]: job 'second' needs unknown job "
        r"'first'"
    ),
    ("issue-1595/missing.yml", "unable to build dependency graph for missing (missing.yml)"): (
        r"issue-1595/missing\.yml:7:12: error\[needs-unknown\]: job 'second' needs unknown job "
        r"'first'"
    ),
    ("issue-1595/no-first.yml", "unable to build dependency graph for no first (no-first.yml)"): (
        r"issue-1595/no-first\.yml:7:12: error\[needs-unknown\]: job 'second' needs unknown job "
        r"'first'"
    ),
    ("job-nil-step", "invalid Step 0: missing run or uses key"): (
        r"job-nil-step/push\.yml:6:6: error\[schema-type\]: jobs\.test\.steps\[0\] must be a "
        r"mapping, not empty \(null\)"
    ),
    ("uses-and-run-in-one-step", "Invalid run/uses syntax for job:test step:Test"): (
        r"uses-and-run-in-one-step/push\.yml:10:9: error\[step-run-uses\]: a step cannot have "
        r"both 'run' and 'uses'"
    ),
    # The step has a name only, no `uses`: act's table repeats uses-github-noref's message; act's
    # CLI says "Invalid run/uses syntax for job:test step:empty".
    ("uses-github-empty", "Expected format {org}/{repo}[/path]@ref"): (
        r"uses-github-empty/push\.yml:7:7: error\[step-run-uses\]: jobs\.test\.steps\[0\] must "
        r"have 'run' or 'uses'"
    ),
    ("uses-github-noref", "Expected format {org}/{repo}[/path]@ref"): (
        r"uses-github-noref/push\.yml:7:13: error\[uses-format\]: invalid action reference "
        r"'actions/checkout': expected \{owner\}/\{repo\}\[/path\]@ref"
    ),
    (
        "no-panic-on-invalid-composite-action[-j local-invalid-step]",
        "jobs failed due to invalid action",
    ): (
        r"error no-panic-on-invalid-composite-action/push\.yml:13: \S*/action\.yml:4:5: a "
        r"composite step needs exactly one of 'run' and 'uses' \(.* / local-invalid-step\)"
    ),
    (
        "no-panic-on-invalid-composite-action[-j local-missing-steps]",
        "jobs failed due to invalid action",
    ): (
        r"error no-panic-on-invalid-composite-action/push\.yml:21: \S*/action\.yml: missing steps "
        r"in composite action \(.* / local-missing-steps\)"
    ),
    ("post-step-failure-is-job-failure", "post failure"): (
        r"step build / Post Run \./post-step-failure-is-job-failure/post-step-failure: failure"
    ),
}

# Cases that end differently from act's expectation, with the reason (strict xfails: each must
# keep failing, or the entry goes).
DIFFERENT: dict[str, str] = {
    "nested": (
        "act loads -W directories recursively by default and fails on the empty fail.yml in a "
        "sub-directory; conveyor reads a directory's *.yml files only, as GitHub reads "
        ".github/workflows/ (the no-recurse variant of this case passes)"
    ),
    "input-from-cli": (
        "act runs a workflow_dispatch given an undeclared input and missing two required ones; "
        "GitHub refuses such a dispatch (HTTP 422), and so does conveyor (exit 2, nothing run)"
    ),
    "invalid-job-name/valid-2.yml": (
        "act accepts the job id '___valid-JOB-Name-v123-docker_hub'; GitHub refuses ids starting "
        "with '__' (reserved), and so does conveyor"
    ),
    "issue-1595/no-event.yml": (
        "act's planner returns an empty plan for a workflow without `on:`; GitHub rejects such "
        "a file, and conveyor reports the error (act's CLI exits 1 on it too)"
    ),
}


def _params(shared: Path) -> Iterator[object]:
    for case in load_cases(shared):
        marks = []
        if case.key in DIFFERENT:
            marks.append(pytest.mark.xfail(reason=DIFFERENT[case.key], strict=True))
        yield pytest.param(case, id=case.id, marks=marks)


@pytest.fixture(scope="module")
def repositories(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each corpus root copied and committed to its own git repository."""
    repos: dict[str, Path] = {}
    for root in ROOTS:
        target = tmp_path_factory.mktemp("corpus") / root
        shutil.copytree(shared / CORPUS / root, target)
        for path in [target, *target.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
        _git(target, "init", "-q", "-b", "main")
        _git(target, "config", "user.name", "nektos/act")
        _git(target, "config", "user.email", "act@example.com")
        _git(target, "remote", "add", "origin", "https://github.com/nektos/act.git")
        _git(target, "add", "-A")
        _git(target, "commit", "-q", "-m", "corpus")
        repos[root] = target
    return repos


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


class Outcome:
    """What `conveyor run --json` gave for a case: exit status, run record, everything shown."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code = code
        self.record: dict[str, Any] = json.loads(out) if out.strip() else {}
        self.jobs: list[dict[str, Any]] = self.record.get("jobs", [])
        lines = [e for w in self.record.get("workflows", []) for e in w["errors"]]
        for job in self.jobs:
            lines += [f"job {job['key']}: {job['conclusion']} {job['error'] or ''}".rstrip()]
            lines += [f"step {job['key']} / {s['name']}: {s['conclusion']}" for s in job["steps"]]
        self.text = "\n".join([err, *lines])

    def __str__(self) -> str:
        return f"exit {self.code}\n{self.text[-5000:]}"


def _run(case: Case, repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Outcome:
    for name, target in COMMANDS.items():
        monkeypatch.setitem(cli_main.COMMANDS, name, target)
    monkeypatch.delenv("SHELL", raising=False)
    monkeypatch.setenv("CONVEYOR_PLAIN", "1")
    argv = ["run", str(repo), "-W", case.path, "-e", case.event, "--parallel", "2", "--json"]
    argv += ["--env", "ACT=true"]
    top = case.path.split("/")[0]
    argv += [str(repo / arg) if arg.startswith(top) else arg for arg in case.args]
    if case.job:
        argv += ["-j", case.job]
    monkeypatch.chdir(repo)
    code = cli_main.run_cli(argv)
    output = capsys.readouterr()
    return Outcome(code, output.out, output.err)


@pytest.mark.parametrize("case", shared_params(_params))
def test_case(
    case: Case,
    repositories: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outcome = _run(case, repositories[case.root], monkeypatch, capsys)
    if case.expect == "success":
        _check_success(case, outcome)
    else:
        _check_failure(case, outcome)
    for text in case.hidden:
        assert text not in outcome.text, f"{text!r} was shown\n{outcome}"


def _check_success(case: Case, outcome: Outcome) -> None:
    assert outcome.code == 0, outcome
    ran = [job for job in outcome.jobs if _ran_a_step(job)]
    assert ran, f"no job ran a step\n{outcome}"
    if case.job:
        assert case.job in {job["id"] for job in ran}, outcome
    failed = [
        j for j in outcome.jobs if j["conclusion"] == "failure" and not j["continue_on_error"]
    ]
    assert not failed, outcome


def _ran_a_step(job: dict[str, Any]) -> bool:
    return any(step["conclusion"] != "skipped" for step in job["steps"])


def _check_failure(case: Case, outcome: Outcome) -> None:
    assert outcome.code == 1, outcome
    for error in case.errors:
        found = JOB_FAILED.match(error)
        if found:
            failed = {job["id"] for job in outcome.jobs if job["conclusion"] == "failure"}
            assert found["job"] in failed, f"act: {error}\n{outcome}"
        else:
            form = ERROR_FORMS[case.id, error]
            assert re.search(form, outcome.text), f"act: {error}\nconveyor: {form}\n{outcome}"
    for what, result in case.log_expect:
        assert _result_of(what, outcome) == result, f"act: {what} {result}\n{outcome}"


def _result_of(what: str, outcome: Outcome) -> str:
    (job,) = outcome.jobs
    if what == "jobResult":
        return str(job["conclusion"])
    assert what == "first stepResult", what
    return str(job["steps"][0]["conclusion"])


def test_every_recorded_error_has_a_form(shared: Path) -> None:
    """Each error act records for a failing case is compared: a job's failure or ERROR_FORMS."""
    cases = [case for case in load_cases(shared) if case.key not in DIFFERENT]
    errors = {(case.id, error) for case in cases for error in case.errors}
    assert {pair for pair in errors if not JOB_FAILED.match(pair[1])} == set(ERROR_FORMS)


def test_the_case_list_is_complete(shared: Path) -> None:
    """Every offline case of expected.json is here (partial ones once per offline job)."""
    cases = load_cases(shared)
    assert len({case.key for case in cases}) == 78
    assert all(os.path.exists(shared / CORPUS / case.root / case.path) for case in cases)
