"""The store ports are split by aggregate, and the store's fakes are one module (issue 11)."""

from __future__ import annotations

import importlib
from pathlib import Path

import conveyor.engine.ports as ports
import conveyor.store as store_package
from conveyor.engine.ports.artifact_index import ArtifactIndex
from conveyor.engine.ports.job_history import JobHistoryStore
from conveyor.engine.ports.run_history import RunHistoryStore
from conveyor.engine.ports.store import RunStore

AGGREGATES = {
    "run_history": ["RunHistoryStore", "StoredRun", "ProcessOwner", "RunStatus"],
    "job_history": ["JobHistoryStore", "NewJob", "StoredJob", "StoredStep"],
    "artifact_index": ["ArtifactIndex", "ArtifactRecord", "CacheRecord"],
    "logs": ["LogStore", "LogKey", "LogChunk"],
    "secrets": ["SecretStore", "VariableStore", "SecretInfo", "VariableRecord"],
    "environments": ["EnvironmentStore", "DeploymentGate", "GateRequest", "ProtectionRules"],
    "concurrency": ["ConcurrencyGate", "GroupTicket", "Admission", "job_holder"],
}
FAKES = [
    "FakeRunStore",
    "FakeLogStore",
    "FakeSecretStore",
    "FakeVariableStore",
    "FakeEnvironmentStore",
    "FakeConcurrencyGate",
]


def test_each_aggregate_has_its_own_port_module() -> None:
    for module, names in AGGREGATES.items():
        loaded = importlib.import_module(f"conveyor.engine.ports.{module}")
        for name in names:
            assert getattr(loaded, name).__module__ == loaded.__name__, name


def test_the_run_store_is_the_union_of_its_aggregates() -> None:
    assert {RunHistoryStore, JobHistoryStore, ArtifactIndex} <= set(RunStore.__mro__)
    own = {name for name in vars(RunStore) if not name.startswith("_")}
    assert own == set(), "RunStore declares nothing of its own"


def test_no_port_module_is_over_four_hundred_lines() -> None:
    for path in Path(ports.__file__).parent.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) < 400, path.name


def test_the_store_fakes_have_one_entry() -> None:
    fake = importlib.import_module("conveyor.store.fake")
    for name in FAKES:
        assert hasattr(fake, name), name
    package = Path(store_package.__file__).parent
    assert sorted(p.name for p in package.glob("fake_*.py")) == []
