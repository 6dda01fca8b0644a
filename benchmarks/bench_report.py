"""bench_engine.py's results: one `Measure` per row, printed as Markdown rows ready for
benchmarks/README.md or as JSON."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from bench_harness import Spread, ratio


@dataclass
class Measure:
    """One row: conveyor's figure, act's (None: no counterpart or act missing), the target."""

    name: str
    unit: str  # s | ms | MiB | %
    conveyor: Spread | None
    act: Spread | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    def as_json(self) -> dict[str, object]:
        both = self.conveyor is not None and self.act is not None
        return {
            "measure": self.name,
            "unit": self.unit,
            "conveyor": self.conveyor.as_json() if self.conveyor else None,
            "act": self.act.as_json() if self.act else None,
            "ratio_of_medians": round(ratio(self.conveyor, self.act), 3) if both else None,  # type: ignore[arg-type]
            "target": self.target,
            "met": self.met,
            "note": self.note,
        }

    def markdown(self) -> str:
        mark = {True: "yes", False: "no", None: "—"}[self.met]
        both = self.conveyor is not None and self.act is not None
        share = f"{ratio(self.conveyor, self.act):.2f}×" if both else "—"  # type: ignore[arg-type]
        cells = [self.name, self._cell(self.conveyor), self._cell(self.act), share]
        cells += [self.target or "—", mark, self.note]
        return "| " + " | ".join(cells) + " |"

    def _cell(self, spread: Spread | None) -> str:
        if spread is None:
            return "—"
        low, mid, high = (_shown(v, self.unit) for v in (spread.low, spread.median, spread.high))
        return f"{mid} {self.unit} ({low}–{high})"


# Differences (per step, overheads) show the figure of the medians and its range over rounds.
MARKDOWN_HEADER = (
    "| measure | conveyor, median (min–max) | act, median (min–max) | conveyor / act "
    "| target | met? | note |\n|---|---|---|---|---|---|---|"
)


def _shown(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f}"
    if unit == "%":
        return f"{value:+.1f}"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def print_results(header: dict[str, object], measures: list[Measure], *, as_json: bool) -> None:
    header["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if as_json:
        print(json.dumps({**header, "measures": [m.as_json() for m in measures]}, indent=2))
        return
    loads = f"load {header['load_average_at_start']} → {header['load_average_at_end']}"
    print(f"Measured {header['date']}, {header['cpus']} CPUs, {loads}; act: {header['act']};")
    passes = header["corpus_passes"]
    print(f"{header['repeat']} runs each after a warm-up, corpus passes: {passes}.")
    print()
    print(MARKDOWN_HEADER)
    for measure in measures:
        print(measure.markdown())
