"""An event as one particular workflow sees it.

Some of `github.event` depends on the workflow that runs: a dispatch carries that workflow's
inputs (with its defaults) and its path, a schedule carries the cron entry that fired. The engine
calls `event_for_workflow` once a workflow is chosen, before building the `github` context.
"""

from __future__ import annotations

from dataclasses import replace

from conveyor.model.events import Event
from conveyor.model.triggers import Triggers
from conveyor.triggers.inputs import input_strings, resolve_call_inputs, resolve_dispatch_inputs


def event_for_workflow(event: Event, triggers: Triggers, *, workflow_path: str) -> Event:
    """`event` with workflow-specific parts filled in; raises UsageError for bad inputs."""
    trigger = triggers.get(event.name)
    if trigger is None:
        return event
    if event.name == "workflow_dispatch":
        resolved = resolve_dispatch_inputs(trigger.inputs, event.inputs)
        payload = {**event.payload, "inputs": input_strings(resolved), "workflow": workflow_path}
        return replace(event, payload=payload, inputs=resolved)
    if event.name == "workflow_call":
        typed = resolve_call_inputs(trigger.inputs, event.inputs, coerce_strings=True)
        return replace(event, inputs=typed)
    if event.name == "schedule" and event.schedule is None and trigger.crons:
        cron = trigger.crons[0].cron
        return replace(event, schedule=cron, payload={**event.payload, "schedule": cron})
    return event
