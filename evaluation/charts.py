"""Small charts drawn on the server as inline SVG: no script, no CDN, printable.

Labels are escaped here (the SVG is inserted into pages as markup), and every
point carries a ``<title>`` so hovering shows the exact value.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

PALETTE = ("#1f6feb", "#d97706", "#15803d", "#b91c1c", "#7c3aed", "#0e7490")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # None where the period has no data: the line breaks there


def line_chart(labels: Sequence[str], series: Sequence[Series], *, percent: bool = True, width: int = 560,
               height: int = 220, title: str = "") -> str:
    """A line chart of one or more series over ``labels`` (months), as an SVG string."""
    left, right, top, bottom = 48, 22, 26 if title else 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    low, high = _range(values, percent)
    step = plot_w / max(1, len(labels) - 1)

    def x(i: int) -> float:
        return left + (i * step if len(labels) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - (v - low) / (high - low) * plot_h

    parts = [_open(width, height, title)]
    if title:
        parts.append(f'<text x="{left}" y="16" class="chart-title">{escape(title)}</text>')
    for tick in _ticks(low, high, percent):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{_fmt(tick, percent)}</text>')
    every = 1 if step >= 40 or len(labels) <= 1 else 2 if step >= 20 else 3
    for i, label in enumerate(labels):
        if (len(labels) - 1 - i) % every == 0:  # always label the latest month
            parts.append(f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle">{escape(label)}</text>')
    for n, s in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        for segment in _segments(s.values):
            points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in segment)
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for i, v in enumerate(s.values):
            if v is not None:
                parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}">'
                             f'<title>{escape(s.name)} {escape(labels[i])}：{_fmt(v, percent, 1)}</title></circle>')
        if len(series) > 1:
            lx = left + n * 150
            parts.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
                         f'<text x="{lx + 14}" y="{height - 5}">{escape(s.name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(items: Sequence[tuple[str, float]], *, percent: bool = False, width: int = 560,
              bar_height: int = 18, title: str = "") -> str:
    """Horizontal bars, largest first as given, each labelled with its value."""
    top = 26 if title else 6
    label_w, value_w = 130, 70
    height = top + len(items) * (bar_height + 6) + 6
    most = max((v for _, v in items), default=0) or 1
    parts = [_open(width, height, title)]
    if title:
        parts.append(f'<text x="4" y="16" class="chart-title">{escape(title)}</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_height + 6)
        length = (width - label_w - value_w) * value / most
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_height - 5}" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_height}" '
                     f'fill="{PALETTE[0]}"><title>{escape(label)}：{_fmt(value, percent, 1)}</title></rect>'
                     f'<text x="{label_w + length + 4:.1f}" y="{y + bar_height - 5}">{_fmt(value, percent, 1)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _open(width: int, height: int, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" '
            f'font-size="11" font-family="sans-serif">'
            '<style>.grid{stroke:#e5e7eb}.chart-title{font-size:13px;font-weight:bold}</style>')


PERCENT_STEPS = (0.05, 0.1, 0.2, 0.25)


def _range(values: list[float], percent: bool) -> tuple[float, float]:
    """The axis: for shares, from a round step below the lowest value up to 100%."""
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    if percent:
        low = max(0.0, min(low, 1.0) - 0.02)
        step = next((s for s in PERCENT_STEPS if (1.0 - low) / s <= 5), 0.25)
        return round(int(low / step) * step, 4), 1.0
    if high == low:
        return 0.0, high * 1.2 or 1.0
    return min(0.0, low), high * 1.1


def _ticks(low: float, high: float, percent: bool, count: int = 4) -> list[float]:
    if percent:
        step = next((s for s in PERCENT_STEPS if (high - low) / s <= 5 + 1e-9), 0.25)
        ticks, value = [], low
        while value <= high + 1e-9:
            ticks.append(round(value, 4))
            value += step
        return ticks
    return [low + (high - low) * i / count for i in range(count + 1)]


def _segments(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    segments, current = [], []
    for i, v in enumerate(values):
        if v is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append((i, v))
    if current:
        segments.append(current)
    return segments


def _fmt(value: float, percent: bool, digits: int = 0) -> str:
    if percent:
        return f"{value * 100:.{digits}f}%"
    return f"{value:,.{digits}f}" if digits and value != int(value) else f"{value:,.0f}"
