"""Starting a job's services in parallel and always stopping them (fake providers)."""

from __future__ import annotations

import threading
from collections.abc import Mapping

import pytest

from conveyor.engine.ports.executor import CancelSignal
from conveyor.engine.ports.services import ServiceProvider, ServiceRequest
from conveyor.errors import InfrastructureError
from conveyor.model.services import ServiceSpec
from conveyor.services.fake import (
    FakeServiceHandle,
    FakeServiceProvider,
    FakeServiceRegistry,
    fake_launcher,
)
from conveyor.services.supervisor import AbortSignal, LocalServiceLauncher
from tests.unit.services.factories import service

SPECS = (
    service("postgres", "postgres:16", ports=("5432:5432",), env={"POSTGRES_PASSWORD": "pw"}),
    service("redis", "redis:7", ports=("6379",)),
)


def test_contexts_have_githubs_shape() -> None:
    provider = FakeServiceProvider()
    with fake_launcher(provider).start_all(SPECS, ServiceRequest(log_dir="/logs")) as started:
        assert started.contexts() == {
            "postgres": {
                "id": "conveyor-fake-postgres",
                "network": "host",
                "ports": {"5432": "5432"},
            },
            "redis": {"id": "conveyor-fake-redis", "network": "host", "ports": {"6379": "40000"}},
        }
        assert started.handles["postgres"].log_path == "/logs/postgres.log"
        assert len(provider.live()) == 2
    assert provider.live() == []


def test_two_jobs_asking_for_the_same_port_get_different_ones() -> None:
    provider = FakeServiceProvider()
    launcher = fake_launcher(provider)
    with (
        launcher.start_all(SPECS[:1], ServiceRequest()) as one,
        launcher.start_all(SPECS[:1], ServiceRequest()) as two,
    ):
        ports = {one.handles["postgres"].ports["5432"], two.handles["postgres"].ports["5432"]}
        assert ports == {5432, 40000}


def test_one_failure_stops_the_others_and_raises() -> None:
    provider = FakeServiceProvider(failures={"redis:*": "never became healthy"})
    with pytest.raises(InfrastructureError, match="never became healthy"):
        fake_launcher(provider).start_all(SPECS, ServiceRequest())
    assert provider.live() == []
    assert [h.service_id for h in provider.started] == ["postgres"]


def test_an_exception_in_the_job_still_stops_everything() -> None:
    provider = FakeServiceProvider()
    with pytest.raises(RuntimeError), fake_launcher(provider).start_all(SPECS, ServiceRequest()):
        raise RuntimeError("step crashed")
    assert provider.live() == []
    assert len(provider.started) == 2


def test_empty_image_is_not_started_and_no_services_is_fine() -> None:
    provider = FakeServiceProvider()
    started = fake_launcher(provider).start_all([service("skipped", "")], ServiceRequest())
    assert started.contexts() == {}
    assert provider.started == []
    assert fake_launcher(provider).start_all([], ServiceRequest()).warnings == []


class BlockingProvider:
    """Starts nothing until cancelled; records that it noticed."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.noticed = threading.Event()

    @property
    def name(self) -> str:
        return "blocking"

    def start(
        self, spec: ServiceSpec, request: ServiceRequest, cancel: CancelSignal
    ) -> FakeServiceHandle:
        self.entered.set()
        while not cancel.wait(0.01):
            pass
        self.noticed.set()
        raise InfrastructureError(f"service {spec.id}: cancelled while starting")


class Router:
    def __init__(self, routes: Mapping[str, ServiceProvider]) -> None:
        self.routes = routes

    def provider_for(self, image: str) -> ServiceProvider:
        return self.routes[image]


def test_a_failure_makes_the_slow_siblings_give_up() -> None:
    blocking = BlockingProvider()
    failing = FakeServiceProvider(failures={"*": "exited with status 1"})
    launcher = LocalServiceLauncher(Router({"slow": blocking, "bad": failing}))
    with pytest.raises(InfrastructureError, match="exited with status 1"):
        launcher.start_all([service("a", "slow"), service("b", "bad")], ServiceRequest())
    assert blocking.noticed.is_set()


def test_the_jobs_cancel_signal_reaches_the_providers() -> None:
    blocking = BlockingProvider()
    cancel = threading.Event()
    launcher = LocalServiceLauncher(Router({"slow": blocking}))
    threading.Thread(target=lambda: blocking.entered.wait(5) and cancel.set()).start()
    with pytest.raises(InfrastructureError, match="cancelled"):
        launcher.start_all([service("a", "slow")], ServiceRequest(), cancel)


def test_unknown_image_starts_nothing() -> None:
    provider = FakeServiceProvider()

    class Picky(FakeServiceRegistry):
        def provider_for(self, image: str) -> ServiceProvider:
            if image == "mysql:8":
                raise InfrastructureError("no service provider for image 'mysql:8'")
            return self.provider

    launcher = LocalServiceLauncher(Picky(provider))
    with pytest.raises(InfrastructureError, match="mysql"):
        launcher.start_all([SPECS[0], service("db2", "mysql:8")], ServiceRequest())
    assert provider.started == []


def test_abort_signal_combines_both_sources() -> None:
    outer = threading.Event()
    abort = AbortSignal(outer)
    assert not abort.is_set()
    assert not abort.wait(0.01)
    outer.set()
    assert abort.is_set()
    assert abort.wait(1)
    own = AbortSignal()
    own.set()
    assert own.wait(0)


def test_warnings_are_gathered_from_the_handles() -> None:
    provider = FakeServiceProvider()
    started = fake_launcher(provider).start_all(SPECS, ServiceRequest())
    provider.started[0].warnings = ("service postgres: volumes ignored",)
    assert started.warnings == ["service postgres: volumes ignored"]
    started.stop()
    started.stop()  # idempotent
    assert provider.live() == []
