"""Starting all services of a job in parallel, and always stopping them.

`LocalServiceLauncher.start_all` starts each service on its own thread and waits for all to be
healthy. If one fails (or the job is cancelled, or Ctrl-C arrives while waiting) the others are
told to give up, every instance already started is stopped, and the error is raised. The
returned `ServiceSet` stops everything when closed — on success, failure, cancel or Ctrl-C.
If the whole process dies (SIGTERM, SIGKILL), the reaper process does it instead.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from types import TracebackType

from conveyor.engine.ports.executor import CancelSignal
from conveyor.engine.ports.services import (
    ServiceHandle,
    ServiceProvider,
    ServiceRegistry,
    ServiceRequest,
    service_context,
)
from conveyor.model.services import ServiceSpec

_SLICE = 0.05


class AbortSignal:
    """A CancelSignal set by the job's own cancel signal or by the launcher (a sibling failed)."""

    def __init__(self, outer: CancelSignal | None = None) -> None:
        self._event = threading.Event()
        self._outer = outer

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set() or (self._outer is not None and self._outer.is_set())

    def wait(self, timeout: float | None = None) -> bool:
        if self._outer is None:
            return self._event.wait(timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.is_set():
            remaining = _SLICE if deadline is None else deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._event.wait(min(remaining, _SLICE))
        return True


class ServiceSet:
    """Implements `engine.ports.services.StartedServices`."""

    def __init__(self, handles: Mapping[str, ServiceHandle]) -> None:
        self._handles = dict(handles)
        self._lock = threading.Lock()

    @property
    def handles(self) -> Mapping[str, ServiceHandle]:
        return dict(self._handles)

    @property
    def warnings(self) -> Sequence[str]:
        return [note for handle in self._handles.values() for note in handle.warnings]

    def contexts(self) -> dict[str, dict[str, object]]:
        return {key: service_context(handle) for key, handle in self._handles.items()}

    def stop(self) -> None:
        with self._lock:
            handles, self._handles = list(self._handles.values()), {}
        stop_all(handles)

    def __enter__(self) -> ServiceSet:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def stop_all(handles: Sequence[ServiceHandle]) -> None:
    """Stop every handle (in parallel); a failure to stop one never skips the others."""
    threads = [threading.Thread(target=_stop_quietly, args=(h,)) for h in handles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _stop_quietly(handle: ServiceHandle) -> None:
    with contextlib.suppress(Exception):  # stop() must not raise; keep stopping the others
        handle.stop()


class LocalServiceLauncher:
    """Implements `engine.ports.services.ServiceLauncher` over a registry of providers."""

    def __init__(self, registry: ServiceRegistry) -> None:
        self.registry = registry

    def start_all(
        self,
        specs: Sequence[ServiceSpec],
        request: ServiceRequest,
        cancel: CancelSignal | None = None,
    ) -> ServiceSet:
        plan = self._plan(specs)
        if not plan:
            return ServiceSet({})
        abort = AbortSignal(cancel)
        pool = ThreadPoolExecutor(max_workers=len(plan), thread_name_prefix="service-start")
        futures = {pool.submit(p.start, spec, request, abort): spec.id for spec, p in plan}
        try:
            handles = _collect(futures, abort)
        except BaseException:
            abort.set()
            pool.shutdown(wait=True)
            stop_all([f.result() for f in futures if _succeeded(f)])
            raise
        pool.shutdown()
        return ServiceSet({spec.id: handles[spec.id] for spec, _ in plan})

    def _plan(self, specs: Sequence[ServiceSpec]) -> list[tuple[ServiceSpec, ServiceProvider]]:
        """Providers for every spec first, so an unknown image starts nothing."""
        wanted = [spec for spec in specs if spec.image.strip()]  # image "" is not started
        return [(spec, self.registry.provider_for(spec.image)) for spec in wanted]


def _collect(
    futures: Mapping[Future[ServiceHandle], str], abort: AbortSignal
) -> dict[str, ServiceHandle]:
    handles: dict[str, ServiceHandle] = {}
    for future in as_completed(futures):
        try:
            handles[futures[future]] = future.result()
        except BaseException:
            abort.set()
            raise
    return handles


def _succeeded(future: Future[ServiceHandle]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None
