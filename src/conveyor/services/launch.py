"""The resources of one service start, released unless they end up in a handle.

    with Launch(runtime, spec, request, "postgres") as launch:
        port = launch.reserve(requested)
        process = launch.spawn(argv, env)
        launch.wait_until(is_ready, process, "PostgreSQL", cancel)
        return launch.handle(...)

Any exception inside the block stops the process, removes the directory, releases the ports.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType

from conveyor.engine.ports.executor import CancelSignal
from conveyor.engine.ports.services import ServiceRequest
from conveyor.errors import InfrastructureError
from conveyor.model.services import ServiceSpec
from conveyor.services.handle import LocalServiceHandle
from conveyor.services.process import ServiceProcess, spawn
from conveyor.services.runtime import ServiceRuntime, log_tail

POLL_INTERVAL = 0.005
_BIND_FAILURES = ("address already in use", "could not bind", "could not create any tcp/ip")


class PortTaken(Exception):
    """The service could not bind its port (someone took it after we checked)."""


class Launch:
    def __init__(
        self,
        runtime: ServiceRuntime,
        spec: ServiceSpec,
        request: ServiceRequest,
        kind: str,
        stop_signal: int = signal.SIGTERM,
    ) -> None:
        self.runtime = runtime
        self.spec = spec
        self.kind = kind
        self.stop_signal = stop_signal
        self.run_dir = runtime.new_run_dir(f"{kind}-{_slug(spec.id)}")
        try:
            self.log = runtime.open_log(request, spec.id, self.run_dir)
        except OSError as exc:
            runtime.remove_run_dir(self.run_dir)
            raise InfrastructureError(f"service {spec.id}: cannot open its log: {exc}") from exc
        self.log_path = self.log.path
        self.process: ServiceProcess | None = None
        self._ports: set[int] = set()
        self._log_offset = 0
        self._done = False

    def __enter__(self) -> Launch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._done:
            self.abandon()

    def reserve(self, requested: int | None) -> int:
        port = self.runtime.ports.reserve(requested)
        self._ports.add(port)
        return port

    def release(self, port: int) -> None:
        self._ports.discard(port)
        self.runtime.ports.release(port)

    def spawn(self, argv: Sequence[str], env: Mapping[str, str]) -> ServiceProcess:
        self.log.settle()  # an earlier attempt's lines are in the file: this one's start here
        self._log_offset = _size(self.log_path)
        self.process = spawn(
            argv,
            run_dir=self.run_dir,
            log=self.log.output(),
            env=env,
            account=self.runtime.account,
            reaper_client=self.runtime.reaper,
        )
        return self.process

    def stop_process(self) -> None:
        if self.process is not None:
            self.process.stop(self.stop_signal, grace=2.0)
            self.process.release()
            self.process = None

    def wait_until(
        self, ready: Callable[[], bool], what: str, cancel: CancelSignal, timeout: float
    ) -> None:
        """Poll `ready` until true; PortTaken / InfrastructureError if the process gives up."""
        deadline = time.monotonic() + timeout
        while True:
            process = self.process
            if process is not None and not process.running():
                self._process_exited(what, process)
            if ready():
                self.log.settle()
                self._check_bound(what)
                return
            if time.monotonic() > deadline:
                raise self.error(f"{what} was not ready after {timeout:g} s")
            if cancel.wait(POLL_INTERVAL):
                raise self.error(f"cancelled while waiting for {what}", with_log=False)

    def _process_exited(self, what: str, process: ServiceProcess) -> None:
        self.log.settle()
        self._check_bound(what)
        raise self.error(f"{what} exited with status {process.popen.returncode}")

    def _check_bound(self, what: str) -> None:
        """PortTaken if this attempt could not bind an address (even if it runs on the rest)."""
        attempt_log = _read_from(self.log_path, self._log_offset).lower()
        if any(marker in attempt_log for marker in _BIND_FAILURES):
            self.stop_process()
            raise PortTaken()

    def error(self, message: str, *, with_log: bool = True) -> InfrastructureError:
        self.log.settle()
        text = f"service {self.spec.id} ({self.spec.image}): {message}"
        if with_log:
            text += f"\n--- last lines of {self.log_path} ---\n{log_tail(self.log_path)}"
        return InfrastructureError(text)

    def abandon(self) -> None:
        self._done = True
        try:
            self.stop_process()
        finally:
            self.log.close()
            self.runtime.remove_run_dir(self.run_dir)
            for port in list(self._ports):
                self.release(port)

    def handle(
        self,
        *,
        host: str,
        ports: Mapping[str, int],
        env: Mapping[str, str],
        warnings: Sequence[str],
    ) -> LocalServiceHandle:
        """Hand everything over to a handle (which now owns stopping and cleaning up)."""
        if self.process is None:
            raise InfrastructureError(f"service {self.spec.id}: no process to hand over")
        self._done = True
        return LocalServiceHandle(
            service_id=self.spec.id,
            image=self.spec.image,
            provider=self.kind,
            host=host,
            ports=dict(ports),
            env=dict(env),
            log_path=str(self.log_path),
            run_dir=self.run_dir,
            process=self.process,
            log=self.log,
            allocator=self.runtime.ports,
            warnings=tuple(warnings),
            stop_signal=self.stop_signal,
        )


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)[:40] or "service"


def _size(path: Path) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _read_from(path: Path, offset: int) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            return handle.read(65536).decode("utf-8", "replace")
    except OSError:
        return ""
