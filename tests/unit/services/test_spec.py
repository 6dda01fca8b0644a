"""Reading a service spec the way Docker would, and what cannot be honoured."""

from __future__ import annotations

import pytest

from conveyor.errors import WorkflowError
from conveyor.services.spec import env_text, prepare
from tests.unit.services.factories import HERE, service


def test_env_is_stringified_like_a_container_sees_it() -> None:
    spec = service(env={"A": 5, "B": True, "C": None, "D": "x"}, options="-e E=from-options")
    prepared = prepare(spec, (5432,))
    assert dict(prepared.env) == {
        "A": "5",
        "B": "true",
        "C": "",
        "D": "x",
        "E": "from-options",
        "GITHUB_ACTIONS": "true",
        "CI": "true",
    }


def test_requested_host_ports() -> None:
    prepared = prepare(service(ports=("15432:5432",), options="-p 9999:9999"), (5432,))
    assert prepared.requested_host_port(5432) == 15432
    assert prepared.requested_host_port(6379) is None


def test_warnings_name_what_is_ignored() -> None:
    spec = service(
        ports=("5432:5432", "8080:80", "6432:5432"),
        volumes=("/data:/var/lib/postgresql/data",),
        options="--shm-size 1g",
    )
    warnings = prepare(spec, (5432,)).warnings
    assert warnings == (
        "service db: options '--shm-size 1g' ignored (no Docker)",
        "service db: volumes ignored (no Docker): /data:/var/lib/postgresql/data",
        "service db: port 80/tcp is not served by postgres:16",
        "service db: port 5432 is mapped twice; the first mapping is used",
    )


def test_invalid_spec_raises_workflow_error_with_every_problem() -> None:
    spec = service(ports=("nope",), options="--health-interval 3 --health-cmd x")
    with pytest.raises(WorkflowError) as raised:
        prepare(spec, (5432,))
    codes = sorted(d.code for d in raised.value.diagnostics)
    assert codes == ["service-options", "service-ports"]
    assert all(d.location == HERE for d in raised.value.diagnostics)


@pytest.mark.parametrize(("value", "text"), [(False, "false"), (1.5, "1.5"), ("", "")])
def test_env_text(value: object, text: str) -> None:
    assert env_text(value) == text
