"""The four statistics charts drawn directly as inline SVG, for HTML pages.

The same charts as `charts.py` (same names, titles, colours and scales) without
matplotlib: importing it and drawing four figures cost most of a site build, and a page
only needs the SVG text. `mortem stats --charts` still uses matplotlib for its SVG and
PNG files.

No script, no fonts to load, no style attributes (a page's Content-Security-Policy may
forbid inline styles): only presentation attributes. Every number is written with a
fixed precision, so the same stats give the same bytes. Text that comes from the
repository (severities, team names) is escaped.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .metrics import Stats

# Kept equal to charts.SEVERITY_COLOURS (a test checks): not imported from there, so
# that this module stays cheap to import.
SEVERITY_COLOURS = ["#b2182b", "#ef8a62", "#67a9cf", "#2166ac", "#999999", "#5ab4ac"]
OPEN_COLOUR = "#2166ac"
OVERDUE_COLOUR = "#b2182b"
WHISKER_COLOUR = "#444444"
GRID_COLOUR = "#e4e4e4"
AXIS_COLOUR = "#555555"
TEXT_COLOUR = "#222222"
MUTED_COLOUR = "#666666"

WIDTH = 720
HEIGHT = 330
FONT = 12
CHAR = 0.6 * FONT  # rough width of a character of FONT px text, to size margins
TOP = 44  # below the title
LEFT = 60  # room for the y tick labels and the y axis label
BOTTOM = 58  # room for the x tick labels and the x axis label
RIGHT = 18
LEGEND_GAP = 16
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def svg_charts(stats: Stats) -> list[tuple[str, str, str]]:
    """(name, title, SVG text) of every chart, for inlining in a page."""
    return [make(stats) for make in MAKERS]


# -- shared parts ----------------------------------------------------------------------


def _f(value: float) -> str:
    """A coordinate: one decimal, and never "-0.0", so that output is stable."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _plain(value: float) -> str:
    # 0.1, 1, 10 rather than 1e-01 or 10^0: a log axis people can read at a glance.
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _hours(value: float) -> str:
    return f"{value:.2g} h" if value < 10 else f"{value:.0f} h"


def _fit(text: str, room: float) -> str:
    """The text cut with an ellipsis to about `room` px; the full text goes in a <title>."""
    most = max(4, int(room / CHAR + 1e-9))
    return text if len(text) <= most else text[: most - 1] + "…"


def _open(name: str, title: str, height: int, description: str) -> list[str]:
    ident = f"chart-{name}"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{ident}-title" '
        f'aria-describedby="{ident}-desc" class="chart-svg" '
        f'font-family="system-ui, sans-serif" font-size="{FONT}" fill="{TEXT_COLOUR}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="8" y="22" font-size="15" font-weight="600">{escape(title)}</text>',
    ]


def _no_data(name: str, title: str, what: str) -> tuple[str, str, str]:
    message = f"No {what} to show"
    out = _open(name, title, 160, message)
    out.append(
        f'<text x="{WIDTH / 2:.1f}" y="92" text-anchor="middle" fill="{MUTED_COLOUR}" '
        f'font-size="14">{escape(message)}</text>'
    )
    out.append("</svg>")
    return name, title, "\n".join(out)


@dataclass(frozen=True)
class Frame:
    """The plot area, in SVG units: y grows downwards."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


def _nice_integer_ticks(top: int, most: int = 5) -> list[int]:
    """0 up to at least `top` in steps of 1, 2 or 5 times a power of ten; at most `most` steps."""
    top = max(top, 1)
    power = 1
    while True:
        for mantissa in (1, 2, 5):
            step = mantissa * power
            steps = -(-top // step)
            if steps <= most:
                return [step * i for i in range(steps + 1)]
        power *= 10


def _log_ticks(low: float, high: float) -> list[float]:
    """Ticks of a log axis covering [low, high]: each power of ten, with 2 and 5 between
    them when the range is short; the first tick at or below `low`, the last at or above
    `high`."""
    first = math.floor(math.log10(low)) - 1
    last = math.ceil(math.log10(high)) + 1
    short = math.log10(high / low) < 2.5
    mantissas = (1, 2, 5) if short else (1,)
    ladder = [round(m * 10.0**e, 12) for e in range(first, last + 1) for m in mantissas]
    below = max(i for i, v in enumerate(ladder) if v <= low * (1 + 1e-9))
    above = min(i for i, v in enumerate(ladder) if v >= high * (1 - 1e-9))
    if below == above:  # one value, exactly on a tick: one tick either side
        below, above = below - 1, above + 1
    return ladder[below : above + 1]


def _thinning(labels: Sequence[str], room: float) -> int:
    """Every how many labels one is written, so that they fit side by side in `room` px."""
    widest = max((len(label) for label in labels), default=1) * CHAR + 10
    fitting = max(1, int(room // widest))
    return max(1, -(-len(labels) // fitting))


def _y_axis(
    frame: Frame, ticks: Sequence[float], y_of: Callable[[float], float], label: str
) -> list[str]:
    out = ['<g data-part="y-ticks">']
    for value in ticks:
        y = _f(y_of(value))
        out.append(
            f'<line x1="{_f(frame.left)}" y1="{y}" x2="{_f(frame.right)}" y2="{y}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{_f(frame.left - 6)}" y="{_f(y_of(value) + 4)}" text-anchor="end" '
            f'font-variant-numeric="tabular-nums">{_plain(value)}</text>'
        )
    out.append("</g>")
    middle = frame.top + frame.height / 2
    x = 16
    out.append(
        f'<text x="{x}" y="{_f(middle)}" text-anchor="middle" '
        f'transform="rotate(-90 {x} {_f(middle)})">{escape(label)}</text>'
    )
    out.append(
        f'<line x1="{_f(frame.left)}" y1="{_f(frame.top)}" x2="{_f(frame.left)}" '
        f'y2="{_f(frame.bottom)}" stroke="{AXIS_COLOUR}" stroke-width="1"/>'
    )
    return out


def _x_labels(
    frame: Frame, labels: Sequence[str], x_of: Callable[[int], float], under: Sequence[str] = ()
) -> list[str]:
    """Tick labels under the axis, thinned to fit; `under`: a second, grey line for each."""
    step = _thinning(labels, frame.width)
    out = ['<g data-part="x-ticks">']
    for i in range(0, len(labels), step):
        x = _f(x_of(i))
        out.append(
            f'<line x1="{x}" y1="{_f(frame.bottom)}" x2="{x}" y2="{_f(frame.bottom + 4)}" '
            f'stroke="{AXIS_COLOUR}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{x}" y="{_f(frame.bottom + 17)}" text-anchor="middle">'
            f"{escape(labels[i])}</text>"
        )
        if under:
            out.append(
                f'<text x="{x}" y="{_f(frame.bottom + 31)}" text-anchor="middle" '
                f'fill="{MUTED_COLOUR}" font-size="11">{escape(under[i])}</text>'
            )
    out.append("</g>")
    return out


def _x_title(frame: Frame, height: int, text: str) -> str:
    return (
        f'<text x="{_f(frame.left + frame.width / 2)}" y="{height - 8}" '
        f'text-anchor="middle">{escape(text)}</text>'
    )


def _baseline(frame: Frame) -> str:
    return (
        f'<line x1="{_f(frame.left)}" y1="{_f(frame.bottom)}" x2="{_f(frame.right)}" '
        f'y2="{_f(frame.bottom)}" stroke="{AXIS_COLOUR}" stroke-width="1"/>'
    )


def _legend(x: float, y: float, title: str, entries: Sequence[tuple[str, str, str]]) -> list[str]:
    """A legend down the right: (label, colour, "box" or "line") per entry."""
    room = WIDTH - x - 26
    out = ['<g data-part="legend">']
    out.append(f'<text x="{_f(x)}" y="{_f(y + 10)}" font-weight="600">{escape(title)}</text>')
    for n, (label, colour, shape) in enumerate(entries):
        row = y + 22 + 20 * n
        out.append(f"<g><title>{escape(label)}</title>")
        if shape == "box":
            out.append(f'<rect x="{_f(x)}" y="{_f(row)}" width="12" height="12" fill="{colour}"/>')
        else:
            out.append(
                f'<line x1="{_f(x)}" y1="{_f(row + 6)}" x2="{_f(x + 14)}" y2="{_f(row + 6)}" '
                f'stroke="{colour}" stroke-width="2.5"/>'
            )
        out.append(
            f'<text x="{_f(x + 20)}" y="{_f(row + 10.5)}">{escape(_fit(label, room))}</text></g>'
        )
    out.append("</g>")
    return out


def _legend_width(labels: Sequence[str], title: str) -> float:
    widest = max([len(title)] + [len(label) + 3 for label in labels]) * CHAR
    return min(max(widest, 70.0), 150.0)


# -- the charts ------------------------------------------------------------------------


def frequency_svg(stats: Stats) -> tuple[str, str, str]:
    freq = stats.frequency
    unit = freq.unit if freq else "period"
    title = f"Incidents per {unit}, by severity (n = {stats.incidents})"
    if freq is None or not freq.periods or not freq.by_severity:
        return _no_data("frequency", title, "incidents")
    periods = freq.periods
    severities = list(freq.by_severity)
    legend_width = _legend_width(severities, "severity")
    frame = Frame(LEFT, TOP, WIDTH - RIGHT - legend_width - LEGEND_GAP, HEIGHT - BOTTOM)
    totals = [sum(column) for column in zip(*freq.by_severity.values(), strict=True)]
    ticks = _nice_integer_ticks(max(totals))

    def y_of(value: float) -> float:
        return frame.bottom - value / ticks[-1] * frame.height

    slot = frame.width / len(periods)

    def x_of(i: int) -> float:
        return frame.left + slot * (i + 0.5)

    description = ", ".join(f"{p}: {t}" for p, t in zip(periods, totals, strict=True))
    out = _open("frequency", title, HEIGHT, f"Incidents per {unit}: {description}.")
    out += _y_axis(frame, ticks, y_of, "incidents")
    out.append('<g data-part="bars">')
    bar = slot * 0.8
    for i, period in enumerate(periods):
        below = 0
        for n, (severity, counts) in enumerate(freq.by_severity.items()):
            count = counts[i]
            if not count:
                continue
            top, base = y_of(below + count), y_of(below)
            colour = SEVERITY_COLOURS[n % len(SEVERITY_COLOURS)]
            partial = " (partial)" if period == freq.partial else ""
            out.append(
                f'<rect x="{_f(x_of(i) - bar / 2)}" y="{_f(top)}" width="{_f(bar)}" '
                f'height="{_f(base - top)}" fill="{colour}"><title>'
                f"{escape(period)}{partial}: {count} {escape(severity)}</title></rect>"
            )
            below += count
    out.append("</g>")
    out.append(_baseline(frame))
    out += _x_labels(frame, periods, x_of)
    partial_note = " (last one partial)" if freq.partial else ""
    out.append(_x_title(frame, HEIGHT, f"{unit} the incident started{partial_note}"))
    entries = [
        (severity, SEVERITY_COLOURS[n % len(SEVERITY_COLOURS)], "box")
        for n, severity in enumerate(severities)
    ]
    out += _legend(frame.right + LEGEND_GAP, TOP, "severity", entries)
    out.append("</svg>")
    return "frequency", title, "\n".join(out)


@dataclass(frozen=True)
class Box:
    """Box-plot figures of one sample, as matplotlib draws them (quartiles interpolated
    linearly; whiskers at the furthest values within 1.5 IQR of the box)."""

    n: int
    q1: float
    median: float
    q3: float
    low: float
    high: float
    outliers: list[float]


def box_of(values: Sequence[float]) -> Box:
    data = sorted(values)
    if len(data) == 1:
        q1 = median = q3 = data[0]
    else:
        q1, median, q3 = statistics.quantiles(data, n=4, method="inclusive")
    reach = 1.5 * (q3 - q1)
    inside = [v for v in data if q1 - reach <= v <= q3 + reach]
    low, high = (inside[0], inside[-1]) if inside else (q1, q3)
    outliers = [v for v in data if v < low or v > high]
    return Box(len(data), q1, median, q3, low, high, outliers)


# Fewer values than this are drawn as dots: a box of one or two values would show
# quartiles that do not exist.
MIN_BOX = 3

# A duration of zero (resolved in the minute it started) cannot sit on a log axis: it is
# drawn at one minute.
SHORTEST_HOURS = 1 / 60


def ttr_svg(stats: Stats) -> tuple[str, str, str]:
    title = "Time to resolve per period"
    groups = stats.durations.ttr_values_by_period if stats.durations else {}
    if not groups:
        return _no_data("ttr_by_period", title, "resolution times")
    labels = list(groups)
    boxes = [box_of([max(m / 60, SHORTEST_HOURS) for m in groups[label]]) for label in labels]
    frame = Frame(LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM - 12)
    ticks = _log_ticks(min(b.low for b in boxes), max(max([b.high, *b.outliers]) for b in boxes))
    bottom_log, top_log = math.log10(ticks[0]), math.log10(ticks[-1])

    def y_of(hours: float) -> float:
        share = (math.log10(hours) - bottom_log) / (top_log - bottom_log)
        return frame.bottom - share * frame.height

    slot = frame.width / len(labels)

    def x_of(i: int) -> float:
        return frame.left + slot * (i + 0.5)

    description = "; ".join(
        f"{label}: median {_hours(b.median)}, n={b.n}"
        for label, b in zip(labels, boxes, strict=True)
    )
    out = _open("ttr_by_period", title, HEIGHT, f"Time to resolve, {description}.")
    out += _y_axis(frame, ticks, y_of, "time to resolve (hours, log scale)")
    out.append('<g data-part="boxes">')
    half = min(slot * 0.3, 24.0)
    for i, (label, b) in enumerate(zip(labels, boxes, strict=True)):
        x = x_of(i)
        left, right = _f(x - half), _f(x + half)
        if b.n < MIN_BOX:
            # One or two values have no quartiles: they are drawn as they are.
            out.append(f"<g><title>{escape(label)}: n={b.n}</title>")
            for value in groups[label]:
                hours = max(value / 60, SHORTEST_HOURS)
                out.append(
                    f'<circle data-value="1" cx="{_f(x)}" cy="{_f(y_of(hours))}" r="4" '
                    f'fill="{OPEN_COLOUR}"><title>{_hours(hours)}</title></circle>'
                )
            out.append("</g>")
            continue
        tip = (
            f"{escape(label)}: n={b.n}, median {_hours(b.median)}, "
            f"quartiles {_hours(b.q1)} to {_hours(b.q3)}"
        )
        out.append(f"<g><title>{tip}</title>")
        for end, edge in ((b.low, b.q1), (b.high, b.q3)):
            out.append(
                f'<line x1="{_f(x)}" y1="{_f(y_of(edge))}" x2="{_f(x)}" y2="{_f(y_of(end))}" '
                f'stroke="{WHISKER_COLOUR}" stroke-width="1"/>'
            )
            out.append(
                f'<line x1="{_f(x - half / 2)}" y1="{_f(y_of(end))}" x2="{_f(x + half / 2)}" '
                f'y2="{_f(y_of(end))}" stroke="{WHISKER_COLOUR}" stroke-width="1"/>'
            )
        top, bottom = y_of(b.q3), y_of(b.q1)
        out.append(
            f'<rect x="{left}" y="{_f(top)}" width="{_f(2 * half)}" '
            f'height="{_f(bottom - top)}" fill="#d1e5f0" stroke="{OPEN_COLOUR}" '
            'stroke-width="1"/>'
        )
        out.append(
            f'<line x1="{left}" y1="{_f(y_of(b.median))}" x2="{right}" '
            f'y2="{_f(y_of(b.median))}" stroke="#e08214" stroke-width="2.5"/>'
        )
        for value in b.outliers:
            out.append(
                f'<circle cx="{_f(x)}" cy="{_f(y_of(value))}" r="3" fill="none" '
                f'stroke="{WHISKER_COLOUR}" stroke-width="1"><title>{_hours(value)}</title>'
                "</circle>"
            )
        out.append("</g>")
    out.append("</g>")
    out.append(_baseline(frame))
    out += _x_labels(frame, labels, x_of, under=[f"n={b.n}" for b in boxes])
    out.append(
        _x_title(
            frame,
            HEIGHT,
            "period the incident started (line: median; box: quartiles; whiskers: 1.5 IQR; "
            "dots: the values, under 3)",
        )
    )
    out.append("</svg>")
    return "ttr_by_period", title, "\n".join(out)


def _day(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def burn_down_svg(stats: Stats) -> tuple[str, str, str]:
    title = "Open and overdue action items over time"
    act = stats.actions
    if act is None or not act.over_time:
        return _no_data("action_burn_down", title, "action items")
    points = act.over_time
    legend_width = _legend_width(["open", "overdue"], "action items")
    frame = Frame(LEFT, TOP, WIDTH - RIGHT - legend_width - LEGEND_GAP, HEIGHT - BOTTOM)
    ticks = _nice_integer_ticks(max(o for _, o, _ in points))
    first, last = points[0][0].toordinal(), points[-1][0].toordinal()
    inset = 10.0  # the first and last points stay clear of the axes

    def x_of(i: int) -> float:
        if last == first:
            return frame.left + frame.width / 2
        share = (points[i][0].toordinal() - first) / (last - first)
        return frame.left + inset + share * (frame.width - 2 * inset)

    def y_of(value: float) -> float:
        return frame.bottom - value / ticks[-1] * frame.height

    now_open, now_overdue = points[-1][1], points[-1][2]
    out = _open(
        "action_burn_down",
        title,
        HEIGHT,
        f"Month ends from {points[0][0]} to {points[-1][0]}; at the end {now_open} open, "
        f"{now_overdue} overdue.",
    )
    out += _y_axis(frame, ticks, y_of, "action items")
    out.append('<g data-part="lines">')
    markers = len(points) <= 40
    series = (
        ("open", OPEN_COLOUR, [o for _, o, _ in points]),
        ("overdue", OVERDUE_COLOUR, [v for _, _, v in points]),
    )
    for name, colour, values in series:
        path = " ".join(f"{_f(x_of(i))},{_f(y_of(v))}" for i, v in enumerate(values))
        out.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" '
            f'stroke-linejoin="round"><title>{name}</title></polyline>'
        )
        if markers:
            for i, (value, (day, _, _)) in enumerate(zip(values, points, strict=True)):
                out.append(
                    f'<circle cx="{_f(x_of(i))}" cy="{_f(y_of(value))}" r="2.5" '
                    f'fill="{colour}"><title>{day.isoformat()}: {value} {name}</title>'
                    "</circle>"
                )
    out.append("</g>")
    out.append(_baseline(frame))
    out += _x_labels(frame, [_day(p[0]) for p in points], x_of)
    out.append(_x_title(frame, HEIGHT, "month end (the last point: today)"))
    entries = [("open", OPEN_COLOUR, "line"), ("overdue", OVERDUE_COLOUR, "line")]
    out += _legend(frame.right + LEGEND_GAP, TOP, "action items", entries)
    out.append("</svg>")
    return "action_burn_down", title, "\n".join(out)


ROW = 28  # px per team in the completion chart


def completion_svg(stats: Stats) -> tuple[str, str, str]:
    title = "Action-item completion by team"
    act = stats.actions
    teams = [t for t in act.by_team if t.completion.denominator] if act else []
    if not teams:
        return _no_data("completion_by_team", title, "action items")
    labels = [f"{t.team} (n={t.completion.denominator})" for t in teams]
    label_room = min(max(max(len(label) for label in labels) * CHAR, 60.0), 220.0)
    height = TOP + ROW * len(teams) + 58
    frame = Frame(label_room + 20, TOP, WIDTH - 30, height - 50)

    def x_of(percent: float) -> float:
        return frame.left + percent / 100 * frame.width

    out = _open(
        "completion_by_team",
        title,
        height,
        "; ".join(
            f"{t.team}: {100 * (t.completion.value or 0):.0f}% done "
            f"({t.completion.numerator} of {t.completion.denominator})"
            for t in teams
        )
        + ".",
    )
    out.append('<g data-part="x-ticks">')
    for percent in range(0, 101, 20):
        x = _f(x_of(percent))
        out.append(
            f'<line x1="{x}" y1="{_f(frame.top)}" x2="{x}" y2="{_f(frame.bottom)}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{x}" y="{_f(frame.bottom + 17)}" text-anchor="middle">{percent}</text>'
        )
    out.append("</g>")
    out.append('<g data-part="bars">')
    for n, (team, label) in enumerate(zip(teams, labels, strict=True)):
        middle = frame.top + ROW * (n + 0.5)
        value = team.completion.value or 0.0
        low, high = team.completion.interval() or (value, value)
        tip = (
            f"{escape(team.team)}: {100 * value:.0f}% done ({team.completion.numerator} of "
            f"{team.completion.denominator}); 95% interval {100 * low:.0f}% to {100 * high:.0f}%"
        )
        out.append(f"<g><title>{tip}</title>")
        out.append(
            f'<text x="{_f(frame.left - 8)}" y="{_f(middle + 4)}" text-anchor="end">'
            f"{escape(_fit(label, label_room))}</text>"
        )
        out.append(
            f'<rect x="{_f(frame.left)}" y="{_f(middle - 9)}" '
            f'width="{_f(x_of(100 * value) - frame.left)}" height="18" fill="{OPEN_COLOUR}"/>'
        )
        y = _f(middle)
        out.append(
            f'<line x1="{_f(x_of(100 * low))}" y1="{y}" x2="{_f(x_of(100 * high))}" y2="{y}" '
            f'stroke="{WHISKER_COLOUR}" stroke-width="1.5"/>'
        )
        for end in (low, high):
            x = _f(x_of(100 * end))
            out.append(
                f'<line x1="{x}" y1="{_f(middle - 5)}" x2="{x}" y2="{_f(middle + 5)}" '
                f'stroke="{WHISKER_COLOUR}" stroke-width="1.5"/>'
            )
        out.append("</g>")
    out.append("</g>")
    out.append(
        f'<line x1="{_f(frame.left)}" y1="{_f(frame.top)}" x2="{_f(frame.left)}" '
        f'y2="{_f(frame.bottom)}" stroke="{AXIS_COLOUR}" stroke-width="1"/>'
    )
    out.append(
        _x_title(frame, height, "done, % of items not dropped (whiskers: 95% Wilson interval)")
    )
    out.append("</svg>")
    return "completion_by_team", title, "\n".join(out)


MAKERS: tuple[Callable[[Stats], tuple[str, str, str]], ...] = (
    frequency_svg,
    ttr_svg,
    burn_down_svg,
    completion_svg,
)
