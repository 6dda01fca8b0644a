"""The handle of a service started on this machine; stopping it leaves nothing behind."""

from __future__ import annotations

import signal
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.services.host_ports import PortAllocator
from conveyor.services.process import ServiceProcess
from conveyor.services.runtime import remove_tree
from conveyor.services.service_log import ServiceLog


@dataclass
class LocalServiceHandle:
    """Implements `engine.ports.services.ServiceHandle` for processes on the host."""

    service_id: str
    image: str
    provider: str
    host: str
    ports: Mapping[str, int]
    env: Mapping[str, str]
    log_path: str
    run_dir: Path
    process: ServiceProcess
    log: ServiceLog
    allocator: PortAllocator
    warnings: tuple[str, ...] = ()
    stop_signal: int = signal.SIGTERM
    stop_grace: float = 5.0
    _stopped: bool = field(default=False, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        try:
            self.process.stop(self.stop_signal, self.stop_grace)
        finally:
            self.log.close()
            remove_tree(self.run_dir)
            self.process.release()
            self.process.reaper.forget_directory(self.run_dir)
            for port in set(self.ports.values()):
                self.allocator.release(port)
