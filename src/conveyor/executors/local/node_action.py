"""JavaScript actions (`runs.using: node12|16|20|24`) run with the node their `using` needs
(node_versions: the host's when it fits, else one from the tool cache or the npm registry).

`pre`, `main` and `post` share the action's state (GITHUB_STATE / `::save-state::` → `STATE_*`).
Inputs reach the script as `INPUT_<NAME>` (upper case, spaces → `_`), declared defaults included.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping

from conveyor.executors.local import evaluation
from conveyor.executors.local.action_metadata import ActionDefinition
from conveyor.executors.local.contexts import process_environment, search_path
from conveyor.executors.local.job_state import JobRun
from conveyor.executors.local.node_versions import choose_node
from conveyor.executors.local.step_log import StepLog
from conveyor.executors.local.step_process import BodyResult, StepCall, apply_files, run_in_step
from conveyor.model.results import Conclusion


def action_inputs(definition: ActionDefinition, call: StepCall) -> dict[str, str]:
    """`with:` values evaluated, plus the declared defaults of inputs not given."""
    given = evaluation.strings(call.step.with_, call.contexts)
    lowered = {key.lower(): key for key in given}
    inputs: dict[str, str] = {}
    for declared in definition.inputs:
        key = lowered.pop(declared.name.lower(), None)
        if key is not None:
            inputs[declared.name] = given[key]
        elif declared.default is not None:
            inputs[declared.name] = evaluation.text(declared.default, call.contexts)
    for key in lowered.values():
        inputs[key] = given[key]
    return inputs


def input_variables(inputs: Mapping[str, str]) -> dict[str, str]:
    return {f"INPUT_{name.replace(' ', '_').upper()}": value for name, value in inputs.items()}


def run_node_phase(
    run: JobRun,
    call: StepCall,
    definition: ActionDefinition,
    script: str,
    inputs: Mapping[str, str],
    state: dict[str, str],
) -> BodyResult:
    """Run one phase (`pre`, `main` or `post` script) of a node action; state is updated."""
    log = StepLog(run, call.index, location=call.step.location)
    host = shutil.which("node", path=search_path(run, call.env))
    options = run.options
    choice = choose_node(
        definition.using, host, run.layout.tool_cache, options.npm_registry, log.write
    )
    if choice.node is None:
        log.error(f"'{definition.name}': {choice.error}")
        return BodyResult(Conclusion.FAILURE)
    files = run.step_files()
    extra = {**input_variables(inputs), **{f"STATE_{k}": v for k, v in state.items()}}
    env = process_environment(run, call.env, call.github, files, extra)
    argv = [choice.node, str(definition.directory / script)]
    status = run_in_step(
        run, call, argv, cwd=str(run.layout.workspace), env=env, on_lines=log.lines, log=log
    )
    outputs, saved = apply_files(run, files, log)
    state.update(log.state)
    state.update(saved)
    if log.errors and status is Conclusion.SUCCESS:
        status = Conclusion.FAILURE
    return BodyResult(status, {**log.outputs, **outputs})
