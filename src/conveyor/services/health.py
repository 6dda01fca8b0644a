"""Docker-style health checks (`--health-cmd` & co.), run on the host.

The command runs with `/bin/sh -c` (Docker's CMD-SHELL form) in an environment the provider
prepares so that the usual commands reach the service: e.g. `PGHOST`/`PGPORT` for `pg_isready`,
a `redis-cli` on PATH that already points at the service's real port. Exit 0 is healthy.

Timing follows Docker: `retries` consecutive failures after `start_period` make the service
unhealthy; a probe that runs longer than `timeout` fails. One deliberate difference: the first
probe runs at once (the provider's own readiness check has passed by then), not after one
`interval`; later probes follow `start_interval` during the start period and `interval` after it.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from conveyor.engine.ports.executor import CancelSignal

DEFAULT_INTERVAL = 30.0
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
DEFAULT_START_INTERVAL = 5.0
OUTPUT_LIMIT = 4096

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


def parse_duration(text: str) -> float:
    """Go's `time.ParseDuration`, as Docker reads `--health-interval` ("1m30s", "500ms")."""
    source = text.strip()
    sign = -1.0 if source.startswith("-") else 1.0
    body = source.lstrip("+-")
    if body == "0":
        return 0.0
    position, total = 0, 0.0
    while position < len(body):
        match = _DURATION_PART.match(body, position)
        if match is None:
            raise ValueError(f"invalid duration {text!r} (expected e.g. 10s, 500ms, 1m30s)")
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    if not body:
        raise ValueError(f"invalid duration {text!r} (expected e.g. 10s, 500ms, 1m30s)")
    return sign * total


@dataclass(frozen=True, slots=True)
class HealthCheck:
    """A parsed `--health-*` set; zero values mean Docker's defaults, as in Docker."""

    command: str
    interval: float = DEFAULT_INTERVAL
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    start_period: float = 0.0
    start_interval: float = DEFAULT_START_INTERVAL


def health_check_from_flags(flags: Mapping[str, str]) -> HealthCheck | None:
    """Build the check from `--health-*` flag values (names without dashes); ValueError if bad."""
    check = HealthCheck(
        command=flags.get("health-cmd", ""),
        interval=_duration_flag(flags, "health-interval", DEFAULT_INTERVAL),
        timeout=_duration_flag(flags, "health-timeout", DEFAULT_TIMEOUT),
        retries=_retries_flag(flags.get("health-retries")),
        start_period=_duration_flag(flags, "health-start-period", 0.0),
        start_interval=_duration_flag(flags, "health-start-interval", DEFAULT_START_INTERVAL),
    )
    if "no-healthcheck" in flags or not check.command or check.command.upper() == "NONE":
        return None
    return check


def _duration_flag(flags: Mapping[str, str], name: str, default: float) -> float:
    if name not in flags:
        return default
    value = parse_duration(flags[name])
    if value < 0:
        raise ValueError(f"--{name} cannot be negative: {flags[name]!r}")
    return value or default


def _retries_flag(text: str | None) -> int:
    if text is None:
        return DEFAULT_RETRIES
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"--health-retries must be a whole number, not {text!r}") from None
    if value < 0:
        raise ValueError(f"--health-retries cannot be negative: {text!r}")
    return value or DEFAULT_RETRIES


@dataclass(frozen=True, slots=True)
class ProbeResult:
    exit_code: int | None  # None: timed out
    output: str

    @property
    def healthy(self) -> bool:
        return self.exit_code == 0

    def describe(self) -> str:
        if self.exit_code is None:
            return "timed out"
        hint = " (command not found)" if self.exit_code == 127 else ""
        return f"exited with {self.exit_code}{hint}"


def run_probe(command: str, env: Mapping[str, str], timeout: float) -> ProbeResult:
    """Run the health command once in its own process group; kill the group on timeout."""
    process = subprocess.Popen(
        ["/bin/sh", "-c", command],
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process.pid)
        output, _ = process.communicate()
        return ProbeResult(None, _text(output))
    return ProbeResult(process.returncode, _text(output))


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def _text(output: bytes) -> str:
    return output[-OUTPUT_LIMIT:].decode("utf-8", "replace").strip()


@dataclass(frozen=True, slots=True)
class HealthOutcome:
    healthy: bool
    probes: int
    last: ProbeResult | None
    cancelled: bool = False


Probe = Callable[[str, Mapping[str, str], float], ProbeResult]


def wait_healthy(
    check: HealthCheck,
    env: Mapping[str, str],
    cancel: CancelSignal,
    probe: Probe = run_probe,
) -> HealthOutcome:
    """Probe until healthy, `retries` failures past the start period, or cancel."""
    started = time.monotonic()
    failures, probes = 0, 0
    while True:
        result = probe(check.command, env, check.timeout)
        probes += 1
        if result.healthy:
            return HealthOutcome(True, probes, result)
        in_start_period = time.monotonic() - started < check.start_period
        failures += 0 if in_start_period else 1
        if failures >= check.retries:
            return HealthOutcome(False, probes, result)
        pause = check.start_interval if in_start_period else check.interval
        if cancel.wait(pause):
            return HealthOutcome(False, probes, result, cancelled=True)
