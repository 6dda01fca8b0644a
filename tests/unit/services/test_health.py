"""Docker durations, `--health-*` flags and the probe loop (scripted probes)."""

from __future__ import annotations

import threading
from collections.abc import Mapping

import pytest

from conveyor.services.health import (
    DEFAULT_INTERVAL,
    HealthCheck,
    ProbeResult,
    health_check_from_flags,
    parse_duration,
    wait_healthy,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("10s", 10.0),
        ("500ms", 0.5),
        ("1m30s", 90.0),
        ("1.5h", 5400.0),
        ("2m", 120.0),
        ("0", 0.0),
        ("250us", 0.00025),
        ("1h2m3s4ms", 3723.004),
        (" 5s ", 5.0),
        (".5s", 0.5),
    ],
)
def test_docker_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["10", "", "s", "10 s", "1d", "ten seconds", "5s5"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)


def test_the_github_docs_example() -> None:
    flags = {
        "health-cmd": "pg_isready",
        "health-interval": "10s",
        "health-timeout": "5s",
        "health-retries": "5",
    }
    assert health_check_from_flags(flags) == HealthCheck("pg_isready", 10.0, 5.0, 5, 0.0)


def test_defaults_and_zero_values_mean_dockers_defaults() -> None:
    check = health_check_from_flags({"health-cmd": "true", "health-interval": "0"})
    assert check == HealthCheck("true")
    assert check is not None
    assert check.interval == DEFAULT_INTERVAL


@pytest.mark.parametrize(
    "flags",
    [{}, {"health-cmd": "NONE"}, {"health-cmd": "true", "no-healthcheck": ""}],
)
def test_no_health_check(flags: Mapping[str, str]) -> None:
    assert health_check_from_flags(flags) is None


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"health-cmd": "x", "health-retries": "many"}, "whole number"),
        ({"health-cmd": "x", "health-retries": "-1"}, "negative"),
        ({"health-cmd": "x", "health-timeout": "-1s"}, "negative"),
        ({"health-cmd": "x", "health-interval": "10"}, "invalid duration"),
    ],
)
def test_bad_flags(flags: Mapping[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        health_check_from_flags(flags)


class ScriptedProbe:
    """Answers with the scripted exit codes, then keeps repeating the last one."""

    def __init__(self, *codes: int | None) -> None:
        self.codes = list(codes)
        self.calls: list[tuple[str, float]] = []

    def __call__(self, command: str, env: Mapping[str, str], timeout: float) -> ProbeResult:
        self.calls.append((command, timeout))
        code = self.codes.pop(0) if len(self.codes) > 1 else self.codes[0]
        return ProbeResult(code, f"probe {len(self.calls)}")


def quick(**overrides: float) -> HealthCheck:
    values: dict[str, float] = {"interval": 0.001, "timeout": 2.0, "start_interval": 0.001}
    values.update(overrides)
    return HealthCheck(
        "probe",
        interval=values["interval"],
        timeout=values["timeout"],
        retries=int(values.get("retries", 3)),
        start_period=values.get("start_period", 0.0),
        start_interval=values["start_interval"],
    )


def test_healthy_on_the_first_probe() -> None:
    probe = ScriptedProbe(0)
    outcome = wait_healthy(quick(), {}, threading.Event(), probe)
    assert (outcome.healthy, outcome.probes) == (True, 1)
    assert probe.calls == [("probe", 2.0)]


def test_healthy_after_failures_within_retries() -> None:
    outcome = wait_healthy(quick(retries=3), {}, threading.Event(), ScriptedProbe(1, 1, 0))
    assert (outcome.healthy, outcome.probes) == (True, 3)


def test_unhealthy_after_retries_consecutive_failures() -> None:
    outcome = wait_healthy(quick(retries=2), {}, threading.Event(), ScriptedProbe(1, None, 0))
    assert not outcome.healthy
    assert outcome.probes == 2
    assert outcome.last == ProbeResult(None, "probe 2")
    assert outcome.last.describe() == "timed out"


def test_failures_during_the_start_period_do_not_count() -> None:
    probe = ScriptedProbe(*([1] * 30), 0)
    check = quick(retries=1, start_period=60.0, start_interval=0.0001)
    outcome = wait_healthy(check, {}, threading.Event(), probe)
    assert (outcome.healthy, outcome.probes) == (True, 31)


def test_cancel_stops_waiting() -> None:
    cancel = threading.Event()
    cancel.set()
    outcome = wait_healthy(quick(retries=5), {}, cancel, ScriptedProbe(1))
    assert outcome.cancelled
    assert not outcome.healthy
    assert outcome.probes == 1


def test_probe_descriptions() -> None:
    assert ProbeResult(127, "").describe() == "exited with 127 (command not found)"
    assert ProbeResult(1, "").describe() == "exited with 1"
    assert ProbeResult(0, "").healthy
