"""Everything `conveyor run` shows: the live view or plain lines, the log files, the summary."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from rich.console import Console

from conveyor.cli.display.fanout import Fanout
from conveyor.cli.display.log_files import LogFiles
from conveyor.cli.display.plain import PlainDisplay
from conveyor.cli.display.summary import render_summary
from conveyor.engine.records import RunRecord

if TYPE_CHECKING:
    from conveyor.cli.display.live import LiveDisplay


def use_live_view(stream: TextIO) -> bool:
    """A live view on a terminal (not when TERM=dumb or CONVEYOR_PLAIN is set)."""
    if os.environ.get("CONVEYOR_PLAIN") or os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


class RunView:
    def __init__(self, stream: TextIO, home: Path, *, verbose: bool = False) -> None:
        self._stream = stream
        self._console = Console(file=stream, highlight=False, soft_wrap=True)
        session = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}"
        self.log_dir = home / "logs" / session
        self._logs = LogFiles(self.log_dir)
        self._display: LiveDisplay | PlainDisplay
        if use_live_view(stream):
            from conveyor.cli.display.live import LiveDisplay

            self._display = LiveDisplay(self._console, verbose=verbose)
        else:
            self._display = PlainDisplay(stream, verbose=verbose)
        self.observer = Fanout([self._display, self._logs])

    @contextmanager
    def showing(self) -> Iterator[None]:
        self._display.start()
        try:
            yield
        finally:
            self._display.stop()
            self._logs.close()

    def summarise(self, record: RunRecord) -> None:
        self._stream.flush()
        render_summary(self._console, record, self.log_dir if self.log_dir.exists() else None)
