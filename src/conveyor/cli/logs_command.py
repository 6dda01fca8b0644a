"""`conveyor logs RUN [JOB] [--step N] [--attempt N] [--follow]`: a run's step logs."""

from __future__ import annotations

import time
from dataclasses import dataclass

import click

from conveyor.bootstrap.settings_store import opened_store
from conveyor.engine.ports.store import LogKey, LogStore, RunStore, StoredJob, StoredRun
from conveyor.errors import UsageError

FOLLOW_INTERVAL = 0.2


@dataclass
class _Stream:
    key: LogKey
    title: str
    offset: int = 0
    shown: bool = False


@click.command("logs")
@click.argument("run_id", metavar="RUN", type=int)
@click.argument("job", required=False)
@click.option("--step", type=click.IntRange(min=1), help="Only step N (1-based, as shown).")
@click.option("--attempt", type=click.IntRange(min=1), help="An earlier attempt (default: latest).")
@click.option("-f", "--follow", is_flag=True, help="Keep printing until the run finishes.")
def logs_command(
    run_id: int, job: str | None, step: int | None, attempt: int | None, follow: bool
) -> None:
    """Print the logs of a run, or of one of its jobs (id, key or name)."""
    with opened_store() as store:
        run = store.runs.get_run(run_id)
        if run is None:
            raise UsageError(f"there is no run {run_id} (see `conveyor runs`)")
        chosen = _attempt(run, attempt)
        selection = Selection(store.runs, store.logs, run, chosen, job, step)
        selection.check()
        streams: dict[LogKey, _Stream] = {}
        while True:
            selection.print_new(streams)
            if not follow or not _active(store.runs, run_id, chosen):
                break
            time.sleep(FOLLOW_INTERVAL)
        selection.print_new(streams)  # what was written between the last read and the end


def _attempt(run: StoredRun, attempt: int | None) -> int:
    if attempt is None:
        return run.attempt
    if attempt > run.attempt:
        raise UsageError(f"run {run.id} has {run.attempt} attempt(s), not {attempt}")
    return attempt


def _active(runs: RunStore, run_id: int, attempt: int) -> bool:
    run = runs.get_run(run_id)
    return run is not None and run.attempt == attempt and run.conclusion is None


@dataclass
class Selection:
    runs: RunStore
    logs: LogStore
    run: StoredRun
    attempt: int
    job: str | None
    step: int | None

    def check(self) -> None:
        """A named job must exist (unless the run may still start it)."""
        if self.job is None or self.run.conclusion is None:
            return
        if not self.jobs():
            known = sorted({j.instance_key for j in self.runs.list_jobs(self.run.id, self.attempt)})
            listed = ", ".join(known) or "none"
            raise UsageError(f"run {self.run.id} has no job {self.job!r} (jobs: {listed})")

    def jobs(self) -> list[StoredJob]:
        found = self.runs.list_jobs(self.run.id, self.attempt)
        if self.job is None:
            return found
        return [j for j in found if self.job in (j.instance_key, j.job_id, j.name)]

    def keys(self) -> list[tuple[LogKey, str]]:
        keys: list[tuple[LogKey, str]] = []
        for job in self.jobs():
            steps = self.runs.list_steps(job.run_id, job.attempt, job.instance_key)
            names = {s.index: s.name for s in steps}
            for key in self._log_keys(job):
                if self.step is not None and key.step != self.step - 1:
                    continue
                keys.append((key, _title(job, key, names)))
        return keys

    def _log_keys(self, job: StoredJob) -> list[LogKey]:
        """A job reused by a rerun has its logs in the attempt that ran it."""
        for attempt in range(self.attempt, 0, -1):
            keys = self.logs.keys(self.run.id, attempt, job.instance_key)
            if keys or not job.reused:
                return keys
        return []

    def print_new(self, streams: dict[LogKey, _Stream]) -> None:
        for key, title in self.keys():
            stream = streams.setdefault(key, _Stream(key, title))
            chunk = self.logs.read(key, stream.offset)
            if not chunk.text:
                continue
            if not stream.shown:
                click.secho(stream.title, bold=True)
                stream.shown = True
            click.echo(chunk.text, nl=False)
            stream.offset = chunk.next_offset


def _title(job: StoredJob, key: LogKey, names: dict[int, str]) -> str:
    if key.step is None:
        return f"== {job.instance_key} =="
    name = names.get(key.step, "")
    return f"== {job.instance_key} / step {key.step + 1}: {name} ==".replace(":  ==", " ==")
