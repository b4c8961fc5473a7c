"""Chart primitives as inline SVG strings: funnel plot, line chart, horizontal bars.

Every chart takes plain data and returns one `<svg>` element with presentation attributes (no
CSS needed, no scripts, no external references), so it renders the same inside the report,
on its own, or printed. Text is escaped; numbers are Norwegian (decimal comma).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from kodevakt.report import fmt

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#666666",
)
INK = "#222222"
GRID = "#e3e3e3"
MUTED = "#777777"
INNER = "#E69F00"  # 95 % limits and points outside them
OUTER = "#D55E00"  # 99.8 % limits and points outside them
UNJUDGED = "#AAAAAA"  # units too small to be judged
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


@dataclass(frozen=True, slots=True)
class Scale:
    """Linear map from a data interval to a pixel interval."""

    d0: float
    d1: float
    r0: float
    r1: float

    def __call__(self, value: float) -> float:
        if self.d1 == self.d0:
            return (self.r0 + self.r1) / 2
        return self.r0 + (value - self.d0) * (self.r1 - self.r0) / (self.d1 - self.d0)


@dataclass(frozen=True, slots=True)
class Box:
    """The plot area inside the chart: left, top, right, bottom in pixels."""

    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int

    @property
    def x0(self) -> int:
        return self.left

    @property
    def x1(self) -> int:
        return self.width - self.right

    @property
    def y0(self) -> int:  # bottom of the plot area (data minimum)
        return self.height - self.bottom

    @property
    def y1(self) -> int:  # top of the plot area (data maximum)
        return self.top


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (1, 2, 5 × 10^k steps)."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(lo / step) * step
    ticks = []
    value = first
    while value <= hi + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    if ticks[-1] < hi:
        ticks.append(round(ticks[-1] + step, 12))
    return ticks


def _n(value: float) -> str:
    """Pixel coordinates with one decimal, no trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _tick_label(value: float, *, is_share: bool, step: float) -> str:
    if is_share:
        digits = 0 if step * 100 >= 1 else 1
        return fmt.percent(value, digits)
    digits = 0 if step >= 1 else 1 if step >= 0.1 else 2
    return fmt.decimal(value, digits)


def _open(box: Box, title: str, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" '
        f'viewBox="0 0 {box.width} {box.height}" width="{box.width}" height="{box.height}" '
        f'role="img" aria-label="{escape(title)}" font-family="{escape(FONT)}" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{box.width}" height="{box.height}" fill="#ffffff"/>',
    ]


def _y_axis(box: Box, ys: Scale, ticks: Sequence[float], *, is_share: bool) -> list[str]:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    parts = []
    for tick in ticks:
        y = _n(ys(tick))
        parts.append(
            f'<line class="grid" x1="{box.x0}" y1="{y}" x2="{box.x1}" y2="{y}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{box.x0 - 6}" y="{y}" text-anchor="end" dominant-baseline="middle" '
            f'fill="{MUTED}">{escape(_tick_label(tick, is_share=is_share, step=step))}</text>'
        )
    return parts


def _axis_titles(box: Box, x_title: str, y_title: str) -> list[str]:
    mid_y = (box.y0 + box.y1) / 2
    return [
        f'<line x1="{box.x0}" y1="{box.y0}" x2="{box.x1}" y2="{box.y0}" stroke="{INK}"/>',
        f'<text class="axis-title" x="{_n((box.x0 + box.x1) / 2)}" y="{box.height - 8}" '
        f'text-anchor="middle" fill="{INK}">{escape(x_title)}</text>',
        f'<text class="axis-title" x="14" y="{_n(mid_y)}" text-anchor="middle" fill="{INK}" '
        f'transform="rotate(-90 14 {_n(mid_y)})">{escape(y_title)}</text>',
    ]


# ---------------------------------------------------------------- funnel plot


@dataclass(frozen=True, slots=True)
class FunnelPoint:
    """One unit (department) in a funnel plot: its denominator and observed value.

    `outside` is "" inside the 95 % limits, "95" outside them, "99.8" outside the 99.8 % ones.
    `labelled` False leaves the point without a text label (its tooltip still names it);
    `judged` False draws it grey: too few episodes to judge.
    """

    label: str
    n: int
    value: float
    outside: str = ""
    labelled: bool = True
    judged: bool = True


@dataclass(frozen=True, slots=True)
class LimitCurve:
    """Control limits sampled along the denominator: (n, lower, upper) triples."""

    level: str  # "95" or "99.8"
    points: tuple[tuple[float, float, float], ...]


@dataclass(frozen=True, slots=True)
class FunnelChart:
    title: str
    points: tuple[FunnelPoint, ...]
    pooled: float
    limits: tuple[LimitCurve, ...]
    is_share: bool = True
    x_title: str = "Antall episoder (nevner)"
    y_title: str = "Andel"


LIMITS_FROM_N = 10
FUNNEL_BOX = Box(width=680, height=380, left=70, top=34, right=24, bottom=46)


@dataclass(frozen=True, slots=True)
class FunnelGeometry:
    """The scales a funnel plot uses; exposed so tests can check where things are drawn."""

    box: Box
    x: Scale
    y: Scale
    x_ticks: tuple[float, ...]
    y_ticks: tuple[float, ...]


def funnel_geometry(chart: FunnelChart, box: Box = FUNNEL_BOX) -> FunnelGeometry:
    """Axes fitted to the points, the pooled value and the limits where points lie."""
    max_n = max((p.n for p in chart.points), default=1)
    min_n = min((p.n for p in chart.points), default=1)
    x_ticks = nice_ticks(0, max(max_n * 1.05, 1))
    values = [p.value for p in chart.points] + [chart.pooled]
    # Limits count from the smallest unit, but not below LIMITS_FROM_N: at n = 1 a share's
    # limits span 0–100 % and would squash every point into a thin band (they are clipped).
    shown_from = max(min_n, min(LIMITS_FROM_N, max_n))
    for curve in chart.limits:
        values += [hi for n, _, hi in curve.points if n >= shown_from]
        values += [lo for n, lo, _ in curve.points if n >= shown_from]
    lo = 0.0 if chart.is_share else min(0.0, *values)
    hi = max(values) * 1.08 if max(values) > 0 else 1.0
    if chart.is_share:
        hi = min(hi, 1.0)
    y_ticks = nice_ticks(lo, hi)
    if chart.is_share:
        y_ticks = [t for t in y_ticks if t <= 1.0 + 1e-12]
    return FunnelGeometry(
        box=box,
        x=Scale(x_ticks[0], x_ticks[-1], box.x0, box.x1),
        y=Scale(y_ticks[0], y_ticks[-1], box.y0, box.y1),
        x_ticks=tuple(x_ticks),
        y_ticks=tuple(y_ticks),
    )


def funnel_plot(chart: FunnelChart, clip_id: str = "funnel") -> str:
    """A funnel plot: units as points, pooled value as a line, 95 % and 99.8 % limits."""
    geo = funnel_geometry(chart)
    box, xs, ys = geo.box, geo.x, geo.y
    parts = _open(box, chart.title, "funnel")
    parts.append(
        f'<clipPath id="{escape(clip_id)}"><rect x="{box.x0}" y="{box.y1}" '
        f'width="{box.x1 - box.x0}" height="{box.y0 - box.y1}"/></clipPath>'
    )
    parts += _y_axis(box, ys, geo.y_ticks, is_share=chart.is_share)
    for tick in geo.x_ticks:
        tx = _n(xs(tick))
        parts.append(f'<line x1="{tx}" y1="{box.y0}" x2="{tx}" y2="{box.y0 + 4}" stroke="{INK}"/>')
        parts.append(
            f'<text x="{tx}" y="{box.y0 + 16}" text-anchor="middle" fill="{MUTED}">'
            f"{fmt.integer(round(tick))}</text>"
        )
    parts += _axis_titles(box, chart.x_title, chart.y_title)
    for curve in chart.limits:
        colour, dash = (OUTER, "") if curve.level == "99.8" else (INNER, ' stroke-dasharray="6 4"')
        level = curve.level.replace(".", "")
        for side, index in (("upper", 2), ("lower", 1)):
            path = " ".join(
                f"{'M' if i == 0 else 'L'}{_n(xs(p[0]))},{_n(ys(p[index]))}"
                for i, p in enumerate(curve.points)
            )
            parts.append(
                f'<path class="limit limit-{level} {side}" d="{path}" fill="none" '
                f'stroke="{colour}" stroke-width="1.5"{dash} clip-path="url(#{escape(clip_id)})"/>'
            )
    pooled_y = _n(ys(chart.pooled))
    parts.append(
        f'<line class="pooled" x1="{box.x0}" y1="{pooled_y}" x2="{box.x1}" y2="{pooled_y}" '
        f'stroke="{INK}" stroke-width="1.5"/>'
    )
    for point in sorted(chart.points, key=lambda p: (p.n, p.label)):
        parts.append(_funnel_point(point, xs(point.n), ys(point.value), chart.is_share))
    # Labels of the points outside the limits are placed first, so they get the free spots.
    placed: list[tuple[float, float, float, float]] = []
    priority = {"99.8": 0, "95": 1}
    for point in sorted(chart.points, key=lambda p: (priority.get(p.outside, 2), p.n, p.label)):
        if point.labelled:
            x, y = xs(point.n), ys(point.value)
            spot = _place_label(point.label, x, y, box, placed)
            if spot is not None:
                lx, ly, anchor = spot
                parts.append(
                    f'<text class="label" x="{_n(lx)}" y="{_n(ly)}" text-anchor="{anchor}" '
                    f'dominant-baseline="middle" fill="{INK}" font-size="11">'
                    f"{escape(point.label)}</text>"
                )
    parts += _funnel_legend(box, chart)
    parts.append("</svg>")
    return "\n".join(parts)


def _funnel_point(point: FunnelPoint, x: float, y: float, is_share: bool) -> str:
    colour = {"": PALETTE[0], "95": INNER, "99.8": OUTER}.get(point.outside, PALETTE[0])
    state = {"": "inside", "95": "outside-95", "99.8": "outside-998"}.get(point.outside, "inside")
    if not point.judged:
        colour, state = UNJUDGED, "unjudged"
    tip = f"{point.label}: {fmt.value(point.value, is_share=is_share)} (n = {fmt.integer(point.n)})"
    return (
        f'<circle class="point {state}" data-unit="{escape(point.label)}" cx="{_n(x)}" '
        f'cy="{_n(y)}" r="5" fill="{colour}" fill-opacity="0.85" stroke="#ffffff">'
        f"<title>{escape(tip)}</title></circle>"
    )


def _place_label(
    label: str,
    x: float,
    y: float,
    box: Box,
    placed: list[tuple[float, float, float, float]],
) -> tuple[float, float, str] | None:
    """Right of the point, else above, below or left of it; None where every spot is taken
    (overlapping labels cannot be read; the point's tooltip and the table still name it)."""
    width, height = 6.5 * len(label) + 2, 12.0
    candidates = [(8.0, 0.0), (8.0, -12.0), (8.0, 12.0), (-8.0, 0.0), (-8.0, -12.0), (-8.0, 12.0)]
    for dx, dy in candidates:
        left = x + dx if dx > 0 else x + dx - width
        top = y + dy - height / 2
        rect = (left, top, left + width, top + height)
        inside = box.x0 <= rect[0] and rect[2] <= box.x1 and box.y1 <= rect[1] and rect[3] <= box.y0
        clear = all(
            rect[2] <= r[0] or r[2] <= rect[0] or rect[3] <= r[1] or r[3] <= rect[1] for r in placed
        )
        if inside and clear:
            placed.append(rect)
            return (x + dx, y + dy, "start" if dx > 0 else "end")
    return None


def _funnel_legend(box: Box, chart: FunnelChart) -> list[str]:
    items = [("Samlet nivå", INK, "")]
    levels = {curve.level for curve in chart.limits}
    if "95" in levels:
        items.append(("95 %-grense", INNER, ' stroke-dasharray="6 4"'))
    if "99.8" in levels:
        items.append(("99,8 %-grense", OUTER, ""))
    if any(not p.judged for p in chart.points):
        items.append(("for få til å vurderes", UNJUDGED, "dot"))
    parts = ['<g class="legend">']
    x = box.x0
    for text, colour, dash in items:
        if dash == "dot":
            parts.append(f'<circle cx="{x + 12}" cy="14" r="5" fill="{colour}"/>')
        else:
            parts.append(
                f'<line x1="{x}" y1="14" x2="{x + 24}" y2="14" stroke="{colour}" '
                f'stroke-width="1.5"{dash}/>'
            )
        parts.append(
            f'<text x="{x + 30}" y="14" dominant-baseline="middle" fill="{INK}">'
            f"{escape(text)}</text>"
        )
        x += 40 + int(6.5 * len(text))
    parts.append("</g>")
    return parts


# ---------------------------------------------------------------- line chart


@dataclass(frozen=True, slots=True)
class Series:
    """One line: a value (or None for no data) per x label. `emphasis` draws it bold."""

    label: str
    values: tuple[float | None, ...]
    emphasis: bool = False


@dataclass(frozen=True, slots=True)
class LineChart:
    title: str
    x_labels: tuple[str, ...]
    series: tuple[Series, ...]
    is_share: bool = True
    x_title: str = "Tertial"
    y_title: str = "Andel"


LINE_BOX = Box(width=680, height=300, left=70, top=16, right=150, bottom=46)


def line_chart(chart: LineChart) -> str:
    """One line per series over the x labels; a legend on the right."""
    box = LINE_BOX
    values = [v for s in chart.series for v in s.values if v is not None]
    hi = max(values, default=1.0) * 1.1 or 1.0
    if chart.is_share:
        hi = min(hi, 1.0)
    y_ticks = nice_ticks(min(0.0, *values) if values else 0.0, hi)
    ys = Scale(y_ticks[0], y_ticks[-1], box.y0, box.y1)
    count = len(chart.x_labels)
    pad = (box.x1 - box.x0) / (2 * max(count, 1))
    xs = Scale(0, max(count - 1, 1), box.x0 + pad, box.x1 - pad)
    parts = _open(box, chart.title, "trend")
    parts += _y_axis(box, ys, y_ticks, is_share=chart.is_share)
    for i, label in enumerate(chart.x_labels):
        parts.append(
            f'<text x="{_n(xs(i))}" y="{box.y0 + 16}" text-anchor="middle" fill="{MUTED}">'
            f"{escape(label)}</text>"
        )
    parts += _axis_titles(box, chart.x_title, chart.y_title)
    ordered = sorted(chart.series, key=lambda s: s.emphasis)  # emphasised line on top
    colours = _colours(chart.series)
    for series in ordered:
        parts += _series(series, colours[series.label], xs, ys, chart.is_share)
    parts += _line_legend(box, chart.series, colours)
    parts.append("</svg>")
    return "\n".join(parts)


def _colours(series: Iterable[Series]) -> dict[str, str]:
    colours: dict[str, str] = {}
    i = 0
    for s in series:
        if s.emphasis:
            colours[s.label] = INK
        else:
            colours[s.label] = PALETTE[i % len(PALETTE)]
            i += 1
    return colours


def _series(series: Series, colour: str, xs: Scale, ys: Scale, is_share: bool) -> list[str]:
    width = "3" if series.emphasis else "1.8"
    parts = [f'<g class="series" data-series="{escape(series.label)}">']
    segment: list[str] = []
    runs: list[list[str]] = []
    for i, v in enumerate(series.values):
        if v is None:
            if segment:
                runs.append(segment)
            segment = []
            continue
        segment.append(f"{_n(xs(i))},{_n(ys(v))}")
    if segment:
        runs.append(segment)
    for run in runs:
        parts.append(
            f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
            f'stroke-width="{width}" stroke-linejoin="round"/>'
        )
    for i, v in enumerate(series.values):
        if v is not None:
            tip = f"{series.label}: {fmt.value(v, is_share=is_share)}"
            parts.append(
                f'<circle cx="{_n(xs(i))}" cy="{_n(ys(v))}" r="3.5" fill="{colour}">'
                f"<title>{escape(tip)}</title></circle>"
            )
    parts.append("</g>")
    return parts


def _line_legend(box: Box, series: Sequence[Series], colours: dict[str, str]) -> list[str]:
    parts = ['<g class="legend">']
    x = box.x1 + 16
    for i, s in enumerate(series):
        y = box.y1 + 8 + i * 18
        width = "3" if s.emphasis else "1.8"
        parts.append(
            f'<line x1="{x}" y1="{y}" x2="{x + 20}" y2="{y}" stroke="{colours[s.label]}" '
            f'stroke-width="{width}"/>'
        )
        parts.append(
            f'<text x="{x + 26}" y="{y}" dominant-baseline="middle" fill="{INK}">'
            f"{escape(s.label)}</text>"
        )
    parts.append("</g>")
    return parts


# ---------------------------------------------------------------- horizontal bars


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    colour: str = PALETTE[0]


def bar_chart(title: str, bars: Sequence[Bar], width: int = 480) -> str:
    """Horizontal bars with their counts, e.g. findings by severity."""
    row = 28
    box = Box(width=width, height=12 + row * max(len(bars), 1), left=90, top=6, right=70, bottom=6)
    top = max((b.value for b in bars), default=0) or 1
    xs = Scale(0, top, box.x0, box.x1)
    parts = _open(box, title, "bars")
    for i, bar in enumerate(bars):
        y = box.top + i * row
        length = max(xs(bar.value) - box.x0, 1.0 if bar.value else 0.0)
        parts.append(
            f'<text x="{box.x0 - 8}" y="{y + row / 2 - 2}" text-anchor="end" '
            f'dominant-baseline="middle" fill="{INK}">{escape(bar.label)}</text>'
        )
        parts.append(
            f'<rect class="bar" x="{box.x0}" y="{y + 3}" width="{_n(length)}" '
            f'height="{row - 10}" fill="{bar.colour}" rx="2"/>'
        )
        parts.append(
            f'<text x="{_n(box.x0 + length + 6)}" y="{y + row / 2 - 2}" '
            f'dominant-baseline="middle" fill="{INK}">{fmt.integer(bar.value)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


# ---------------------------------------------------------------- signed bars (changes)


@dataclass(frozen=True, slots=True)
class Change:
    """One signed bar: a label and a value that may be negative (e.g. a weight change)."""

    label: str
    value: float


def change_chart(
    title: str,
    changes: Sequence[Change],
    *,
    width: int = 560,
    digits: int = 3,
    up: str = PALETTE[0],
    down: str = PALETTE[5],
) -> str:
    """Horizontal bars from a zero line: right (`up`) for gains, left (`down`) for losses."""
    row = 28
    box = Box(
        width=width, height=12 + row * max(len(changes), 1), left=70, top=6, right=70, bottom=6
    )
    lo = min((c.value for c in changes), default=0.0)
    hi = max((c.value for c in changes), default=0.0)
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi == lo:
        hi = lo + 1
    # room for the value labels beside the bars on both sides
    pad = (hi - lo) * 0.18
    xs = Scale(lo - (pad if lo < 0 else 0), hi + (pad if hi > 0 else 0), box.x0, box.x1)
    zero = xs(0.0)
    parts = _open(box, title, "changes")
    for i, change in enumerate(changes):
        y = box.top + i * row
        end = xs(change.value)
        left, length = min(zero, end), abs(end - zero)
        if change.value:
            length = max(length, 1.0)
        parts.append(
            f'<text x="{box.x0 - 8}" y="{y + row / 2 - 2}" text-anchor="end" '
            f'dominant-baseline="middle" fill="{INK}">{escape(change.label)}</text>'
        )
        colour = up if change.value >= 0 else down
        parts.append(
            f'<rect class="bar" x="{_n(left)}" y="{y + 3}" width="{_n(length)}" '
            f'height="{row - 10}" fill="{colour}" rx="2"/>'
        )
        text = fmt.decimal(change.value, digits)
        if change.value > 0:
            text = "+" + text
        if change.value < 0:
            text = "−" + text.lstrip("-")
        anchor, x = ("start", left + length + 6) if change.value >= 0 else ("end", left - 6)
        parts.append(
            f'<text x="{_n(x)}" y="{y + row / 2 - 2}" text-anchor="{anchor}" '
            f'dominant-baseline="middle" fill="{INK}">{text}</text>'
        )
    parts.append(
        f'<line x1="{_n(zero)}" y1="{box.top}" x2="{_n(zero)}" y2="{box.y0}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


# ---------------------------------------------------------------- estimates with intervals


@dataclass(frozen=True, slots=True)
class Estimate:
    """One estimated share with its interval (all between 0 and 1)."""

    label: str
    value: float
    low: float
    high: float


def interval_chart(
    title: str,
    estimates: Sequence[Estimate],
    *,
    reference: float | None = None,
    reference_label: str = "",
    width: int = 620,
) -> str:
    """Horizontal intervals with their estimates as dots, as percentages, e.g. error rates
    from a sample; `reference` draws a dashed line at a standard (e.g. 95 %)."""
    row = 28
    box = Box(
        width=width,
        height=40 + row * max(len(estimates), 1),
        left=190,
        top=6,
        right=110,
        bottom=34,
    )
    top = max([e.high for e in estimates] + [reference or 0.0, 0.01])
    ticks = nice_ticks(0.0, min(top * 1.05, 1.0))
    xs = Scale(0.0, ticks[-1], box.x0, box.x1)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    parts = _open(box, title, "intervals")
    for tick in ticks:
        x = _n(xs(tick))
        parts.append(
            f'<line class="grid" x1="{x}" y1="{box.y1}" x2="{x}" y2="{box.y0}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{x}" y="{box.y0 + 16}" text-anchor="middle" fill="{MUTED}">'
            f"{escape(_tick_label(tick, is_share=True, step=step))}</text>"
        )
    for i, estimate in enumerate(estimates):
        y = box.top + i * row + row / 2
        parts.append(
            f'<text x="{box.x0 - 8}" y="{_n(y)}" text-anchor="end" dominant-baseline="middle" '
            f'fill="{INK}">{escape(estimate.label)}</text>'
        )
        parts.append(
            f'<line x1="{_n(xs(estimate.low))}" y1="{_n(y)}" x2="{_n(xs(estimate.high))}" '
            f'y2="{_n(y)}" stroke="{PALETTE[0]}" stroke-width="3" stroke-linecap="round"/>'
        )
        tip = (
            f"{estimate.label}: {fmt.percent(estimate.value)} "
            f"({fmt.percent(estimate.low)}–{fmt.percent(estimate.high)})"
        )
        parts.append(
            f'<circle cx="{_n(xs(estimate.value))}" cy="{_n(y)}" r="5" fill="{INK}">'
            f"<title>{escape(tip)}</title></circle>"
        )
        parts.append(
            f'<text x="{box.x1 + 8}" y="{_n(y)}" dominant-baseline="middle" fill="{INK}">'
            f"{escape(fmt.percent(estimate.value))}</text>"
        )
    if reference is not None:
        x = _n(xs(reference))
        parts.append(
            f'<line x1="{x}" y1="{box.y1}" x2="{x}" y2="{box.y0}" stroke="{OUTER}" '
            'stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
        if reference_label:
            parts.append(
                f'<text x="{x}" y="{box.height - 4}" text-anchor="middle" fill="{OUTER}">'
                f"{escape(reference_label)}</text>"
            )
    parts.append(f'<line x1="{box.x0}" y1="{box.y0}" x2="{box.x1}" y2="{box.y0}" stroke="{INK}"/>')
    parts.append("</svg>")
    return "\n".join(parts)
