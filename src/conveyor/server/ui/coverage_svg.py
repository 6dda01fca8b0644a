"""A coverage trend as a small inline SVG line chart (no JavaScript): the line rate of each
point, 0–100 % on the vertical axis, oldest on the left; each point's title says its run."""

from __future__ import annotations

from collections.abc import Sequence

from conveyor.store.coverage_points import CoveragePoint

WIDTH, HEIGHT, PAD = 600, 160, 24


def _xy(index: int, count: int, rate: float) -> tuple[float, float]:
    step = (WIDTH - 2 * PAD) / max(count - 1, 1)
    x = PAD + index * step
    y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * max(0.0, min(rate, 100.0)) / 100
    return round(x, 1), round(y, 1)


def _grid() -> str:
    lines = []
    for percent in (0, 50, 100):
        _, y = _xy(0, 1, percent)
        lines.append(
            f'<line class="grid" x1="{PAD}" y1="{y}" x2="{WIDTH - PAD}" y2="{y}"/>'
            f'<text class="axis" x="2" y="{y + 4}">{percent}</text>'
        )
    return "".join(lines)


def coverage_chart(points: Sequence[CoveragePoint]) -> str:
    """The SVG of the points' line rates ('' when none measured a line rate)."""
    measured = [(i, p) for i, p in enumerate(points) if p.line_rate is not None]
    if not measured:
        return ""
    count = len(points)
    coords = [(_xy(i, count, p.line_rate or 0.0), p) for i, p in measured]
    line = " ".join(f"{x},{y}" for (x, y), _ in coords)
    dots = "".join(
        f'<circle class="point" cx="{x}" cy="{y}" r="3"><title>run {p.run_id}: '
        f"{p.line_rate:.2f} %</title></circle>"
        for (x, y), p in coords
    )
    return (
        f'<svg class="coverage-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="Line coverage, oldest to newest">'
        f'{_grid()}<polyline class="line" fill="none" points="{line}"/>{dots}</svg>'
    )
