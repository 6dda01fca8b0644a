"""The process's clock: the real time, shifted by an offset set once when the process starts.

`conveyor serve` sets the offset from `CONVEYOR_CLOCK_START` (bootstrap/clock_settings.py), so a
schedule tick, the local forge's timestamps and the natives of its runs (`conveyor/stale`) all
see the same "now" — a demo or a test drives a nightly cron, or makes an issue 61 days old,
without waiting. Everything else leaves it at zero: `now()` is then `time.time()`."""

from __future__ import annotations

import time

_offset = [0.0]  # seconds added to the real time


def now() -> float:
    """Seconds since the epoch, by this process's clock."""
    return time.time() + _offset[0]


def start_at(instant: float) -> None:
    """From now on, `now()` runs on at the real pace from `instant`."""
    _offset[0] = instant - time.time()


def offset() -> float:
    return _offset[0]
