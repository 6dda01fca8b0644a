"""The Carbon Connect sample's twelve workflows (examples/carbon-connect, issue 17) on conveyor:
each lints clean, fires for the events the issue lists (and plans its jobs for them), the TDD gate
blocks and passes pull request bodies when run, and every marketplace action the workflows name
runs on conveyor without fetching anything — a native, a native conveyor.toml maps it to, or a
step conveyor.toml skips. The run tests copy the sample into a fresh git repository, as a user
would, and read the recorded conclusions (`conveyor run --json`)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from conveyor.actions import NATIVE_ACTIONS
from conveyor.bootstrap.native_settings import native_map
from conveyor.bootstrap.override_settings import action_overrides
from conveyor.cli import main as cli_main
from conveyor.workflow import load_workflow
from conveyor.workflow.lint import lint_paths

pytestmark = pytest.mark.integration

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "carbon-connect"
WORKFLOWS = SAMPLE / ".github" / "workflows"
GROUP = "${{ github.workflow }}-${{ github.ref }}"
MAIN = ("main", "master")
BACKEND = ("backend/**", ".github/workflows/backend-ci.yml")  # the app's, and its own workflow
FRONTEND = ("frontend/**", ".github/workflows/frontend-ci.yml")

# workflow → {event: (activity types, branches, tags, paths, crons)}, as issue 17 lists them.
TRIGGERS: dict[str, dict[str, tuple[object, ...]]] = {
    "backend-ci": {
        "push": (None, MAIN, None, BACKEND, ()),
        "pull_request": (None, None, None, BACKEND, ()),
    },
    "frontend-ci": {
        "push": (None, MAIN, None, FRONTEND, ()),
        "pull_request": (None, None, None, FRONTEND, ()),
    },
    "pr-tdd-gate": {
        "pull_request": (("opened", "edited", "synchronize", "reopened"), None, None, None, ()),
    },
    "quality-gates": {
        "push": (None, (*MAIN, "staging"), None, None, ()),
        "pull_request": (None, None, None, None, ()),
    },
    "security-scan": {
        "push": (None, MAIN, None, None, ()),
        "pull_request": (None, None, None, None, ()),
        "schedule": (None, None, None, None, ("0 6 * * 1",)),
    },
    "dependency-review": {"pull_request": (None, (*MAIN, "staging"), None, None, ())},
    "deploy-staging": {
        "push": (None, ("staging",), None, None, ()),
        "workflow_dispatch": (None, None, None, None, ()),
    },
    "deploy-production": {
        "release": (("published",), None, None, None, ()),
        "workflow_dispatch": (None, None, None, None, ()),
    },
    "release": {
        "push": (None, None, ("v*.*.*",), None, ()),
        "workflow_dispatch": (None, None, None, None, ()),
    },
    "auto-label": {
        "pull_request": (("opened", "synchronize", "reopened"), None, None, None, ()),
    },
    "stale": {"schedule": (None, None, None, None, ("0 0 * * *",))},
    "docs": {
        "push": (None, ("main",), None, ("docs/**", "mkdocs.yml"), ()),
        "workflow_dispatch": (None, None, None, None, ()),
    },
}

# One planned run per workflow and event: (workflow, event, extra `conveyor run` arguments, the
# job ids it plans). `{pr}` / `{release}` are payload files the test writes.
PLANS: list[tuple[str, str, tuple[str, ...], set[str]]] = [
    ("backend-ci", "push", (), {"lint", "test"}),
    ("backend-ci", "pull_request", ("--eventpath", "{pr}"), {"lint", "test"}),
    ("frontend-ci", "push", (), {"lint", "build", "test"}),
    ("frontend-ci", "pull_request", ("--eventpath", "{pr}"), {"lint", "build", "test"}),
    ("pr-tdd-gate", "pull_request", ("--eventpath", "{pr}"), {"tdd-proof"}),
    *[
        (
            "quality-gates",
            event,
            args,
            {
                "backend-quality",
                "frontend-quality",
                "test-coverage",
                "build-check",
                "security-scan",
                "dependency-audit",
                "terraform-validate",
                "quality-gate",
            },
        )
        for event, args in (("push", ()), ("pull_request", ("--eventpath", "{pr}")))
    ],
    *[
        ("security-scan", event, args, {"codeql", "dependency-scan", "secret-scan", "sast"})
        for event, args in (
            ("push", ()),
            ("pull_request", ("--eventpath", "{pr}")),
            ("schedule", ()),
        )
    ],
    ("dependency-review", "pull_request", ("--eventpath", "{pr}"), {"dependency-review"}),
    *[
        ("deploy-staging", event, args, {"test", "build", "deploy", "migrate", "notify"})
        for event, args in (
            ("push", ("--ref", "staging")),
            ("workflow_dispatch", ("--ref", "staging", "--input", "skip-tests=true")),
        )
    ],
    *[
        (
            "deploy-production",
            event,
            args,
            {
                "validate",
                "backup",
                "migrate",
                "deploy-api",
                "deploy-workers",
                "smoke-test",
                "rollback",
                "notify",
            },
        )
        for event, args in (
            ("release", ("--ref", "v1.0.0", "--eventpath", "{release}")),
            ("workflow_dispatch", ("--input", "tag=v1.0.0")),
        )
    ],
    ("release", "push", ("--ref", "v1.0.0"), {"release", "image"}),
    ("release", "workflow_dispatch", ("--ref", "v1.0.0"), {"release", "image"}),
    ("auto-label", "pull_request", ("--eventpath", "{pr}"), {"label"}),
    ("stale", "schedule", (), {"stale"}),
    ("docs", "push", (), {"build", "publish"}),
    ("docs", "workflow_dispatch", (), {"build", "publish"}),
]

TDD_BODY = """## What

Match grants by region.

## TDD Proof

- [x] Tests written before production code
- [{mark}] Evidence of failing test run included
- [x] All tests passing locally
"""


def _git(repo: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args]
    return subprocess.run(command, cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture(autouse=True)
def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli_main.COMMANDS, "run", "conveyor.cli.run_command:run_command")
    monkeypatch.setenv("CONVEYOR_PLAIN", "1")


@pytest.fixture(scope="module")
def sample_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample as a repository of its own: `main` (a first commit, then the sample, so a push
    changes every path), branches `staging` and `feature` (touching each area), tag v1.0.0."""
    repo = tmp_path_factory.mktemp("carbon-connect")
    _git(repo, "init", "-q", "-b", "main")
    (repo / "NOTICE").write_text("Carbon Connect\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "start")
    shutil.copytree(SAMPLE, repo, dirs_exist_ok=True, ignore=_untracked)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "the sample")
    _git(repo, "branch", "staging")
    _git(repo, "tag", "v1.0.0")
    _git(repo, "checkout", "-q", "-b", "feature")
    for area in ("backend", "frontend", "infra", "docs"):
        (repo / area).mkdir(exist_ok=True)
        (repo / area / "CHANGE.txt").write_text(f"a change in {area}\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "a change everywhere")
    _git(repo, "checkout", "-q", "main")
    return repo


def _untracked(directory: str, names: list[str]) -> set[str]:
    generated = {"node_modules", ".venv", "site", ".terraform", "__pycache__", ".git"}
    return {name for name in names if name in generated}


def _pull_request(repo: Path, body: str, action: str = "opened") -> dict[str, object]:
    head, base = (_git(repo, "rev-parse", ref).strip() for ref in ("feature", "main"))
    pull = {
        "number": 7,
        "title": "Match grants by region",
        "body": body,
        "labels": [],
        "head": {"ref": "feature", "sha": head},
        "base": {"ref": "main", "sha": base},
    }
    repository = {"full_name": "acme/carbon-connect", "default_branch": "main"}
    return {"action": action, "number": 7, "pull_request": pull, "repository": repository}


def _payload(directory: Path, name: str, payload: dict[str, object]) -> str:
    path = directory / f"{name}.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return str(path)


def _run(
    capsys: pytest.CaptureFixture[str], repo: Path, *args: str
) -> tuple[int, dict[str, Any], str]:
    """`conveyor run REPO --json ARGS`: the exit code, the run record, stderr."""
    code = cli_main.run_cli(["run", str(repo), "--json", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else {}, err


def _shape(spec: tuple[object, ...]) -> tuple[object, ...]:
    return tuple(tuple(value) if isinstance(value, tuple | list) else value for value in spec)


def test_the_sample_has_the_twelve_workflows() -> None:
    names = {path.stem for path in WORKFLOWS.glob("*.yml")}
    mine = set(TRIGGERS) - {"backend-ci", "frontend-ci"}  # those two come from the app's owners
    assert mine <= names
    assert names <= set(TRIGGERS)


def test_every_workflow_lints_clean() -> None:
    diagnostics = lint_paths([WORKFLOWS])
    assert [str(d.location) + " " + d.message for d in diagnostics] == []


@pytest.mark.parametrize("name", sorted(TRIGGERS))
def test_triggers_and_concurrency_are_the_issues(name: str) -> None:
    path = WORKFLOWS / f"{name}.yml"
    if not path.exists():
        pytest.skip(f"{path.name} is written by the application's owner and is not here yet")
    workflow = load_workflow(path).workflow
    assert workflow is not None
    found = {
        trigger.event: _shape(
            (
                trigger.types,
                trigger.branches.patterns if trigger.branches else None,
                trigger.tags.patterns if trigger.tags else None,
                trigger.paths.patterns if trigger.paths else None,
                tuple(cron.cron for cron in trigger.crons),
            )
        )
        for trigger in workflow.on.events
    }
    assert found == {event: _shape(spec) for event, spec in TRIGGERS[name].items()}
    assert workflow.concurrency is not None
    assert workflow.concurrency.group == GROUP
    assert workflow.concurrency.cancel_in_progress is (name != "deploy-production")


@pytest.mark.parametrize(
    ("name", "event", "args", "jobs"),
    PLANS,
    ids=[f"{name}-{event}" for name, event, *_ in PLANS],
)
def test_each_workflow_plans_for_its_events(
    capsys: pytest.CaptureFixture[str],
    sample_repo: Path,
    tmp_path: Path,
    name: str,
    event: str,
    args: tuple[str, ...],
    jobs: set[str],
) -> None:
    path = sample_repo / ".github" / "workflows" / f"{name}.yml"
    if not path.exists():
        pytest.skip(f"{path.name} is written by the application's owner and is not here yet")
    files = {
        "{pr}": _payload(tmp_path, "pr", _pull_request(sample_repo, TDD_BODY.format(mark="x"))),
        "{release}": _payload(
            tmp_path, "release", {"action": "published", "release": {"tag_name": "v1.0.0"}}
        ),
    }
    push = ("--base", "main~1", "--head", "main") if event == "push" and "--ref" not in args else ()
    planned = [files.get(arg, arg) for arg in args]
    code, record, err = _run(
        capsys, sample_repo, "-W", str(path), "-e", event, "--dry-run", *push, *planned
    )
    assert code == 0, err
    [run] = record["workflows"]
    assert run["conclusion"] != "startup_failure", run["errors"]
    assert run["concurrency"].startswith(f"{name}-refs/"), run
    assert {job["id"] for job in record["jobs"]} == jobs


@pytest.mark.parametrize(("mark", "conclusion"), [(" ", "failure"), ("x", "success")])
def test_the_tdd_gate_blocks_an_unchecked_item_and_passes_a_complete_proof(
    capsys: pytest.CaptureFixture[str],
    sample_repo: Path,
    tmp_path: Path,
    mark: str,
    conclusion: str,
) -> None:
    body = TDD_BODY.format(mark=mark)
    event = _payload(tmp_path, "pr", _pull_request(sample_repo, body))
    workflow = str(sample_repo / ".github" / "workflows" / "pr-tdd-gate.yml")
    code, record, err = _run(
        capsys, sample_repo, "-W", workflow, "-e", "pull_request", "--eventpath", event
    )
    assert code == (0 if conclusion == "success" else 1), err
    [job] = record["jobs"]
    assert (job["id"], job["conclusion"]) == ("tdd-proof", conclusion)
    assert [step["conclusion"] for step in job["steps"]] == [conclusion]
    [run] = record["workflows"]
    assert run["conclusion"] == conclusion


def test_the_tdd_gate_blocks_a_body_without_the_section(
    capsys: pytest.CaptureFixture[str], sample_repo: Path, tmp_path: Path
) -> None:
    event = _payload(tmp_path, "pr", _pull_request(sample_repo, "## What\n\n- [x] done\n"))
    workflow = str(sample_repo / ".github" / "workflows" / "pr-tdd-gate.yml")
    code, record, err = _run(
        capsys, sample_repo, "-W", workflow, "-e", "pull_request", "--eventpath", event
    )
    assert code == 1, err
    assert [job["conclusion"] for job in record["jobs"]] == ["failure"]


def test_auto_label_runs_both_labelers_natively(
    capsys: pytest.CaptureFixture[str], sample_repo: Path, tmp_path: Path
) -> None:
    event = _payload(tmp_path, "pr", _pull_request(sample_repo, TDD_BODY.format(mark="x")))
    workflow = str(sample_repo / ".github" / "workflows" / "auto-label.yml")
    code, record, err = _run(
        capsys, sample_repo, "-W", workflow, "-e", "pull_request", "--eventpath", event
    )
    assert code == 0, err
    [job] = record["jobs"]
    assert [step["conclusion"] for step in job["steps"]] == ["success"] * 3


def test_conveyor_toml_maps_to_natives_that_exist() -> None:
    mapped = native_map(SAMPLE)
    assert mapped, "conveyor.toml maps no marketplace action"
    assert set(mapped.values()) <= set(NATIVE_ACTIONS)
    assert mapped["mheap/require-checklist-action"] == "conveyor/tdd-gate"
    assert mapped["softprops/action-gh-release"] == "conveyor/release"
    overrides = action_overrides(SAMPLE)
    assert overrides
    assert all(override.skip for override in overrides.values())


def test_every_action_the_workflows_use_runs_without_fetching() -> None:
    """Each `uses:` is a native action, mapped to one by conveyor.toml, or skipped by it."""
    mapped, skipped = native_map(SAMPLE), action_overrides(SAMPLE)
    unresolved = []
    paths = sorted(WORKFLOWS.glob("*.yml"))
    assert paths
    for path in paths:
        workflow = load_workflow(path).workflow
        assert workflow is not None
        for job in workflow.jobs.values():
            for step in job.steps:
                if step.uses and not step.uses.startswith(("./", "docker://")):
                    name = step.uses.split("@", 1)[0].lower()
                    if not _served(name, mapped, skipped):
                        unresolved.append(f"{path.name}: {step.uses}")
    assert unresolved == []


def _served(name: str, mapped: dict[str, str], skipped: Mapping[str, object]) -> bool:
    parts = name.split("/")
    prefixes = {"/".join(parts[:n]) for n in range(2, len(parts) + 1)}
    return name in NATIVE_ACTIONS or name in mapped or bool(prefixes & set(skipped))
