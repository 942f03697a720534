"""T: the timeline in order, with timezones, inside the incident, agreeing with its times."""

from __future__ import annotations

import datetime as dt

from .context import Context
from .rules import Example, Rule

KIND_FIELDS = {
    "detection": "detected_at",
    "mitigation": "mitigated_at",
    "resolution": "resolved_at",
}


def _timeline(*events: tuple[str, str, str | None]) -> Example:
    lines = ["timeline:"]
    for at, event, kind in events:
        lines += [f"  - at: {at}", f"    event: {event}"]
        if kind:
            lines.append(f"    kind: {kind}")
    return Example("\n".join(lines) + "\n", "front")


_TRIGGER = ("2026-03-14T02:47:00Z", "Gateway traffic arrives from 40 addresses.", "trigger")
_DETECT = ("2026-03-14T02:51:00Z", "The latency alert pages the on-call engineer.", "detection")
_MITIGATE = ("2026-03-14T03:05:00Z", "The rate limit is raised.", "mitigation")
_RESOLVE = ("2026-03-14T03:12:00Z", "Latency is back at its baseline.", "resolution")

RULES = [
    Rule(
        "T101",
        "timeline.order",
        "timeline",
        "warning",
        "the timeline is out of order",
        "List events from the earliest to the latest; check the date and timezone of "
        "the event that jumps back.",
        bad=(_timeline(_TRIGGER, _MITIGATE, _DETECT, _RESOLVE),),
        good=(_timeline(_TRIGGER, _DETECT, _MITIGATE, _RESOLVE),),
    ),
    Rule(
        "T102",
        "timeline.no-timezone",
        "timeline",
        "error",
        "a time has no timezone",
        "Write the offset: 2026-03-14T02:47:00Z or 2026-03-14T03:47:00+01:00.",
        bad=(
            _timeline(
                ("2026-03-14T02:47:00", _TRIGGER[1], "trigger"), _DETECT, _MITIGATE, _RESOLVE
            ),
        ),
        good=(_timeline(_TRIGGER, _DETECT, _MITIGATE, _RESOLVE),),
        why="Without a timezone the order of events and every duration are guesses.",
    ),
    Rule(
        "T103",
        "timeline.outside-incident",
        "timeline",
        "warning",
        "an event lies outside the incident window",
        "Check the event's date and time, or move the event into the narrative if it "
        "is context from before or after the incident ([lint] "
        "timeline_tolerance_minutes sets the slack, 60 by default).",
        bad=(
            _timeline(
                _TRIGGER,
                _DETECT,
                _MITIGATE,
                _RESOLVE,
                ("2026-03-15T09:00:00Z", "The fix is deployed.", None),
            ),
        ),
        good=(
            _timeline(
                ("2026-03-14T02:30:00Z", "The gateway migration starts.", None),
                _TRIGGER,
                _DETECT,
                _MITIGATE,
                _RESOLVE,
            ),
        ),
    ),
    Rule(
        "T104",
        "timeline.disagrees",
        "timeline",
        "warning",
        "a detection, mitigation or resolution event disagrees with the front matter's time",
        "Make the event's time and detected_at / mitigated_at / resolved_at the same; "
        "the metrics use the field.",
        bad=(
            _timeline(
                _TRIGGER,
                ("2026-03-14T02:58:00Z", _DETECT[1], "detection"),
                _MITIGATE,
                _RESOLVE,
            ),
        ),
        good=(_timeline(_TRIGGER, _DETECT, _MITIGATE, _RESOLVE),),
    ),
]


def _hhmm(value: dt.datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def check(ctx: Context) -> None:
    pm = ctx.pm
    if pm is None or not pm.timeline:
        return
    events = pm.timeline
    for i in range(1, len(events)):
        if events[i].at < events[i - 1].at:
            ctx.report_field(
                "T101",
                ("timeline", i, "at"),
                f"event {i + 1} ({_hhmm(events[i].at)}) is earlier than the event "
                f"before it ({_hhmm(events[i - 1].at)})",
                part="value",
            )
    slack = dt.timedelta(minutes=ctx.config.timeline_tolerance_minutes)
    low = pm.started_at - slack if pm.started_at else None
    high = pm.resolved_at + slack if pm.resolved_at else None
    for i, event in enumerate(events):
        if (low is not None and event.at < low) or (high is not None and event.at > high):
            side = (
                "before started_at" if low is not None and event.at < low else "after resolved_at"
            )
            ctx.report_field(
                "T103",
                ("timeline", i, "at"),
                f"event {i + 1} ({_hhmm(event.at)}) is {side} by more than "
                f"{ctx.config.timeline_tolerance_minutes} minutes",
                part="value",
            )
    for kind, name in KIND_FIELDS.items():
        of_kind = [(e.at, i) for i, e in enumerate(events) if e.kind == kind]
        if not of_kind:
            continue
        at, i = min(of_kind)
        field_value: dt.datetime | None = getattr(pm, name)
        if field_value is None:
            message = f"the {kind} event is at {_hhmm(at)} but {name} is not set"
        elif field_value != at:
            message = f"the {kind} event is at {_hhmm(at)} but {name} is {_hhmm(field_value)}"
        else:
            continue
        ctx.report_field("T104", ("timeline", i, "at"), message, part="value")
