"""Everything `conveyor run` shows: the live view or plain lines, the log files, the summary.

rich is loaded only for the live view on a terminal, or for a summary that plain text cannot
reproduce (see plain_summary): a plain run does not pay for it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from conveyor.cli.display.fanout import Fanout
from conveyor.cli.display.log_files import LogFiles
from conveyor.cli.display.plain import PlainDisplay
from conveyor.cli.display.plain_summary import plain_summary, plain_width
from conveyor.cli.display.summary import summary_parts
from conveyor.engine.records import RunRecord

if TYPE_CHECKING:
    from rich.console import Console

    from conveyor.cli.display.live import LiveDisplay


def use_live_view(stream: TextIO, plain: bool = False) -> bool:
    """A live view on a terminal (not when TERM=dumb or `plain`: Settings' CONVEYOR_PLAIN)."""
    if plain or os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


class RunView:
    def __init__(
        self, stream: TextIO, home: Path, *, verbose: bool = False, plain: bool = False
    ) -> None:
        self._stream = stream
        self._console: Console | None = None
        session = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}"
        self.log_dir = home / "logs" / session
        self._logs = LogFiles(self.log_dir)
        self._display: LiveDisplay | PlainDisplay
        if use_live_view(stream, plain):
            from conveyor.cli.display.live import LiveDisplay

            self._display = LiveDisplay(self._rich_console(), verbose=verbose)
        else:
            self._display = PlainDisplay(stream, verbose=verbose)
        self.observer = Fanout([self._display, self._logs])

    def _rich_console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(file=self._stream, highlight=False, soft_wrap=True)
        return self._console

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
        parts = summary_parts(record, self.log_dir if self.log_dir.exists() else None)
        text = (
            None if self._console is not None else plain_summary(parts, plain_width(self._stream))
        )
        if text is not None:
            self._stream.write(text)
            self._stream.flush()
            return
        from conveyor.cli.display.summary import render_summary

        render_summary(
            self._rich_console(), record, self.log_dir if self.log_dir.exists() else None
        )
