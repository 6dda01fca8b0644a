"""A step's output lines: workflow commands applied, secrets masked, the rest reported.

What the reporter sees (GitHub's raw log notation, for displays to render):
`##[group]title`, `##[endgroup]`, `##[debug]msg` (show with --verbose), `##[error]msg`,
`##[warning]msg`, `##[notice]msg`; every other line as the step wrote it (masked).
`::add-mask::` and the state/output/env commands are consumed and never echoed.

A line longer than the splitter's piece size arrives in pieces (PartialLine, then the last piece):
text is masked across them (LineMasker); an `::add-mask::` value registers each piece (with a
little of the one before, so no piece is too short to register) and is never shown; any other
command is collected whole up to COMMAND_LIMIT and ignored, with a warning, beyond it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from conveyor.errors import SourceLocation
from conveyor.executors.local.job_state import JobRun
from conveyor.executors.local.lines import PartialLine
from conveyor.executors.local.masking import MIN_SECRET_LENGTH, LineMasker, Registration
from conveyor.executors.local.workflow_commands import (
    LEGACY_PREFIX,
    WorkflowCommand,
    parse_command,
    unescape_data,
)
from conveyor.model.results import Annotation, AnnotationLevel

_LEVELS = {
    "error": AnnotationLevel.ERROR,
    "warning": AnnotationLevel.WARNING,
    "notice": AnnotationLevel.NOTICE,
}
_UNSECURE = ("set-env", "add-path")
_COMMANDS = frozenset(
    {*_LEVELS, *_UNSECURE, "add-mask", "debug", "group", "endgroup", "echo"}
    | {"set-output", "save-state", "stop-commands"}
)
COMMAND_LIMIT = 1024 * 1024  # characters of one command line that arrives in pieces
_MASK_OVERLAP = 32  # characters of the previous piece registered with each add-mask piece


class StepLog:
    """Receives a step's output lines (`lines` is the `on_lines` of its process)."""

    def __init__(
        self,
        run: JobRun,
        index: int | None,
        allow_unsecure: bool = False,
        location: SourceLocation | None = None,
    ) -> None:
        self.run = run
        self.index = index
        self.location = location
        self.allow_unsecure = allow_unsecure
        self.outputs: dict[str, str] = {}
        self.state: dict[str, str] = {}
        self.errors: list[str] = []  # commands that fail the step
        self._stop_token: str | None = None
        self._echo = False
        self._rest: Callable[[str, bool], None] | None = None  # the next pieces of a long line
        self._line = LineMasker(run.masker)
        self._collected: list[str] = []
        self._collected_size = 0
        self._mask_tail = ""

    def lines(self, batch: list[str]) -> None:
        """Many lines at once. The usual batch (no command, no piece of a long line) is checked
        as one text and reported line by line, masked only when the text holds a secret."""
        if self._plain_state() and PartialLine not in map(type, batch):
            text = "\n".join(batch)
            if "::" not in text and LEGACY_PREFIX not in text:
                self._report(batch, text)
                return
        for line in batch:
            plain = line.__class__ is str and "::" not in line and LEGACY_PREFIX not in line
            if plain and self._plain_state():
                self._report((line,), line)
            else:
                self(line)

    def _plain_state(self) -> bool:
        """No long line, stop-commands or echo under way: a plain line is just reported."""
        return self._rest is None and self._stop_token is None and not self._echo

    def _report(self, batch: Sequence[str], text: str) -> None:
        masker = self.run.masker
        if not masker.empty and masker.contains_secret(text):
            batch = [masker.mask(line) for line in batch]
        self.run.reporter.log_lines(self.run.document.instance_key, self.index, batch)

    def plain_lines(self, batch: list[str]) -> None:
        """Lines shown as they are (masked): output of commands run by native actions."""
        for line in batch:
            if self._rest is not None:
                self._continue(line)
            elif type(line) is PartialLine:
                self._start(line, self._text_piece)
            else:
                self.run.log(self.index, line)

    def __call__(self, line: str) -> None:
        if self._rest is not None:
            self._continue(line)
            return
        if type(line) is PartialLine:
            self._first_piece(line)
            return
        if self._stop_token is not None:
            if line.strip() == f"::{self._stop_token}::":
                self._stop_token = None
            else:
                self.write(line)
            return
        command = parse_command(line)
        echo = self._echo  # as on GitHub: `::echo::on` is not echoed, `::echo::off` is
        if command is None or not self._apply(command) or (echo and command.name != "add-mask"):
            self.write(line)

    def write(self, text: str) -> None:
        for line in text.split("\n") if "\n" in text else (text,):
            self.run.log(self.index, line.removesuffix("\r"))

    def error(self, message: str) -> None:
        """An error of the step itself (shown, annotated, and failing the step)."""
        self.errors.append(message)
        self.run.error(self.index, message, self.location)

    # -- lines in pieces ----------------------------------------------------------------------

    def _first_piece(self, piece: str) -> None:
        command = None if self._stop_token is not None else parse_command(piece)
        if command is None or command.name not in _COMMANDS:
            self._start(piece, self._text_piece)
        elif command.name == "add-mask":
            self._mask_tail = ""
            self._rest = self._mask_piece
            self._register_piece(command.data)
        else:
            self._collected, self._collected_size = [], 0
            self._start(piece, self._command_piece)

    def _start(self, piece: str, rest: Callable[[str, bool], None]) -> None:
        self._rest = rest
        rest(piece, False)

    def _continue(self, piece: str) -> None:
        rest, last = self._rest, type(piece) is not PartialLine
        if last:
            self._rest = None  # the next line is a line of its own again
        if rest is not None:
            rest(piece, last)

    def _text_piece(self, piece: str, last: bool) -> None:
        shown = self._line.piece(piece, last)
        if shown:
            self.run.reporter.log_line(self.run.document.instance_key, self.index, shown)

    def _mask_piece(self, piece: str, last: bool) -> None:
        self._register_piece(unescape_data(piece))
        if last and self._echo:
            self.write("::add-mask::***")

    def _register_piece(self, data: str) -> None:
        """One piece of a long `::add-mask::` value, with the end of the piece before it (so
        that a short last piece still registers, and the pieces' masks overlap)."""
        value = self._mask_tail + data
        self.run.masker.add(value)
        self._mask_tail = value[-_MASK_OVERLAP:]

    def _command_piece(self, piece: str, last: bool) -> None:
        if self._collected_size <= COMMAND_LIMIT:
            self._collected.append(piece)
            self._collected_size += len(piece)
        if not last:
            return
        line, self._collected = "".join(self._collected), []
        if self._collected_size <= COMMAND_LIMIT:
            self(line)
            return
        command = parse_command(line[:1024])
        self.write(
            f"##[warning]A workflow command line longer than {COMMAND_LIMIT // 1024} KiB was "
            f"ignored: {command.name if command else 'unknown'}"
        )

    # -- commands -----------------------------------------------------------------------------

    def _apply(self, command: WorkflowCommand) -> bool:
        name = command.name
        if name in _LEVELS:
            self._annotate(command)
        elif name == "add-mask":
            self._add_mask(command.data)
        elif name in ("debug", "group"):
            self.write(f"##[{name}]{command.data}")
        elif name == "endgroup":
            self.write("##[endgroup]")
        elif name in ("set-output", "save-state"):
            self._set_named(command)
        elif name in _UNSECURE:
            self._unsecure(command)
        elif name == "stop-commands":
            self._stop(command.data)
        elif name == "echo":
            self._echo = command.data.strip().lower() == "on"
        else:
            return False
        return True

    def _add_mask(self, value: str) -> None:
        registration = self.run.masker.add(value)
        if registration is Registration.BLANK:
            self.write("##[warning]Can't add secret mask for empty string in ##[add-mask] command.")
        elif registration is Registration.TOO_SHORT:
            self.write(
                f"##[warning]Can't add secret mask for a value shorter than {MIN_SECRET_LENGTH} "
                "characters in ##[add-mask] command: it would mask ordinary text."
            )
        if self._echo:
            self.write("::add-mask::***")

    def _annotate(self, command: WorkflowCommand) -> None:
        level = _LEVELS[command.name]
        self.write(f"##[{command.name}]{command.data}")
        self.run.annotate(
            Annotation(
                level=level,
                message=command.data,
                title=command.get("title"),
                file=self._relative(command.get("file")),
                line=_number(command.get("line")),
                end_line=_number(command.get("endline")),
                column=_number(command.get("col")),
                end_column=_number(command.get("endcolumn")),
            )
        )

    def _relative(self, path: str | None) -> str | None:
        if not path:
            return None
        workspace = str(self.run.layout.workspace)
        if os.path.isabs(path) and path.startswith(workspace + os.sep):
            return os.path.relpath(path, workspace)
        return path

    def _set_named(self, command: WorkflowCommand) -> None:
        name = command.get("name")
        if not name:
            self.write(f"##[warning]::{command.name}:: needs a 'name' property")
            return
        target = self.outputs if command.name == "set-output" else self.state
        target[name] = command.data

    def _unsecure(self, command: WorkflowCommand) -> None:
        if not self.allow_unsecure:
            self.error(
                f"The `{command.name}` command is disabled. Please upgrade to using Environment "
                "Files or opt into unsecure command execution by setting the "
                "`ACTIONS_ALLOW_UNSECURE_COMMANDS` environment variable to `true`."
            )
        elif command.name == "add-path":
            self.run.add_path(command.data)
        elif name := command.get("name"):
            self.run.set_env(name, command.data)

    def _stop(self, token: str) -> None:
        if not token or token.lower() in _LEVELS or token.lower() == "pause-logging":
            self.write(f"##[warning]Invalid stop-commands token '{token}'")
            return
        self._stop_token = token


def _number(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None
