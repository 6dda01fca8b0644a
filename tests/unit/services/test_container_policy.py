"""`container:` on a job without a Docker engine."""

from __future__ import annotations

from conveyor.engine.ports.services import ContainerPolicy, decide_container
from conveyor.model.services import ContainerSpec
from tests.unit.services.factories import HERE

CONTAINER = ContainerSpec(image="node:20-bookworm-slim", location=HERE)


def test_host_policy_runs_on_the_host_with_a_warning_naming_the_image() -> None:
    decision = decide_container(CONTAINER, ContainerPolicy.HOST)
    assert decision.run_on_host
    assert "'node:20-bookworm-slim'" in decision.message
    assert "host" in decision.message


def test_fail_policy_fails_naming_the_image() -> None:
    decision = decide_container(CONTAINER, ContainerPolicy.FAIL)
    assert not decision.run_on_host
    assert "'node:20-bookworm-slim'" in decision.message
    assert "Docker" in decision.message
