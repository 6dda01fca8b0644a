"""In-memory RunStarter, RunControl and TokenVerifier for the server's tests (no engine)."""

from __future__ import annotations

from dataclasses import dataclass, field

from conveyor.engine.ports.server_runs import EventRequest, StartedRuns
from conveyor.server.principals import Principal


@dataclass
class FakeStarter:
    """Remembers each request and answers with run ids counting from `next_id`."""

    next_id: int = 1
    requests: list[EventRequest] = field(default_factory=list)

    def start(self, request: EventRequest) -> StartedRuns:
        self.requests.append(request)
        run_id, self.next_id = self.next_id, self.next_id + 1
        return StartedRuns(run_ids=(run_id,))


@dataclass
class FakeControl:
    cancelled: list[int] = field(default_factory=list)
    reruns: list[tuple[int, bool, str | None]] = field(default_factory=list)
    next_id: int = 1000

    def cancel(self, run_id: int) -> bool:
        self.cancelled.append(run_id)
        return True

    def rerun(self, run_id: int, *, failed_only: bool = False, job: str | None = None) -> int:
        self.reruns.append((run_id, failed_only, job))
        self.next_id += 1
        return self.next_id


@dataclass
class FakeTokens:
    """Tokens given as a mapping token -> Principal."""

    tokens: dict[str, Principal] = field(default_factory=dict)

    def verify(self, token: str) -> Principal | None:
        return self.tokens.get(token)
