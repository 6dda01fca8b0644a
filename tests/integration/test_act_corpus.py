"""nektos/act's test corpus, replayed: every case of act-corpus/expected.json that runs offline.

Each case's directory tree (workflows/, workflows-partial/ or model-workflows/) is committed to a
temporary git repository, which is the repository conveyor runs; the case is run with
`-W <case dir>` and the event, payload, secrets, env files, inputs, matrix filter and job of its
rows, and must end as act's tests expect: exit 0 for success, 1 for failure. For the cases act's
tables do not reference ("unknown"), the result act 0.2.89 gave in host mode is the expectation.

The harness reproduces what act's tests run in: the repository's remote is nektos/act and its
user nektos/act (act's defaults for `github.repository` and the actor), `ACT=true` is in the env
(act sets it for every run; if-env-act checks it), and SHELL is removed from the environment
(act's cases run in a container where it is unset; defaults-run checks `$SHELL` the way bash
and sh set it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conveyor.cli import main as cli_main
from tests.conftest import shared_params

pytestmark = pytest.mark.integration

CORPUS = Path("act-corpus")  # in ../shared
COMMANDS = {"run": "conveyor.cli.run_command:run_command"}

# Cases conveyor deliberately decides differently from act, with the reason.
DIFFERENT: dict[str, str] = {
    "nested": (
        "act loads -W directories recursively by default and fails on the empty fail.yml in a "
        "sub-directory; conveyor reads a directory's *.yml files only, as GitHub reads "
        ".github/workflows/ (the no-recurse variant of this case passes)"
    ),
    "issue-1595/no-event.yml": (
        "act's planner returns an empty plan for a workflow without `on:`; GitHub rejects such "
        "a file, and conveyor reports the error (act's CLI exits 1 on it too)"
    ),
}


@dataclass(frozen=True)
class Case:
    key: str
    root: str  # workflows | workflows-partial | model-workflows
    path: str  # the -W path relative to the root
    event: str
    expect: str  # success | failure
    job: str | None = None
    args: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        return self.key + (f"[-j {self.job}]" if self.job else "")


def _expected(entry: dict[str, object]) -> str:
    expect = str(entry.get("expect"))
    if expect in ("success", "failure"):
        return expect
    observed = entry.get("observed_act_0_2_89_host_mode") or [{}]
    return str(observed[0].get("result"))  # type: ignore[index, union-attr]


def _args(entry: dict[str, object], case_dir: str) -> list[str]:
    args: list[str] = []
    for row in entry.get("cases", []):  # type: ignore[attr-defined]
        for key, value in (row.get("secrets") or {}).items():
            args += ["--secret", f"{key}={value}"]
        for key, value in (row.get("inputs") or {}).items():
            args += ["--input", f"{key}={value}"]
        if row.get("secret_file"):
            args += ["--secret-file", f"{case_dir}/{row['secret_file']}"]
        if row.get("env_file"):
            args += ["--env-file", f"{case_dir}/{row['env_file']}"]
        if row.get("event_file"):
            args += ["--eventpath", f"{case_dir}/{row['event_file']}"]
        for key, values in (row.get("matrix_filter") or {}).items():
            args += [arg for value in values for arg in ("--matrix", f"{key}:{value}")]
    return list(dict.fromkeys(args)) if len(set(args)) == len(args) else _dedupe_pairs(args)


def _dedupe_pairs(args: list[str]) -> list[str]:
    pairs = list(dict.fromkeys(zip(args[::2], args[1::2], strict=True)))
    return [item for pair in pairs for item in pair]


def load_cases(shared: Path) -> list[Case]:
    corpus = shared / CORPUS
    data = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    cases: list[Case] = []
    for key, entry in data.items():
        if key == "_meta" or entry.get("runnable_offline") not in ("yes", "partial"):
            continue
        root, _, path = str(entry["corpus_path"]).partition("/")
        event = str(entry["event"]) if not str(entry["event"]).startswith("(") else "push"
        case_dir = path if (corpus / root / path).is_dir() else str(Path(path).parent)
        base = Case(key, root, path, event, _expected(entry), args=tuple(_args(entry, case_dir)))
        jobs = entry.get("offline_jobs") if entry["runnable_offline"] == "partial" else None
        for job in jobs or [None]:
            cases.append(Case(base.key, root, path, event, base.expect, job, base.args))
    return cases


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
    for root in ("workflows", "workflows-partial", "model-workflows"):
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


@pytest.mark.parametrize("case", shared_params(_params))
def test_case(
    case: Case,
    repositories: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, target in COMMANDS.items():
        monkeypatch.setitem(cli_main.COMMANDS, name, target)
    monkeypatch.delenv("SHELL", raising=False)
    monkeypatch.setenv("CONVEYOR_PLAIN", "1")
    repo = repositories[case.root]
    argv = ["run", str(repo), "-W", case.path, "-e", case.event, "--parallel", "2"]
    argv += ["--env", "ACT=true"]
    argv += [
        arg if not arg.startswith(case.path.split("/")[0]) else str(repo / arg) for arg in case.args
    ]
    if case.job:
        argv += ["-j", case.job]
    monkeypatch.chdir(repo)
    code = cli_main.run_cli(argv)
    output = capsys.readouterr()
    expected = 0 if case.expect == "success" else 1
    assert code == expected, (
        f"exit {code}, expected {expected}\n{output.out[-4000:]}\n{output.err[-2000:]}"
    )


def test_the_case_list_is_complete(shared: Path) -> None:
    """Every offline case of expected.json is here (partial ones once per offline job)."""
    cases = load_cases(shared)
    assert len({case.key for case in cases}) == 78
    assert all(os.path.exists(shared / CORPUS / case.root / case.path) for case in cases)
