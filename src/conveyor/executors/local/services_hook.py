"""The hook through which a LocalExecutor gets a job's `services:` started and stopped.

A `ServicesStarter` is called with the job document, reporter and cancel signal before the first
step (a cancel stops its waiting for services to become ready); it
returns a context manager that starts every service (and waits until they are ready), yields the
`job.services` context — `{service_id: {"id": ..., "network": ..., "ports": {"5432": "49153"}}}`
— and stops them all when the job's steps are done, also after a failure or a cancel. Raising a
`ConveyorError` from it fails the job with that message. Bootstrap adapts the service provider
port (conveyor.engine.ports.services) to this shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager

from conveyor.engine.ports.executor import CancelSignal, JobDocument, JobReporter
from conveyor.errors import InfrastructureError

ServicesStarter = Callable[
    [JobDocument, JobReporter, CancelSignal], AbstractContextManager[Mapping[str, object]]
]


@contextmanager
def no_services(
    document: JobDocument, reporter: JobReporter, cancel: CancelSignal
) -> Iterator[Mapping[str, object]]:
    """Used when no starter is configured: fine for jobs without services (or with `image: ''`
    only, which GitHub does not start either); an error otherwise."""
    wanted = [service.id for service in document.services if service.image.strip()]
    if wanted:
        raise InfrastructureError(
            f"the job needs services ({', '.join(wanted)}) but no service provider is configured "
            "for the local executor"
        )
    yield {}
