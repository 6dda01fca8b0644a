"""`CONVEYOR_CLOCK_START`: the instant (ISO 8601 with a time zone, or seconds since the epoch)
`conveyor serve`'s clock starts at; it then runs on at the real pace (conveyor/clock.py).
Unset or empty: the real clock. A value that is not a time is a UsageError naming it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime

from conveyor import clock
from conveyor.errors import UsageError

CLOCK_START = "CONVEYOR_CLOCK_START"


def clock_start(environ: Mapping[str, str] | None = None) -> float | None:
    """The instant CONVEYOR_CLOCK_START names, or None when it is unset."""
    raw = (os.environ if environ is None else environ).get(CLOCK_START, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{CLOCK_START}: expected an ISO 8601 time or seconds since the epoch, got {raw!r}"
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def apply_clock_start(environ: Mapping[str, str] | None = None) -> float | None:
    """Start this process's clock at CONVEYOR_CLOCK_START when it is set; the instant."""
    instant = clock_start(environ)
    if instant is not None:
        clock.start_at(instant)
    return instant
