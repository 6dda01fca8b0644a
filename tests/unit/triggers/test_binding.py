"""event_for_workflow: the parts of github.event that depend on the workflow that runs."""

from __future__ import annotations

import pytest

from conveyor.errors import UsageError
from conveyor.model.events import Event
from conveyor.model.triggers import InputSpec
from conveyor.triggers import event_for_workflow
from tests.unit.triggers.factories import on, push, trigger

PATH = ".github/workflows/deploy.yml"


def test_dispatch_inputs_are_typed_in_inputs_and_strings_in_the_payload() -> None:
    specs = [InputSpec("debug", type="boolean"), InputSpec("env", default="staging")]
    triggers = on(trigger("workflow_dispatch", inputs=specs))
    event = Event("workflow_dispatch", ref="refs/heads/main", inputs={"debug": "true"})
    bound = event_for_workflow(event, triggers, workflow_path=PATH)
    assert bound.inputs == {"debug": True, "env": "staging"}
    assert bound.payload["inputs"] == {"debug": "true", "env": "staging"}
    assert bound.payload["workflow"] == PATH


def test_dispatch_with_a_bad_input_raises() -> None:
    triggers = on(trigger("workflow_dispatch", inputs=[InputSpec("n", type="number")]))
    with pytest.raises(UsageError, match="input 'n' must be a number"):
        event_for_workflow(
            Event("workflow_dispatch", inputs={"n": "x"}), triggers, workflow_path=PATH
        )


def test_schedule_gets_the_workflows_first_cron() -> None:
    triggers = on(trigger("schedule", crons=["0 5 * * *"]))
    bound = event_for_workflow(Event("schedule", payload={}), triggers, workflow_path=PATH)
    assert bound.schedule == "0 5 * * *"
    assert bound.payload == {"schedule": "0 5 * * *"}


def test_workflow_call_inputs_are_typed() -> None:
    triggers = on(trigger("workflow_call", inputs=[InputSpec("n", type="number")]))
    bound = event_for_workflow(
        Event("workflow_call", inputs={"n": "3"}), triggers, workflow_path=PATH
    )
    assert bound.inputs == {"n": 3}


def test_other_events_are_unchanged() -> None:
    event = push("refs/heads/main")
    assert event_for_workflow(event, on("push"), workflow_path=PATH) is event
    assert event_for_workflow(event, on("pull_request"), workflow_path=PATH) is event
