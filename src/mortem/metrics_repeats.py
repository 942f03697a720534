"""Repeat incidents: the same service and contributing-factor category again, soon.

A repeat is a postmortem and the previous one sharing a service and a factor category,
started within a window of days; the question it answers is whether the first one's
action items were done before the second happened (and so did not prevent it) or were
still open (and so never had the chance).

An item only counts as a fix for a category when it says so (`factors: [testing]`):
a done item about something else says nothing about whether that category was
addressed. When no item of the first postmortem declares its factors, the answer is
"not linked", never a guess.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from .metrics_facts import Excluded, Incident

AFTER_FIX = "after a fix"
OTHER_DONE = "other items done"
NOTHING_DONE = "nothing done"
NOT_LINKED = "not linked"
VERDICTS = (AFTER_FIX, OTHER_DONE, NOTHING_DONE, NOT_LINKED)
VERDICT_HELP = (
    f"{AFTER_FIX}: an item of the first addressing the shared category (its factors) was "
    f"done before the second started; {OTHER_DONE}: items were done, none for that "
    f"category; {NOTHING_DONE}: no item was done by then; {NOT_LINKED}: items were done "
    "but no item of the first declares the factors it addresses, so it cannot be told"
)


class Repeat(NamedTuple):
    first: str
    second: str
    services: tuple[str, ...]
    categories: tuple[str, ...]
    days_apart: int
    done_before: tuple[str, ...]  # the first's items done before the second started
    open_at_repeat: tuple[str, ...]  # the first's items not done by then
    linked: bool = False  # some item of the first declares the factors it addresses
    # (category, item) for each item done before the second that addresses a shared
    # category.
    fixes: tuple[tuple[str, str], ...] = ()

    def verdict(self, category: str | None = None) -> str:
        """What was done before the repeat, for one shared category or for any."""
        if not self.done_before:
            return NOTHING_DONE
        if not self.linked:
            return NOT_LINKED
        if any(category is None or c == category for c, _ in self.fixes):
            return AFTER_FIX
        return OTHER_DONE

    @property
    def fixed_before(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(ref for _, ref in self.fixes))

    @property
    def after_fix(self) -> bool:
        """Only with evidence: an item for a shared category was done before."""
        return self.verdict() == AFTER_FIX


def _start_key(incident: Incident) -> tuple[dt.datetime, str]:
    assert incident.started_at is not None
    return incident.started_at, incident.id


def repeats(incidents: list[Incident], days: int) -> tuple[list[Repeat], list[Excluded]]:
    """Each postmortem paired with the previous one sharing a service and a factor
    category, when it started within `days` days of it."""
    excluded = [
        Excluded(i.id, "repeats", "no started_at")
        for i in incidents
        if i.started_at is None and i.services and i.categories
    ]
    window = days * 86400.0
    # One sweep in start order, remembering the latest incident of each (service,
    # category): it is the one a new incident of that pair repeats.
    latest: dict[tuple[str, str], tuple[Incident, float]] = {}
    pairs: dict[tuple[str, str], tuple[Incident, Incident, float, list[str], list[str]]] = {}
    for later in sorted((i for i in incidents if i.started_at is not None), key=_start_key):
        at = later.started_at.timestamp()  # type: ignore[union-attr]
        for service in later.services:
            for category in later.categories:
                key = (service, category)
                seen = latest.get(key)
                latest[key] = (later, at)
                if seen is None or at - seen[1] > window:
                    continue
                earlier = seen[0]
                entry = pairs.get((earlier.id, later.id))
                if entry is None:
                    entry = pairs[(earlier.id, later.id)] = (earlier, later, at - seen[1], [], [])
                if service not in entry[3]:
                    entry[3].append(service)
                if category not in entry[4]:
                    entry[4].append(category)
    # An incident is the earlier one of several pairs: list its items once.
    items: dict[str, list[tuple[str, str, dt.date | None, tuple[str, ...]]]] = {}
    found = []
    for earlier, later, gap, services, categories in pairs.values():
        start = later.started_on
        assert start is not None
        known = items.get(earlier.id)
        if known is None:
            known = items[earlier.id] = [
                (a.ref, a.status, a.closed_on, a.factors)
                for a in earlier.actions
                if a.status != "wont-do"
            ]
        done: list[str] = []
        still: list[str] = []
        fixes: list[tuple[str, str]] = []
        for ref, status, closed, factors in known:
            if status == "done" and closed is not None and closed < start:
                done.append(ref)
                fixes += [(c, ref) for c in sorted(categories) if c in factors]
            else:
                still.append(ref)
        linked = any(a.factors for a in earlier.actions)
        found.append(
            Repeat(
                earlier.id,
                later.id,
                tuple(sorted(services)),
                tuple(sorted(categories)),
                int(gap // 86400),
                tuple(done),
                tuple(still),
                linked,
                tuple(fixes),
            )
        )
    found.sort(key=lambda r: (r.second, r.first))
    return found, excluded


@dataclass(frozen=True)
class Pattern:
    service: str
    category: str
    postmortems: tuple[str, ...]


def patterns(incidents: list[Incident], start: dt.date, end: dt.date) -> list[Pattern]:
    """(service, category) pairs shared by two or more incidents started in [start, end]."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for incident in incidents:
        day = incident.started_on
        if day is None or not start <= day <= end:
            continue
        for service in incident.services:
            for category in incident.categories:
                groups[(service, category)].append(incident.id)
    return [
        Pattern(service, category, tuple(ids))
        for (service, category), ids in sorted(groups.items())
        if len(ids) > 1
    ]
