"""Modules are named for what they define: no two unrelated modules share a vague name."""

from __future__ import annotations

from pathlib import Path

import conveyor

SOURCE = Path(conveyor.__file__).parent

# Once three unrelated modules (engine/gates, engine/job_gates, store/gate), two `records.py`
# and a `services/ports.py` about TCP ports next to the engine's `ports` package.
VAGUE = ("gates.py", "job_gates.py", "gate.py", "records.py", "ports.py")


def _modules(name: str) -> list[str]:
    return sorted(str(path.relative_to(SOURCE)) for path in SOURCE.rglob(name))


def test_no_module_has_a_vague_name_shared_by_unrelated_modules() -> None:
    found = {name: _modules(name) for name in VAGUE}
    assert found == {
        "gates.py": [],
        "job_gates.py": [],
        "gate.py": [],
        "records.py": ["engine/records.py"],
        "ports.py": [],
    }


def test_the_renamed_modules_define_what_their_names_say() -> None:
    from conveyor.engine.gated_executor import GatedExecutor
    from conveyor.engine.run_guard import RunGuard
    from conveyor.services.host_ports import PortAllocator
    from conveyor.store.protection_gate import ProtectionGate
    from conveyor.store.row_values import run_record

    assert {GatedExecutor.__name__, RunGuard.__name__, PortAllocator.__name__} == {
        "GatedExecutor",
        "RunGuard",
        "PortAllocator",
    }
    assert ProtectionGate.__name__ == "ProtectionGate"
    assert callable(run_record)
