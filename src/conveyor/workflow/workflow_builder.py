"""A validated workflow tree → `conveyor.model.workflow.Workflow`."""

from __future__ import annotations

from conveyor.model.workflow import Workflow
from conveyor.workflow.job_checks import job_pairs
from conveyor.workflow.jobs_builder import build_concurrency, build_defaults, build_job
from conveyor.workflow.node_values import location, mapping, nested_locations, raw, text
from conveyor.workflow.triggers_builder import build_triggers
from conveyor.workflow.yaml_nodes import MappingNode


def build_workflow(path: str, root: MappingNode, needs: dict[str, tuple[str, ...]]) -> Workflow:
    on = root.get("on")
    assert on is not None  # the schema requires it
    jobs = {
        str(key.value): build_job(path, key, node, needs.get(str(key.value), ()))
        for key, node in job_pairs(root)
    }
    return Workflow(
        path=path,
        location=location(path, root),
        on=build_triggers(path, on),
        jobs=jobs,
        name=text(root.get("name")),
        run_name=raw(root.get("run-name")),
        permissions=raw(root.get("permissions")),
        env=mapping(root.get("env")),
        defaults=build_defaults(root.get("defaults")),
        concurrency=build_concurrency(path, root.get("concurrency")),
        locations=nested_locations(path, root, ("env",)),
    )
