"""`conveyor run`: run a repository's workflows for an event, here, as GitHub would."""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TextIO

import click

from conveyor.bootstrap.local_options import EventRefs, LocalRunOptions
from conveyor.bootstrap.settings import Settings, load_settings
from conveyor.cli import run_options
from conveyor.cli.event_options import event_options

# The engine, the executor and the display are imported once the run has started building its
# event on a thread (conveyor.bootstrap.run): their loading and git's work overlap.
if TYPE_CHECKING:
    from conveyor.bootstrap.local_run import PreparedRun
    from conveyor.bootstrap.recording import RerunTarget
    from conveyor.cli.display.run_view import RunView
    from conveyor.engine.ports.observer import RunObserver
    from conveyor.engine.records import RunRecord
    from conveyor.store import StoreHandle

EXIT_INTERRUPTED = 130


@click.command("run")
@click.argument("repo", required=False, default=".", type=click.Path(path_type=Path))
@click.option("-e", "--event", "event_name", default="push", show_default=True, help="Event name.")
@event_options
@click.option("--eventpath", type=click.Path(path_type=Path), help="Webhook payload (JSON).")
@click.option(
    "-W",
    "--workflows",
    type=click.Path(path_type=Path),
    help="A workflow file or a directory of them.",
)
@click.option("-j", "--job", help="Run this job (and the jobs it needs).")
@click.option(
    "--input", "inputs", multiple=True, metavar="K=V", help="workflow_dispatch/call input."
)
@click.option(
    "--secret", "secrets", multiple=True, metavar="K[=V]", help="A secret (K alone: from $K)."
)
@click.option("--secret-file", "secret_files", multiple=True, type=click.Path(path_type=Path))
@click.option("--var", "variables", multiple=True, metavar="K=V", help="A configuration variable.")
@click.option("--env", "env_values", multiple=True, metavar="K=V", help="An environment variable.")
@click.option("--env-file", "env_files", multiple=True, type=click.Path(path_type=Path))
@click.option(
    "--matrix", "matrix", multiple=True, metavar="K:V", help="Run only matching matrix legs."
)
@click.option("--parallel", type=click.IntRange(min=1), help="Jobs at once (default: CPU count).")
@click.option("--dry-run", is_flag=True, help="Plan and show the jobs; run no step.")
@click.option(
    "--offline", is_flag=True, help="Never fetch: remote actions from the cache or local copies."
)
@click.option("--json", "as_json", is_flag=True, help="Print the run record as JSON on stdout.")
@click.option("-v", "--verbose", is_flag=True, help="Show ::debug:: lines.")
@click.option(
    "--action-dir",
    "action_dirs",
    multiple=True,
    metavar="OWNER/REPO=PATH",
    help="Use the action in PATH for OWNER/REPO[/path] (over conveyor.toml).",
)
@click.option(
    "--skip-action",
    "skip_actions",
    multiple=True,
    metavar="OWNER/REPO",
    help="Report the steps using this action skipped (e.g. publishing).",
)
@click.option(
    "--isolate-home", is_flag=True, help="Give each job its own fresh HOME (not the user's)."
)
@click.option(
    "--working-tree",
    is_flag=True,
    help="Run the working tree's workflows and files, uncommitted changes included.",
)
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    metavar="LABEL=host",
    help="Run jobs for this runs-on label (windows-latest, macos-14...) on this host anyway.",
)
@click.option(
    "--native-actions",
    is_flag=True,
    help="Run marketplace actions (actions/labeler, actions/stale...) by conveyor's native ones.",
)
def run_command(
    repo: Path,
    event_name: str,
    ref: str | None,
    base: str | None,
    head: str | None,
    action: str | None,
    eventpath: Path | None,
    workflows: Path | None,
    job: str | None,
    inputs: tuple[str, ...],
    secrets: tuple[str, ...],
    secret_files: tuple[Path, ...],
    variables: tuple[str, ...],
    env_values: tuple[str, ...],
    env_files: tuple[Path, ...],
    matrix: tuple[str, ...],
    parallel: int | None,
    dry_run: bool,
    offline: bool,
    as_json: bool,
    verbose: bool,
    action_dirs: tuple[str, ...],
    skip_actions: tuple[str, ...],
    isolate_home: bool,
    working_tree: bool,
    platforms: tuple[str, ...],
    native_actions: bool,
) -> int:
    """Run the workflows of REPO (default: the current directory) that EVENT triggers."""
    settings = load_settings()
    options = LocalRunOptions(
        repository=repo,
        event_name=event_name,
        event_path=eventpath,
        workflows=workflows,
        job=job,
        inputs=run_options.pairs(inputs, "--input"),
        secrets=run_options.secrets(secrets, secret_files),
        vars=run_options.pairs(variables, "--var"),
        env=run_options.env(env_values, env_files),
        matrix=run_options.matrix(matrix),
        parallel=parallel or settings.parallel,
        dry_run=dry_run,
        home=settings.home,
        action_dirs=action_dirs,
        skip_actions=skip_actions,
        refs=EventRefs(ref, base, head, action),
        isolate_home=isolate_home,
        platforms=run_options.platforms(platforms),
        working_tree=working_tree,
        offline=offline,
        native_actions=native_actions,
    )
    return run(options, settings, as_json=as_json, verbose=verbose)


def run(
    options: LocalRunOptions,
    settings: Settings,
    *,
    as_json: bool = False,
    verbose: bool = False,
    rerun: RerunTarget | None = None,
    store: StoreHandle | None = None,
) -> int:
    """Run (`conveyor.bootstrap.run.run_local`) and show; the run record on stdout with
    `as_json`. Returns the exit status. SIGTERM stops the run as Ctrl-C does."""
    from conveyor.bootstrap.run import run_local

    human: TextIO = sys.stderr if as_json else sys.stdout
    terminal = Terminal(human, settings.home, verbose=verbose, plain=settings.plain)
    with _handling((signal.SIGTERM,), _interrupt):  # outside the run: as Ctrl-C
        record = run_local(options, terminal, settings=settings, rerun=rerun, store=store)
    if as_json:
        sys.stdout.write(json.dumps(record.as_json(), indent=2) + "\n")
    return exit_code(record)


class Terminal:
    """The run as `conveyor run` shows it (a RunDisplay): the live view or plain lines on
    `human`, log files under `home`, the summary; Ctrl-C and SIGTERM cancel the run. The view is
    made when the run first needs it (after the event has begun building)."""

    def __init__(self, human: TextIO, home: Path, *, verbose: bool, plain: bool) -> None:
        self._human = human
        self._home = home
        self._verbose = verbose
        self._plain = plain
        self._view: RunView | None = None

    @property
    def view(self) -> RunView:
        if self._view is None:
            from conveyor.cli.display.run_view import RunView

            self._view = RunView(self._human, self._home, verbose=self._verbose, plain=self._plain)
        return self._view

    @property
    def observer(self) -> RunObserver:
        return self.view.observer

    def prepared(self, prepared: PreparedRun) -> None:
        for warning in prepared.warnings:
            click.echo(f"conveyor: warning: {warning}", err=True)
        for note in prepared.notes:
            click.echo(f"conveyor: {note}", err=True)
        for workflow in prepared.not_started:
            for line in workflow.errors:
                click.echo(line, err=True)
        if not prepared.requests and not prepared.not_started:  # none fired (none failed either)
            self._human.write(f"conveyor: no workflow runs for '{prepared.event.name}'\n")
            for path, reason in prepared.not_fired:
                self._human.write(f"  {path}: {reason}\n")

    @contextmanager
    def running(self, cancel: Callable[[], None]) -> Iterator[None]:
        with self.view.showing(), _cancel_on_interrupt(cancel):
            yield

    def finished(self, record: RunRecord) -> None:
        self.view.summarise(record)


# SIGTERM (a service manager, `timeout`, `kill`) stops a run as Ctrl-C does.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def _cancel_on_interrupt(cancel: Callable[[], None]) -> Iterator[None]:
    """Ctrl-C (or SIGTERM) once: cancel gracefully; twice: stop now."""

    def handler(signum: int, frame: FrameType | None) -> None:
        cancel()

    with _handling(STOP_SIGNALS, handler):
        yield


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def _handling(
    numbers: tuple[signal.Signals, ...], handler: Callable[[int, FrameType | None], None]
) -> Iterator[None]:
    """`handler` for these signals inside the block (on the main thread; elsewhere as is)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, handler) for number in numbers}
    try:
        yield
    finally:
        for number, handler_before in previous.items():
            signal.signal(number, handler_before)


def exit_code(record: RunRecord) -> int:
    if record.interrupted:
        return EXIT_INTERRUPTED
    return 0 if record.conclusion.passed else 1
