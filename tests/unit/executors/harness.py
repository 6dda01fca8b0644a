"""Helpers for executor and action tests: real git repositories, job documents, a recording
reporter, and a small workflow-file reader (jobs without matrices) for act-corpus cases."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from conveyor.engine.ports.executor import JobDocument
from conveyor.errors import SourceLocation
from conveyor.executors.local import LocalExecutor, StopPolicy
from conveyor.executors.local.action_metadata import parse_step
from conveyor.expr import evaluate_value, to_string
from conveyor.model.results import Annotation, JobResult, StepResult
from conveyor.model.workflow import RunDefaults, Step

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    return result.stdout.strip()


def make_repo(path: Path, files: Mapping[str, str] | None = None) -> Path:
    """A git repository at `path` with `files` committed (one commit)."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    for name, text in (files or {"README.md": "hello\n"}).items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    commit_all(path, "initial")
    return path


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@dataclass
class RecordingReporter:
    """Keeps everything a job reports, in order (thread-safe)."""

    started: list[tuple[int, str]] = field(default_factory=list)
    lines: list[tuple[int | None, str]] = field(default_factory=list)
    finished: list[StepResult] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    keep_lines: bool = True
    line_count: int = 0

    def step_started(self, instance_key: str, index: int, name: str) -> None:
        with self.lock:
            self.started.append((index, name))

    def log_lines(self, instance_key: str, index: int | None, lines: Sequence[str]) -> None:
        for line in lines:
            self.log_line(instance_key, index, line)

    def log_line(self, instance_key: str, index: int | None, line: str) -> None:
        with self.lock:
            self.line_count += 1
            if self.keep_lines:
                self.lines.append((index, line))

    def step_finished(self, instance_key: str, result: StepResult) -> None:
        with self.lock:
            self.finished.append(result)

    def annotation(self, instance_key: str, annotation: Annotation) -> None:
        with self.lock:
            self.annotations.append(annotation)

    def text(self, index: int | None = None, every: bool = False) -> str:
        return "\n".join(line for i, line in self.lines if every or i == index)

    def output(self, index: int) -> list[str]:
        """The lines a step printed, without the `Run` header group."""
        lines, in_header = [], False
        for i, line in self.lines:
            if i != index:
                continue
            if line.startswith("##[group]Run "):
                in_header = True
            elif in_header and line == "##[endgroup]":
                in_header = False
            elif not in_header:
                lines.append(line)
        return lines


def step(index: int, **values: Any) -> Step:
    if "with" in values:
        values["with_"] = values.pop("with")
    return Step(index=index, location=SourceLocation("workflow.yml", index + 1, 7), **values)


def steps(*specs: Mapping[str, Any]) -> tuple[Step, ...]:
    return tuple(step(i, **spec) for i, spec in enumerate(specs))


def document(repo: Path, job_steps: tuple[Step, ...], **values: Any) -> JobDocument:
    contexts = {
        "github": {
            "repository": "octo/demo",
            "repository_owner": "octo",
            "event_name": "push",
            "ref": "refs/heads/main",
            "event": {"ref": "refs/heads/main"},
            "run_id": "1",
            "run_number": "1",
            "actor": "tester",
        },
        "secrets": {},
        "vars": {},
        "needs": {},
        "matrix": {},
        "inputs": {},
    }
    contexts.update(values.pop("contexts", {}))
    defaults: dict[str, Any] = {
        "run_id": "run-1",
        "job_id": "build",
        "instance_key": "build",
        "display_name": "build",
        "workflow_path": ".github/workflows/ci.yml",
        "repository": str(repo),
        "sha": None,
        "contexts": contexts,
        "env": {},
        "steps": job_steps,
    }
    defaults.update(values)
    return JobDocument(**defaults)


FAST_STOP = StopPolicy(interrupt_grace=0.5, terminate_grace=0.5)


def executor(home: Path, **values: Any) -> LocalExecutor:
    values.setdefault("stop_policy", FAST_STOP)
    return LocalExecutor(home=home, **values)


def run_job(
    doc: JobDocument,
    home: Path,
    cancel: threading.Event | None = None,
    reporter: RecordingReporter | None = None,
    **executor_values: Any,
) -> tuple[JobResult, RecordingReporter]:
    reporter = reporter or RecordingReporter()
    result = executor(home, **executor_values).run_job(doc, reporter, cancel or threading.Event())
    return result, reporter


def conclusions(result: JobResult) -> list[str]:
    return [str(s.conclusion) for s in result.steps]


def outcomes(result: JobResult) -> list[str]:
    return [str(s.outcome) for s in result.steps]


# -- a tiny workflow reader for act-corpus cases (no matrix, no needs) ------------------------


def workflow_documents(
    repo: Path, workflow: Path, github: Mapping[str, object] | None = None
) -> dict[str, JobDocument]:
    """One JobDocument per job of `workflow` (workflow and job env evaluated with github only)."""
    data = YAML(typ="rt").load(workflow.read_text())
    github_context: dict[str, object] = {
        "repository": "nektos/act",
        "repository_owner": "nektos",
        "event_name": "push",
        "ref": "refs/heads/main",
        "event": {},
        "run_id": "1",
        "run_number": "1",
    }
    github_context.update(github or {})
    contexts: dict[str, object] = {"github": github_context, "secrets": {}, "vars": {}, "needs": {}}
    workflow_env = _env(data.get("env"), contexts)
    workflow_defaults = (data.get("defaults") or {}).get("run") or {}
    documents = {}
    for job_id, job in data["jobs"].items():
        env = {**workflow_env, **_env(job.get("env"), {**contexts, "env": workflow_env})}
        run_defaults = {**workflow_defaults, **((job.get("defaults") or {}).get("run") or {})}
        job_steps = tuple(
            parse_step(workflow, index, raw) for index, raw in enumerate(job.get("steps") or [])
        )
        documents[str(job_id)] = document(
            repo,
            job_steps,
            job_id=str(job_id),
            instance_key=str(job_id),
            contexts={**contexts, "env": env},
            env=env,
            defaults=RunDefaults(
                shell=run_defaults.get("shell"),
                working_directory=run_defaults.get("working-directory"),
            ),
            outputs={str(k): str(v) for k, v in (job.get("outputs") or {}).items()},
        )
    return documents


def _env(raw: object, contexts: Mapping[str, object]) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): to_string(evaluate_value(v, contexts)) for k, v in raw.items()}
