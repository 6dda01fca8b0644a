"""`conveyor rerun RUN [--failed | --job ID]`: a new attempt of a finished run, with the same
event and inputs; jobs that are not re-run keep their results and outputs.

The store side is here (checks, what to re-run); the attempt runs through `conveyor run`'s own
path (`conveyor.bootstrap.run.run_local`: display, Ctrl-C, summary, exit status) with the
stored run's options, event and commit (`conveyor.bootstrap.rerun_options`). Secrets are never
stored: the attempt gets the stored ones, and `--secret`/`--secret-file` as `conveyor run` does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import click

from conveyor.bootstrap.recording import RerunTarget
from conveyor.bootstrap.rerun_options import rerun_options
from conveyor.bootstrap.rerun_plan import RerunPlan, plan_rerun
from conveyor.bootstrap.settings import load_settings
from conveyor.bootstrap.settings_store import opened_store
from conveyor.cli import run_command, run_options
from conveyor.errors import UsageError
from conveyor.store import StoreHandle


@click.command("rerun")
@click.argument("run_id", metavar="RUN", type=int)
@click.option("--failed", is_flag=True, help="Re-run only failed (and cancelled) jobs.")
@click.option("--job", "job_id", metavar="ID", help="Re-run this job (and the jobs needing it).")
@click.option(
    "--secret", "secrets", multiple=True, metavar="K[=V]", help="A secret (K alone: from $K)."
)
@click.option("--secret-file", "secret_files", multiple=True, type=click.Path(path_type=Path))
def rerun_command(
    run_id: int,
    failed: bool,
    job_id: str | None,
    secrets: tuple[str, ...] = (),
    secret_files: tuple[Path, ...] = (),
) -> int:
    """Start a new attempt of a finished run."""
    if failed and job_id:
        raise UsageError("--failed and --job cannot be used together")
    given = run_options.secrets(secrets, secret_files)
    with opened_store() as store:
        plan = plan_rerun(store, run_id, failed=failed, job_id=job_id)
        plan = dataclasses.replace(plan, secrets=given, strict=job_id is not None)
        return launcher()(store, plan)


def launcher() -> Callable[[StoreHandle, RerunPlan], int]:
    """What starts the planned attempt (a seam for tests of the planning alone)."""
    return rerun_attempt


def rerun_attempt(store: StoreHandle, plan: RerunPlan) -> int:
    """Run the new attempt; returns `conveyor run`'s exit status."""
    settings = load_settings()
    options = rerun_options(
        plan.request, plan.secrets, home=settings.home, parallel=settings.parallel
    )
    target = RerunTarget(plan.request.run.id, plan.rerun, strict=plan.strict)
    return run_command.run(options, settings, rerun=target, store=store)
