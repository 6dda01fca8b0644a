"""A `run:` step: the script written to RUNNER_TEMP and run with the step's shell."""

from __future__ import annotations

import os
from pathlib import Path

from conveyor.executors.local import evaluation
from conveyor.executors.local.contexts import process_environment, search_path
from conveyor.executors.local.job_state import JobRun, Scope
from conveyor.executors.local.shells import Shell, ShellError, resolve_shell
from conveyor.executors.local.step_log import StepLog
from conveyor.executors.local.step_process import BodyResult, StepCall, apply_files, run_in_step
from conveyor.model.results import Conclusion
from conveyor.private_files import write_private


def run_script(run: JobRun, scope: Scope, call: StepCall) -> BodyResult:
    log = StepLog(run, call.index, _unsecure_allowed(call), call.step.location)
    step = call.step
    keyword = step.shell
    if keyword is None and scope.composite:
        log.error(
            "Required property is missing: shell (every `run` step of a composite action needs one)"
        )
        return BodyResult(Conclusion.FAILURE)
    if keyword is None and scope.defaults is not None and scope.defaults.shell:
        keyword = evaluation.text(scope.defaults.shell, call.contexts)
    try:
        shell = resolve_shell(keyword, search_path(run, call.env))
        cwd = _working_directory(run, scope, call)
    except (ShellError, NotADirectoryError) as exc:
        log.error(str(exc))
        return BodyResult(Conclusion.FAILURE)
    script = evaluation.text(step.run, call.contexts)
    _header(log, script, shell)
    return _execute(run, call, shell, script, cwd, log)


def _execute(
    run: JobRun, call: StepCall, shell: Shell, script: str, cwd: str, log: StepLog
) -> BodyResult:
    # The script holds the step's secrets, substituted: private (0600), removed when the step
    # ends; after a kill, the next run's sweep removes it (see job_leases).
    path = run.layout.temp / f"step_script{shell.extension}"
    try:
        write_private(path, shell.script_text(script))
        files = run.step_files()
    except OSError as exc:
        path.unlink(missing_ok=True)
        log.error(f"The step's script could not be written to {path}: {exc.strerror or exc}")
        return BodyResult(Conclusion.FAILURE)
    try:
        env = process_environment(run, call.env, call.github, files)
        status = run_in_step(
            run, call, shell.argv(str(path)), cwd=cwd, env=env, on_lines=log.lines, log=log
        )
    finally:
        path.unlink(missing_ok=True)
    outputs, _ = apply_files(run, files, log)
    if log.errors and status is Conclusion.SUCCESS:
        status = Conclusion.FAILURE
    return BodyResult(status, {**log.outputs, **outputs})


def _working_directory(run: JobRun, scope: Scope, call: StepCall) -> str:
    raw: object = call.step.working_directory
    if raw is None and scope.defaults is not None and not scope.composite:
        raw = scope.defaults.working_directory
    workspace = run.layout.workspace
    if raw is None or raw == "":
        return str(workspace)
    directory = Path(os.path.expanduser(evaluation.text(raw, call.contexts)))
    if not directory.is_absolute():
        directory = workspace / directory
    if not directory.is_dir():
        raise NotADirectoryError(
            f"An error occurred trying to start process: working directory '{directory}' "
            "does not exist"
        )
    return str(directory)


def _header(log: StepLog, script: str, shell: Shell) -> None:
    lines = script.rstrip("\n").split("\n")
    log.write(f"##[group]Run {lines[0]}")
    for line in lines:
        log.write(line)
    log.write(f"shell: {' '.join([shell.program, *shell.arguments])}")
    log.write("##[endgroup]")


def _unsecure_allowed(call: StepCall) -> bool:
    return call.env.get("ACTIONS_ALLOW_UNSECURE_COMMANDS", "").strip().lower() == "true"
