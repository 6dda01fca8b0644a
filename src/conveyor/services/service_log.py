"""A service's log file (`<id>.log`, 0600), with the job's secrets masked as it is written.

A service is started with the job's secrets in its environment (`POSTGRES_PASSWORD:
${{ secrets.DB }}`), and servers log what clients send them (`password authentication failed
for user "..."`). So when the job has secrets, the service writes into a pipe instead of the
file: a thread of conveyor reads it, masks whole lines and appends them to the file. Memory is
bounded: a line longer than MAX_LINE is cut — its masked head is kept (less HOLD_BACK characters,
which could hold the start of a secret that the cut split) and the rest of it dropped.
Without secrets the service writes to the file directly.
"""

from __future__ import annotations

import array
import fcntl
import os
import select
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

from conveyor.private_files import open_private

MAX_LINE = 1 << 20
HOLD_BACK = MAX_LINE // 2
CUT_MARKER = b" [conveyor: the rest of this line was longer than 1 MiB and dropped]\n"
_POLL = 0.1
_APPEND = os.O_WRONLY | os.O_APPEND | os.O_CREAT


class ServiceLog:
    def __init__(self, path: Path, mask: Callable[[str], str] | None = None) -> None:
        self.path = path
        self._file = open_private(path, _APPEND)
        self._mask = mask
        self._pipe: tuple[int, int] | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._busy = False
        self._pending = b""
        self._dropping = False  # inside a line that was cut
        if mask is not None:
            self._pipe = os.pipe()
            self._thread = threading.Thread(target=self._pump, name="service log", daemon=True)
            self._thread.start()

    def output(self) -> int:
        """The descriptor a service process writes its output to."""
        return self._pipe[1] if self._pipe is not None else self._file

    def settle(self, timeout: float = 2.0) -> None:
        """Wait (at most `timeout` s) until the complete lines written so far are in the file."""
        if self._pipe is None:
            return
        deadline = time.monotonic() + timeout
        while (self._busy or _unread(self._pipe[0])) and time.monotonic() < deadline:
            time.sleep(0.002)

    def close(self, timeout: float = 2.0) -> None:
        """Write what is left (once every process writing has gone) and close the file."""
        if self._pipe is not None and self._thread is not None:
            os.close(self._pipe[1])
            self._thread.join(timeout)
            self._stop.set()  # a process that still holds the pipe: stop reading anyway
            self._thread.join()
            os.close(self._pipe[0])
            self._pipe = None
        if self._file >= 0:
            os.close(self._file)
            self._file = -1

    def _pump(self) -> None:
        assert self._pipe is not None
        source = self._pipe[0]
        while not self._stop.is_set():
            ready, _, _ = select.select([source], [], [], _POLL)
            if not ready:
                continue
            self._busy = True
            chunk = os.read(source, 1 << 16)
            if not chunk:
                break
            self._write(self._masked_lines(chunk))
            self._busy = False
        self._write(self._masked(self._pending) if self._pending else b"")
        self._busy = False

    def _masked_lines(self, chunk: bytes) -> bytes:
        data = self._pending + chunk
        end = data.rfind(b"\n") + 1
        whole, self._pending = data[:end], data[end:]
        if self._dropping and end:
            whole = whole[whole.find(b"\n") + 1 :]  # the end of the line that was cut
            self._dropping = False
        if self._dropping:
            self._pending = b""
            return b""
        out = self._masked(whole) if whole else b""
        if len(self._pending) > MAX_LINE:
            head = self._masked(self._pending)[:-HOLD_BACK]
            out, self._pending, self._dropping = out + head + CUT_MARKER, b"", True
        return out

    def _masked(self, data: bytes) -> bytes:
        assert self._mask is not None
        text = data.decode("utf-8", "surrogateescape")
        return self._mask(text).encode("utf-8", "surrogateescape")

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._file, view) :]
        except OSError:
            pass  # a full disk: the service goes on; what fits was kept


def _unread(fd: int) -> int:
    """Bytes waiting in a pipe."""
    count = array.array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, count)
    return count[0]
