"""The local executor's `services:` hook, backed by the service launcher (conveyor.services)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from conveyor.engine.ports.executor import JobDocument, JobReporter
from conveyor.engine.ports.services import ServiceLauncher, ServiceRequest
from conveyor.executors.local import ServicesStarter


def services_starter(launcher: ServiceLauncher, log_root: Path | None) -> ServicesStarter:
    """Start a job's services before its steps, stop them after (also on failure or cancel)."""

    @contextmanager
    def start(document: JobDocument, reporter: JobReporter) -> Iterator[Mapping[str, object]]:
        wanted = [spec for spec in document.services if spec.image.strip()]
        if not wanted:
            yield {}
            return
        log_dir = None
        if log_root is not None:
            log_dir = str(log_root / document.run_id / _safe(document.instance_key))
        request = ServiceRequest(job_label=document.instance_key, log_dir=log_dir)
        with launcher.start_all(wanted, request) as started:
            for note in started.warnings:
                reporter.log_line(document.instance_key, None, f"##[warning]{note}")
            yield started.contexts()

    return start


def lazy_services_starter(log_root: Path | None) -> ServicesStarter:
    """Builds the launcher only when a job has services (keeps plain runs light)."""
    built: list[ServicesStarter] = []

    def start(
        document: JobDocument, reporter: JobReporter
    ) -> AbstractContextManager[Mapping[str, object]]:
        if not any(spec.image.strip() for spec in document.services):
            return nullcontext({})
        if not built:
            from conveyor.services import launcher_from_settings

            launcher, _settings = launcher_from_settings({})
            built.append(services_starter(launcher, log_root))
        return built[0](document, reporter)

    return start


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in text)[:100]
