"""The `conveyor` command: a lazily loaded click group and the CLI's error boundary.

Exit codes (DESIGN.md §3): 0 success, 1 the run/lint/expression failed, 2 usage or configuration
error, 3 an unexpected internal error (traceback written to a file), 130 interrupted.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from conveyor import __version__
from conveyor.errors import ConveyorError
from conveyor.private_files import private_directory, restrict_umask

# command name -> "module:attribute"; modules are imported only when their command is used,
# which keeps `conveyor --version` fast.
COMMANDS: dict[str, str] = {
    "actions": "conveyor.cli.actions_command:actions_command",
    "approve": "conveyor.cli.approve_command:approve_command",
    "daemon": "conveyor.cli.daemon_command:daemon_command",
    "deployments": "conveyor.cli.deployments_command:deployments_command",
    "dispatch": "conveyor.cli.dispatch_command:dispatch_command",
    "environments": "conveyor.cli.environments_command:environments_command",
    "expr": "conveyor.cli.expr_command:expr_command",
    "graph": "conveyor.cli.graph_command:graph_command",
    "lint": "conveyor.cli.lint_command:lint_command",
    "list": "conveyor.cli.list_command:list_command",
    "logs": "conveyor.cli.logs_command:logs_command",
    "pr": "conveyor.cli.pr_command:pr_command",
    "reject": "conveyor.cli.approve_command:reject_command",
    "rerun": "conveyor.cli.rerun_command:rerun_command",
    "run": "conveyor.cli.run_command:run_command",
    "repos": "conveyor.cli.repos_command:repos_command",
    "runs": "conveyor.cli.runs_command:runs_command",
    "schedules": "conveyor.cli.schedules_command:schedules_command",
    "secrets": "conveyor.cli.secrets_command:secrets_command",
    "serve": "conveyor.cli.serve_command:serve_command",
    "tokens": "conveyor.cli.tokens_command:tokens_command",
    "triggers": "conveyor.cli.triggers_command:triggers_command",
    "vars": "conveyor.cli.vars_command:vars_command",
    "worker": "conveyor.cli.worker_command:worker_command",
    "workers": "conveyor.cli.workers_command:workers_command",
}

EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="conveyor")
def cli() -> None:
    """Run GitHub Actions workflows locally, self-hosted and at scale."""


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI and turn every outcome into an exit status. What conveyor
    writes is private to the user (umask 0o077; step processes get the user's umask back)."""
    restrict_umask()
    sys.exit(run_cli(argv))


def run_cli(argv: Sequence[str] | None = None) -> int:
    try:
        result = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except ConveyorError as exc:
        report_conveyor_error(exc)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return 2 if isinstance(exc, click.UsageError) else exc.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("conveyor: interrupted", err=True)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the boundary for everything unexpected
        report_internal_error(exc)
        return EXIT_INTERNAL
    return result if isinstance(result, int) else 0


def report_conveyor_error(exc: ConveyorError) -> None:
    if exc.diagnostics:
        for diagnostic in exc.diagnostics:
            click.echo(diagnostic.render(), err=True)
    else:
        click.echo(f"conveyor: error: {exc}", err=True)


def report_internal_error(exc: BaseException) -> None:
    path = write_traceback(exc)
    click.echo(
        f"conveyor: internal error: {type(exc).__name__}: {exc} (traceback in {path})", err=True
    )


def write_traceback(exc: BaseException) -> Path:
    import tempfile  # loaded only after a crash
    import traceback

    from conveyor.bootstrap.settings import explicit_home

    directory = explicit_home(os.environ) or Path(tempfile.gettempdir())
    try:
        private_directory(directory)
        fd, name = tempfile.mkstemp(prefix="conveyor-crash-", suffix=".txt", dir=directory)
    except OSError:
        fd, name = tempfile.mkstemp(prefix="conveyor-crash-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("".join(traceback.format_exception(exc)))
    return Path(name)
