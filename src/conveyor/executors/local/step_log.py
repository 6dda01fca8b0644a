"""A step's output lines: workflow commands applied, secrets masked, the rest reported.

What the reporter sees (GitHub's raw log notation, for displays to render):
`##[group]title`, `##[endgroup]`, `##[debug]msg` (show with --verbose), `##[error]msg`,
`##[warning]msg`, `##[notice]msg`; every other line as the step wrote it (masked).
`::add-mask::` and the state/output/env commands are consumed and never echoed.
"""

from __future__ import annotations

import os

from conveyor.errors import SourceLocation
from conveyor.executors.local.job_state import JobRun
from conveyor.executors.local.workflow_commands import WorkflowCommand, parse_command
from conveyor.model.results import Annotation, AnnotationLevel

_LEVELS = {
    "error": AnnotationLevel.ERROR,
    "warning": AnnotationLevel.WARNING,
    "notice": AnnotationLevel.NOTICE,
}
_UNSECURE = ("set-env", "add-path")


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

    def lines(self, batch: list[str]) -> None:
        """Many lines at once; lines without `::` go straight to the reporter (masked)."""
        if self._stop_token is not None or self._echo:
            for line in batch:
                self(line)
            return
        report, key, index = self.run.reporter.log_line, self.run.document.instance_key, self.index
        masker = self.run.masker
        for line in batch:
            if "::" in line:
                self(line)
            elif masker.empty:
                report(key, index, line)
            else:
                report(key, index, masker.mask(line))

    def plain_lines(self, batch: list[str]) -> None:
        """Lines shown as they are (masked): output of commands run by native actions."""
        for line in batch:
            self.run.log(self.index, line)

    def __call__(self, line: str) -> None:
        if self._stop_token is not None:
            if line.strip() == f"::{self._stop_token}::":
                self._stop_token = None
            else:
                self.write(line)
            return
        command = parse_command(line)
        if command is None or not self._apply(command) or self._echo:
            self.write(line)

    def write(self, text: str) -> None:
        for line in text.split("\n") if "\n" in text else (text,):
            self.run.log(self.index, line.removesuffix("\r"))

    def error(self, message: str) -> None:
        """An error of the step itself (shown, annotated, and failing the step)."""
        self.errors.append(message)
        self.run.error(self.index, message, self.location)

    def _apply(self, command: WorkflowCommand) -> bool:
        name = command.name
        if name in _LEVELS:
            self._annotate(command)
        elif name == "add-mask":
            if not self.run.masker.add(command.data):
                self.write(
                    "##[warning]Can't add secret mask for empty string in ##[add-mask] command."
                )
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
