"""The store ports, one module per aggregate; `RunStore` is what a run is recorded into.

- `run_history`: runs and attempts, owners, cancel requests, the abandonment sweep
- `job_history`: jobs, steps and annotations
- `artifact_index`: artifacts and caches
- `logs`: per-step log files
- `secrets`: secrets and variables
- `environments`: environments, approvals, deployments and the deployment gate
- `concurrency`: concurrency groups

Records are plain frozen dataclasses. Adapters live in `conveyor.store` (SQLite through stdlib
sqlite3 or SQLAlchemy, PostgreSQL, log files) and `conveyor.store.fake` (in memory, for tests of
upper layers). The names of every aggregate are importable from here too.
"""

from __future__ import annotations

from typing import Protocol

from conveyor.engine.ports.artifact_index import (
    ArtifactIndex,
    ArtifactRecord,
    CacheRecord,
)
from conveyor.engine.ports.concurrency import (
    Admission,
    ConcurrencyGate,
    GroupTicket,
    job_holder,
    workflow_holder,
)
from conveyor.engine.ports.environments import (
    ApprovalRecord,
    ApprovalState,
    DeploymentGate,
    DeploymentRecord,
    EnvironmentRecord,
    EnvironmentStore,
    GateDecision,
    GateRequest,
    GateVerdict,
    ProtectionRules,
)
from conveyor.engine.ports.job_history import (
    JobHistoryStore,
    NewJob,
    StoredJob,
    StoredStep,
)
from conveyor.engine.ports.logs import (
    LogChunk,
    LogKey,
    LogStore,
)
from conveyor.engine.ports.run_history import (
    ACTIVE_STATUSES,
    OWNER_VARIABLE,
    Conclusion,
    NewRun,
    ProcessOwner,
    RunHistoryStore,
    RunQuery,
    RunStatus,
    StoredRequest,
    StoredRun,
)
from conveyor.engine.ports.secrets import (
    SecretInfo,
    SecretStore,
    VariableRecord,
    VariableStore,
)


class RunStore(RunHistoryStore, JobHistoryStore, ArtifactIndex, Protocol):
    """Durable history of runs, jobs, steps, annotations, artifacts and caches."""


__all__ = [
    "ACTIVE_STATUSES",
    "OWNER_VARIABLE",
    "Admission",
    "ApprovalRecord",
    "ApprovalState",
    "ArtifactIndex",
    "ArtifactRecord",
    "CacheRecord",
    "Conclusion",
    "ConcurrencyGate",
    "DeploymentGate",
    "DeploymentRecord",
    "EnvironmentRecord",
    "EnvironmentStore",
    "GateDecision",
    "GateRequest",
    "GateVerdict",
    "GroupTicket",
    "JobHistoryStore",
    "LogChunk",
    "LogKey",
    "LogStore",
    "NewJob",
    "NewRun",
    "ProcessOwner",
    "ProtectionRules",
    "RunHistoryStore",
    "RunQuery",
    "RunStatus",
    "RunStore",
    "SecretInfo",
    "SecretStore",
    "StoredJob",
    "StoredRequest",
    "StoredRun",
    "StoredStep",
    "VariableRecord",
    "VariableStore",
    "job_holder",
    "workflow_holder",
]
