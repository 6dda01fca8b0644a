"""The Jinja2 environment of the web UI (templates are package data) and its filters."""

from __future__ import annotations

import time
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from conveyor import clock
from conveyor.server.ui.graph_svg import graph_svg
from conveyor.server.ui.states import STATE_LABEL, state_of


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("conveyor.server.ui", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters |= {"duration": duration, "ago": ago, "when": when, "branch": branch}
    env.globals |= {"state_of": state_of, "STATE_LABEL": STATE_LABEL, "graph_svg": graph_svg}
    return env


def render(template: str, **values: Any) -> str:
    return environment().get_template(template).render(**values)


def duration(started: float | None, finished: float | None = None) -> str:
    """`3.5s`, `2m 05s`, `1h 02m`; "" when it never started; running ones count up to now."""
    if started is None:
        return ""
    seconds = max(0.0, (finished if finished is not None else clock.now()) - started)
    if seconds < 60:
        return f"{seconds:.1f}s" if seconds < 10 else f"{seconds:.0f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    return f"{minutes // 60}h {minutes % 60:02d}m"


def ago(stamp: float | None) -> str:
    if stamp is None:
        return ""
    seconds = max(0, int(clock.now() - stamp))
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def when(stamp: float | None) -> str:
    if stamp is None:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(stamp))


def branch(ref: str | None) -> str:
    if not ref:
        return ""
    for prefix in ("refs/heads/", "refs/tags/"):
        if ref.startswith(prefix):
            return ref.removeprefix(prefix)
    return ref
