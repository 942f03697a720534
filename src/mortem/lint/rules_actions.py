"""A1: action items that can be done and checked: an owner, a due date, a type.

The wording of titles (A2) is a language rule, run with the other prose rules.
"""

from __future__ import annotations

import datetime as dt
import re

from .context import Context
from .rules import Example, Rule

_ITEM = """\
action_items:
  - id: A1
    title: Count requests per client id in the rate limiter.
{fields}"""


def _item(fields: str) -> Example:
    return Example(_ITEM.format(fields=fields), "front")


RULES = [
    Rule(
        "A101",
        "action.no-owner",
        "actions",
        "error",
        "the action item has no owner",
        "Name one person or team from the roster as `owner:`; an item everyone owns "
        "is done by no one.",
        bad=(_item("    due: 2026-03-28\n    type: prevent\n"),),
        good=(_item("    owner: payments\n    due: 2026-03-28\n    type: prevent\n"),),
    ),
    Rule(
        "A102",
        "action.no-due-date",
        "actions",
        "error",
        "the action item has no due date",
        "Set `due:` to the day it should be done by; `mortem actions` tracks it from then.",
        bad=(_item("    owner: payments\n    type: prevent\n"),),
        good=(_item("    owner: payments\n    due: 2026-03-28\n    type: prevent\n"),),
    ),
    Rule(
        "A103",
        "action.due-too-late",
        "actions",
        "warning",
        "the due date is far after the incident",
        "Split the work so that a first step is due within the horizon "
        "([lint] due_horizon_days, 90 by default); far-off items tend not to happen.",
        bad=(_item("    owner: payments\n    due: 2027-01-15\n    type: prevent\n"),),
        good=(_item("    owner: payments\n    due: 2026-04-30\n    type: prevent\n"),),
    ),
    Rule(
        "A104",
        "action.overdue",
        "actions",
        "warning",
        "the action item is open and past its due date",
        "Finish it, move the date with a note saying why, or close it as wont-do.",
        bad=(
            _item(
                "    owner: payments\n    due: 2026-03-16\n    status: open\n    type: prevent\n"
            ),
        ),
        good=(
            _item(
                "    owner: payments\n    due: 2026-03-16\n    status: done\n"
                "    closed_on: 2026-03-15\n    type: prevent\n"
            ),
        ),
        why="Checked against today's date (`mortem lint --today` sets another).",
    ),
    Rule(
        "A105",
        "action.no-type",
        "actions",
        "warning",
        "the action item has no type",
        "Set `type:` to prevent, detect, mitigate or process, so the mix of follow-up "
        "work can be measured.",
        bad=(_item("    owner: payments\n    due: 2026-03-28\n"),),
        good=(_item("    owner: payments\n    due: 2026-03-28\n    type: detect\n"),),
    ),
]

_ID_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")


def incident_day(ctx: Context) -> dt.date | None:
    """The postmortem's start day, else the creation day its id begins with."""
    if ctx.pm is not None and ctx.pm.started_at is not None:
        return ctx.pm.started_at.date()
    name = ctx.display.rsplit("/", 1)[-1]
    m = _ID_DATE.match(name)
    if m:
        try:
            return dt.date.fromisoformat(m.group(1))
        except ValueError:
            return None
    return None


def check(ctx: Context) -> None:
    pm = ctx.pm
    if pm is None:
        return
    config = ctx.config
    today = config.today
    start = incident_day(ctx)
    horizon = dt.timedelta(days=config.due_horizon_days)
    for i, item in enumerate(pm.action_items):
        where = ("action_items", i, "title")
        label = f"action item {item.id}"
        if item.status == "wont-do":
            continue
        if not (item.owner or "").strip():
            ctx.report_field("A101", where, f"{label} has no owner", part="value")
        if item.type is None:
            ctx.report_field("A105", where, f"{label} has no type", part="value")
        if item.due is None:
            ctx.report_field("A102", where, f"{label} has no due date", part="value")
            continue
        due_at = ("action_items", i, "due")
        if start is not None and item.due - start > horizon:
            days = (item.due - start).days
            ctx.report_field(
                "A103",
                due_at,
                f"{label} is due {days} days after the incident "
                f"(more than {config.due_horizon_days})",
                part="value",
            )
        if item.status in ("open", "in-progress"):
            if item.due < today:
                ctx.report_field(
                    "A104",
                    due_at,
                    f"{label} is {item.status} and past its due date {item.due.isoformat()}",
                    part="value",
                )
            else:
                # The cached result turns stale the day after this item falls due.
                ctx.expire(item.due + dt.timedelta(days=1))
