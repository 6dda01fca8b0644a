"""The local executor's `services:` hook, backed by the service launcher (conveyor.services),
configured by the `[services]` table of the settings (docs/services.md).

The effective table is layered as all settings are (DESIGN.md §3): `CONVEYOR_SERVICES_*`
variables, then `[services]` of the repository's conveyor.toml, then of the user's config.toml.
`conveyor.services` is imported only when a job has services or a container (plain runs stay light).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Protocol

from conveyor.bootstrap.settings import ConfigFile, config_files, services_variables
from conveyor.engine.ports.executor import CancelSignal, JobDocument, JobReporter
from conveyor.engine.ports.services import (
    ContainerPolicy,
    ServiceLauncher,
    ServiceRequest,
    StartedServices,
    decide_container,
)
from conveyor.errors import InfrastructureError, UsageError

ENV_PREFIX = "CONVEYOR_SERVICES_"
_PATH_SETTINGS = ("runtime-dir", "cache-dir")


class CancellableStarter(Protocol):
    """A `conveyor.executors.local.ServicesStarter` that also takes the job's CancelSignal, so a
    cancel stops waiting for services to become healthy (the executor may pass it or not)."""

    def __call__(
        self, document: JobDocument, reporter: JobReporter, cancel: CancelSignal | None = None
    ) -> AbstractContextManager[Mapping[str, object]]: ...


def env_variable(setting: str) -> str:
    """The variable for a `[services]` setting: `runtime-dir` → `CONVEYOR_SERVICES_RUNTIME_DIR`."""
    return ENV_PREFIX + setting.upper().replace("-", "_")


def services_table(
    repository: Path, environ: Mapping[str, str] | None = None, *, revision: str | None = None
) -> dict[str, object]:
    """The effective `[services]` table of a repository (`revision`: the run's commit, whose
    conveyor.toml counts when the working tree has none).

    A setting comes from the first layer that has it: the variables, conveyor.toml, the user's
    config.toml. Image rules of conveyor.toml come before the user's (a pattern in both is taken
    from conveyor.toml). Each layer is checked on its own, so an error names where it is.
    """
    layers = [_env_layer(services_variables() if environ is None else environ)]
    layers += [_file_layer(file) for file in config_files(repository, revision)]
    merged: dict[str, object] = {}
    for layer in layers:
        for key, value in layer.items():
            merged.setdefault(key, value)
    return merged


def _env_layer(environ: Mapping[str, str]) -> dict[str, object]:
    from conveyor.services.runtime import SETTING_KEYS

    layer: dict[str, object] = {}
    for setting in sorted(SETTING_KEYS):
        value = environ.get(env_variable(setting), "").strip()
        if value:
            layer[setting] = _env_value(setting, value)
    _check(layer, f"{ENV_PREFIX}* variables")
    return layer


def _env_value(setting: str, value: str) -> object:
    if setting != "startup-timeout":
        return value
    try:
        return float(value)
    except ValueError:
        raise UsageError(f"{env_variable(setting)}: not a number of seconds: {value!r}") from None


def _file_layer(file: ConfigFile) -> dict[str, object]:
    table = file.data.get("services", {})
    if not isinstance(table, Mapping):
        raise UsageError(f"{file.path}: [services] must be a table")
    layer = {str(key): value for key, value in table.items()}
    for setting in _PATH_SETTINGS:  # relative paths are taken from the file's directory
        value = layer.get(setting)
        if isinstance(value, str) and value and not Path(value).expanduser().is_absolute():
            layer[setting] = str(file.path.parent / value)
    _check(layer, f"{file.path}: [services]")
    return layer


def _check(layer: Mapping[str, object], source: str) -> None:
    from conveyor.services.registry import registry_from_settings

    try:
        registry_from_settings(layer)  # settings and rules; builds no process
    except UsageError as exc:
        raise UsageError(f"{source}: {exc}") from None


def container_check(document: JobDocument, policy: ContainerPolicy) -> None:
    """Fail (InfrastructureError naming the image) a job whose `container:` cannot be honoured
    under the `fail` policy. Under `host` the job runs on the host; the executor warns."""
    if document.container is None or not document.container.image.strip():
        return
    decision = decide_container(document.container, policy)
    if not decision.run_on_host:
        raise InfrastructureError(decision.message)


def services_starter(
    launcher: ServiceLauncher,
    log_root: Path | None,
    container: ContainerPolicy = ContainerPolicy.HOST,
) -> CancellableStarter:
    """Start a job's services before its steps, stop them after (also on failure or cancel).

    Each service's log is `<log_root>/<run id>/<job>/<service id>.log`; the job's log names it.
    """

    @contextmanager
    def start(
        document: JobDocument, reporter: JobReporter, cancel: CancelSignal | None = None
    ) -> Iterator[Mapping[str, object]]:
        container_check(document, container)
        wanted = [spec for spec in document.services if spec.image.strip()]
        if not wanted:
            yield {}
            return
        log_dir = None
        if log_root is not None:
            log_dir = str(log_root / _safe(document.run_id) / _safe(document.instance_key))
        request = ServiceRequest(document.instance_key, log_dir, secret_mask(document))
        with launcher.start_all(wanted, request, cancel) as started:
            _announce(document, reporter, started)
            yield started.contexts()

    return start


def secret_mask(document: JobDocument) -> Callable[[str], str] | None:
    """What masks the job's secrets in its services' logs (None: it has none)."""
    from conveyor.executors.local.executor import job_secrets
    from conveyor.executors.local.masking import SecretMasker

    masker = SecretMasker(job_secrets(document))
    return None if masker.empty else masker.mask


def _announce(document: JobDocument, reporter: JobReporter, started: StartedServices) -> None:
    for note in started.warnings:
        reporter.log_line(document.instance_key, None, f"##[warning]{note}")
    for handle in started.handles.values():
        ports = ", ".join(f"{inner}→{outer}" for inner, outer in handle.ports.items())
        line = (
            f"service {handle.service_id} ({handle.image}): {handle.provider} on {handle.host} "
            f"ports {ports or '-'}; log: {handle.log_path}"
        )
        reporter.log_line(document.instance_key, None, line)


def lazy_services_starter(
    log_root: Path | None, table: Mapping[str, object] | None = None, *, home: Path | None = None
) -> CancellableStarter:
    """Builds the launcher only when a job has services or a container.

    `table`: the `[services]` settings to use; None reads them (`services_table`) from the
    repository of the first such job, once per repository. A configuration error fails the job.
    `home`: `Settings.home`, where the services' caches are (without a `cache-dir` setting).
    """
    built: dict[str, CancellableStarter] = {}
    lock = threading.Lock()

    def start(
        document: JobDocument, reporter: JobReporter, cancel: CancelSignal | None = None
    ) -> AbstractContextManager[Mapping[str, object]]:
        wanted = any(spec.image.strip() for spec in document.services)
        if not wanted and document.container is None:
            return nullcontext({})
        with lock:
            starter = built.get(document.repository)
            if starter is None:
                chosen = services_table(Path(document.repository)) if table is None else table
                starter = built[document.repository] = _configured(chosen, log_root, home)
        return starter(document, reporter, cancel)

    return start


def _configured(
    table: Mapping[str, object], log_root: Path | None, home: Path | None
) -> CancellableStarter:
    from conveyor.services.registry import launcher_from_settings

    launcher, settings = launcher_from_settings(table, home=home)
    return services_starter(launcher, log_root, settings.container)


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in text)[:100]
