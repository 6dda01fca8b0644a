"""In-memory stand-ins for the store ports, for unit tests of the layers above and `--dry-run`.

Same rules as the SQL adapters where tests can see them (run numbers, attempts, reuse on rerun,
one running + one pending per concurrency group, approvals); no persistence, no encryption.

The one entry for every store fake (`from conveyor.store.fake import FakeRunStore`); the
package's modules hold them by aggregate: runs and logs, settings (secrets, variables,
environments), concurrency.
"""

from __future__ import annotations

from conveyor.store.fake.concurrency import FakeConcurrencyGate
from conveyor.store.fake.runs import FakeLogStore, FakeRunStore
from conveyor.store.fake.settings import FakeEnvironmentStore, FakeSecretStore, FakeVariableStore

__all__ = [
    "FakeConcurrencyGate",
    "FakeEnvironmentStore",
    "FakeLogStore",
    "FakeRunStore",
    "FakeSecretStore",
    "FakeVariableStore",
]
