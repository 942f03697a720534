"""A postmortem's timeline drawn on a time axis, as inline SVG (no script, no fonts to load).

Time runs down a vertical axis. Events sit at their time where there is room, and are
pushed down just enough not to overlap when they crowd together; a long quiet gap is
shortened and marked with a break, so that one event two days later does not squeeze
everything else into a line. The phases of the incident (detecting, mitigating,
recovering) are coloured bands along the axis, placed by the same time scale.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import statistics
import textwrap
from dataclasses import dataclass
from html import escape

from .model import Postmortem

WIDTH = 760
AXIS_X = 118
TEXT_X = 136
TOP = 58
BOTTOM = 24
LINE = 17  # height of one line of event text
GAP = 10  # space between two events
WRAP = 84  # characters per line of event text (about 600 px of 13 px text)
GAP_CAP = 5.0  # a gap longer than this many median gaps is shortened and marked
ROOM_MIN, ROOM_MAX = 1.4, 1.8  # axis length, in multiples of the text's height

KIND_COLOURS = {
    "trigger": "#b2182b",
    "detection": "#e08214",
    "action": "#2166ac",
    "mitigation": "#1b7837",
    "resolution": "#35978f",
    "communication": "#762a83",
}
MILESTONE_COLOUR = "#444444"
PHASES = (
    ("started_at", "detected_at", "detecting", "#f4a582"),
    ("detected_at", "mitigated_at", "mitigating", "#fddbc7"),
    ("mitigated_at", "resolved_at", "recovering", "#d1e5f0"),
)
MILESTONES = (
    ("started_at", "Incident started"),
    ("detected_at", "Detected"),
    ("mitigated_at", "Mitigated"),
    ("resolved_at", "Resolved"),
)


@dataclass(frozen=True)
class Row:
    at: dt.datetime
    text: str
    kind: str | None
    milestone: bool  # a front-matter time with no event of its own in the timeline


def rows_of(pm: Postmortem) -> list[Row]:
    """Timeline events, plus the incident's key times where no event marks them."""
    rows = [Row(e.at.astimezone(dt.UTC), e.event, e.kind, False) for e in pm.timeline]
    instants = {r.at for r in rows}
    for name, label in MILESTONES:
        value = getattr(pm, name)
        if value is not None and value.astimezone(dt.UTC) not in instants:
            rows.append(Row(value.astimezone(dt.UTC), label, None, True))
    rows.sort(key=lambda r: r.at)
    return rows


def duration_text(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def _compressed(times: list[float]) -> tuple[list[float], list[int]]:
    """Positions on a time scale where very long gaps take no time at all (the drawing
    gives each a fixed break instead); which gaps were cut."""
    gaps = [b - a for a, b in itertools.pairwise(times)]
    positive = [g for g in gaps if g > 0]
    cap = GAP_CAP * statistics.median(positive) if positive else 0.0
    positions = [0.0]
    broken = []
    for i, gap in enumerate(gaps):
        if cap and gap > cap:
            broken.append(i)
            gap = 0.0
        positions.append(positions[-1] + gap)
    return positions, broken


def timeline_svg(pm: Postmortem, title: str | None = None) -> str | None:
    """The SVG text, or None when there is nothing dated to draw."""
    rows = rows_of(pm)
    if not rows:
        return None
    lines = [textwrap.wrap(r.text, WRAP) or [""] for r in rows]
    # The first row of each day carries the date under its time: it needs two lines of
    # height even when its text fits on one, or the date runs into the next time.
    dated = [i == 0 or r.at.date() != rows[i - 1].at.date() for i, r in enumerate(rows)]
    heights = [LINE * max(len(w), 2 if d else 1) + GAP for w, d in zip(lines, dated, strict=True)]
    times = [r.at.timestamp() for r in rows]
    scale, broken = _compressed(times)
    span = scale[-1] or 1.0
    # The axis is longer than the text needs, so that time reads as distance: long
    # enough for the shortest gap to hold its row where possible, but never more than
    # ROOM_MAX times the text, so a burst of events a minute apart does not stretch
    # the drawing; rows that still crowd are pushed down just enough.
    text_height = sum(heights)
    fits = [
        h * span / (b - a)
        for h, (a, b) in zip(heights, itertools.pairwise(scale), strict=False)
        if b > a
    ]
    room = min(max([text_height * ROOM_MIN, *fits]), text_height * ROOM_MAX)
    ys: list[float] = []
    cut = set(broken)
    breaks = 0.0  # the room given so far to gaps drawn as a break
    for i, position in enumerate(scale):
        if i - 1 in cut:
            breaks += heights[i - 1] + 2 * LINE  # the row above, then the break's label
        wanted = TOP + position / span * room + breaks
        ys.append(max(wanted, ys[-1] + heights[i - 1]) if ys else TOP)
    height = int(ys[-1] + heights[-1] + BOTTOM)

    def y_at(moment: dt.datetime) -> float:
        # Between two rows, time maps linearly onto the space the rows were given.
        t = moment.astimezone(dt.UTC).timestamp()
        i = bisect.bisect_right(times, t)
        if i <= 0:
            return ys[0]
        if i >= len(times):
            return ys[-1]
        t0, t1 = times[i - 1], times[i]
        frac = (t - t0) / (t1 - t0) if t1 > t0 else 0.0
        return ys[i - 1] + frac * (ys[i] - ys[i - 1])

    label = escape(title or pm.title)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="tl-title" class="timeline" '
        f'font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="tl-title">Timeline of {label}</title>',
    ]
    out += _legend(pm)
    for start_name, end_name, phase, colour in PHASES:
        start, end = getattr(pm, start_name), getattr(pm, end_name)
        if start is None or end is None or end <= start:
            continue
        y0, y1 = y_at(start), y_at(end)
        out.append(
            f'<rect x="{AXIS_X - 5}" y="{y0:.1f}" width="10" height="{max(y1 - y0, 1):.1f}" '
            f'fill="{colour}"><title>{phase}: {duration_text((end - start).total_seconds())}'
            "</title></rect>"
        )
    out.append(
        f'<line x1="{AXIS_X}" y1="{TOP - 8}" x2="{AXIS_X}" y2="{height - BOTTOM + 4}" '
        'stroke="#888" stroke-width="1"/>'
    )
    for i in broken:
        mid = (ys[i] + ys[i + 1]) / 2
        out.append(
            f'<path d="M{AXIS_X - 9} {mid - 2:.1f} l18 -5 M{AXIS_X - 9} {mid + 4:.1f} l18 -5" '
            'stroke="#888" stroke-width="1.5"/>'
        )
        gap = duration_text(times[i + 1] - times[i])
        out.append(
            f'<text x="{AXIS_X - 14}" y="{mid + 4:.1f}" text-anchor="end" fill="#777" '
            f'font-size="11">{escape(gap)} later</text>'
        )
    for row, y, wrapped, show_day in zip(rows, ys, lines, dated, strict=True):
        colour = MILESTONE_COLOUR if row.milestone else KIND_COLOURS.get(row.kind or "", "#555")
        day = row.at.date()
        stamp = row.at.strftime("%H:%M")
        out.append(
            f'<text x="{AXIS_X - 14}" y="{y + 4:.1f}" text-anchor="end" '
            f'font-variant-numeric="tabular-nums">{stamp}</text>'
        )
        if show_day:
            out.append(
                f'<text x="{AXIS_X - 14}" y="{y + 4 + LINE - 2:.1f}" text-anchor="end" '
                f'fill="#777" font-size="11">{day.strftime("%d %b %Y")}</text>'
            )
        shape = (
            f'<rect x="{AXIS_X - 5}" y="{y - 1:.1f}" width="10" height="10" fill="{colour}" '
            f'transform="rotate(45 {AXIS_X} {y + 4:.1f})"/>'
            if row.milestone
            else f'<circle cx="{AXIS_X}" cy="{y + 4:.1f}" r="5" fill="{colour}" '
            'stroke="#fff" stroke-width="1.5"/>'
        )
        out.append(shape)
        style = ' font-style="italic"' if row.milestone else ""
        kind = f" ({row.kind})" if row.kind else ""
        out.append(f"<g><title>{escape(row.at.isoformat())}{escape(kind)}</title>")
        for n, text in enumerate(wrapped):
            out.append(
                f'<text x="{TEXT_X}" y="{y + 4 + n * LINE:.1f}"{style}>{escape(text)}</text>'
            )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def _legend(pm: Postmortem) -> list[str]:
    parts: list[str] = []
    x = 10
    for start_name, end_name, phase, colour in PHASES:
        start, end = getattr(pm, start_name), getattr(pm, end_name)
        if start is None or end is None or end <= start:
            continue
        text = f"{phase} {duration_text((end - start).total_seconds())}"
        parts.append(f'<rect x="{x}" y="12" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 18}" y="22.5">{escape(text)}</text>')
        x += 18 + 8 * len(text) + 24
    if parts:
        parts.append('<text x="10" y="44" fill="#777" font-size="11">Times in UTC</text>')
    else:
        parts.append('<text x="10" y="22.5" fill="#777" font-size="11">Times in UTC</text>')
    return parts
