"""How well the postmortem practice works, measured from the repository.

Each section is a plain function over the facts (`metrics_facts`) that returns a frozen
record; `compute` runs the sections a report asks for. Frequency, durations and action
items are here; engagement and blame language in `metrics_people`, repeats in
`metrics_repeats`, the statistics themselves in `metrics_numbers`. Durations are in minutes. Every
figure carries its n; whatever could not be counted is listed in `excluded` with the
reason, so nothing is dropped silently.

Definitions (also in docs/stats.md):
- time to detect / mitigate / resolve: detected_at / mitigated_at / resolved_at minus
  started_at.
- a postmortem's team: the roster teams of its authors.
- action items exist from their incident's start (the files do not record when an
  item was written); completion rate = done / (all - won't do); on-time rate = done by
  the due date / done with both a due date and closed_on; days to close = closed_on -
  the incident's start day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .metrics_facts import (
    NO_TEAM,
    Corpus,
    Excluded,
    Incident,
    team_of_owner,
    teams,
    teams_of_incident,
)
from .metrics_numbers import (
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    CountTest,
    Difference,
    Rate,
    Summary,
    Trend,
    count_test,
    median_difference,
    summarize,
    trends,
)
from .metrics_people import (
    BlameCounter,
    Culture,
    Engagement,
    blame_counts,
    culture,
    engagement,
    git_authors,
)
from .metrics_periods import Period, Unit, bucket, bucket_end, buckets_between, month_ends
from .metrics_repeats import Pattern, Repeat, patterns, repeats

if TYPE_CHECKING:
    from .config import Settings
    from .workspace import Workspace

DURATIONS: tuple[tuple[str, str, str], ...] = (
    ("ttd", "time to detect", "detected_at"),
    ("ttm", "time to mitigate", "mitigated_at"),
    ("ttr", "time to resolve", "resolved_at"),
)
SECTIONS = ("frequency", "durations", "actions", "engagement", "culture", "repeats")


@dataclass(frozen=True)
class Options:
    today: dt.date
    unit: Unit = "quarter"
    since: dt.date | None = None
    until: dt.date | None = None  # exclusive
    compare: tuple[Period, Period] | None = None
    repeat_days: int = 90
    seed: int = DEFAULT_SEED
    resamples: int = DEFAULT_RESAMPLES
    sections: tuple[str, ...] = SECTIONS


# -- selecting the incidents -----------------------------------------------------------


def select(
    corpus: Corpus, since: dt.date | None, until: dt.date | None
) -> tuple[list[Incident], list[Excluded]]:
    """Incidents started in [since, until); without bounds, all of them."""
    if since is None and until is None:
        return list(corpus.incidents), []
    chosen: list[Incident] = []
    excluded: list[Excluded] = []
    for incident in corpus.incidents:
        day = incident.started_on
        if day is None:
            excluded.append(Excluded(incident.id, "all figures", "no started_at: in no period"))
        elif (since is None or day >= since) and (until is None or day < until):
            chosen.append(incident)
    return chosen, excluded


# -- frequency -------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupTrend:
    kind: str  # all | severity | service | team
    name: str
    counts: list[int]
    trend: Trend

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Frequency:
    unit: str
    periods: list[str]
    # The last period may still be running on `today`: shown, but left out of trends.
    partial: str | None
    total: list[int]
    by_severity: dict[str, list[int]]
    groups: list[GroupTrend]
    excluded: list[Excluded]


def frequency(
    incidents: list[Incident],
    settings: Settings,
    unit: Unit,
    today: dt.date,
    until: dt.date | None = None,
    seed: int = DEFAULT_SEED,
) -> Frequency:
    dated = [(i, i.started_on) for i in incidents]
    excluded = [Excluded(i.id, "frequency", "no started_at") for i, day in dated if day is None]
    days = [day for _, day in dated if day is not None]
    if not days:
        return Frequency(unit, [], None, [], {}, [], excluded)
    last_day = (until - dt.timedelta(days=1)) if until else today
    end = max(max(days), last_day)
    periods = buckets_between(min(days), end, unit)
    position = {label: n for n, label in enumerate(periods)}
    partial = periods[-1] if bucket_end(periods[-1]) > end + dt.timedelta(days=1) else None
    total = [0] * len(periods)
    series: dict[tuple[str, str], list[int]] = {}

    def count(kind: str, name: str, slot: int) -> None:
        series.setdefault((kind, name), [0] * len(periods))[slot] += 1

    for incident, day in dated:
        if day is None:
            continue
        slot = position[bucket(day, unit)]
        total[slot] += 1
        count("severity", incident.severity or "(none)", slot)
        for service in incident.services or ("(none)",):
            count("service", service, slot)
        for team in teams_of_incident(incident, settings):
            count("team", team, slot)
    complete = len(periods) - (1 if partial else 0)
    order = {name: n for n, name in enumerate(settings.severity_names)}
    named = [
        (("all", "all incidents"), total),
        *sorted(
            series.items(),
            key=lambda kv: (
                ("severity", "service", "team").index(kv[0][0]),
                order.get(kv[0][1], 99),
                -sum(kv[1]),
                kv[0][1],
            ),
        ),
    ]
    found = trends([counts[:complete] for _, counts in named], seed)
    groups = [
        GroupTrend(kind, name, counts, t)
        for ((kind, name), counts), t in zip(named, found, strict=True)
    ]
    by_severity = {g.name: g.counts for g in groups if g.kind == "severity"}
    return Frequency(unit, periods, partial, total, by_severity, groups, excluded)


# -- durations -------------------------------------------------------------------------


@dataclass(frozen=True)
class DurationFigure:
    key: str
    name: str
    summary: Summary


@dataclass(frozen=True)
class Durations:
    overall: list[DurationFigure]
    ttr_by_period: list[tuple[str, DurationFigure]]
    values: dict[str, list[float]]  # minutes per metric, for charts
    ttr_values_by_period: dict[str, list[float]]
    excluded: list[Excluded]


def duration_values(
    incidents: Sequence[Incident],
) -> tuple[dict[str, list[tuple[Incident, float]]], list[Excluded]]:
    """Minutes from start to detection, mitigation and resolution, and what was left out."""
    found: dict[str, list[tuple[Incident, float]]] = {key: [] for key, _, _ in DURATIONS}
    excluded: list[Excluded] = []
    for incident in incidents:
        # Resolved before mitigated: one of the two times is wrong, and nothing says
        # which, so neither duration is counted.
        misordered = (
            incident.mitigated_at is not None
            and incident.resolved_at is not None
            and incident.resolved_at < incident.mitigated_at
        )
        for key, name, attr in DURATIONS:
            end = getattr(incident, attr)
            if incident.started_at is None:
                excluded.append(Excluded(incident.id, name, "no started_at"))
            elif end is None:
                excluded.append(Excluded(incident.id, name, f"no {attr}"))
            elif end < incident.started_at:
                excluded.append(Excluded(incident.id, name, f"{attr} is before started_at"))
            elif misordered and key in ("ttm", "ttr"):
                excluded.append(Excluded(incident.id, name, "resolved_at is before mitigated_at"))
            else:
                minutes = (end - incident.started_at).total_seconds() / 60
                found[key].append((incident, minutes))
    return found, excluded


def durations(
    incidents: list[Incident],
    unit: Unit,
    seed: int = DEFAULT_SEED,
    resamples: int = DEFAULT_RESAMPLES,
) -> Durations:
    found, excluded = duration_values(incidents)
    overall = [
        DurationFigure(key, name, summarize([m for _, m in found[key]], key, seed, resamples))
        for key, name, _ in DURATIONS
    ]
    per_period: dict[str, list[float]] = defaultdict(list)
    for incident, minutes in found["ttr"]:
        if incident.started_on is not None:
            per_period[bucket(incident.started_on, unit)].append(minutes)
    ttr_by_period = [
        (
            label,
            DurationFigure(
                "ttr",
                "time to resolve",
                summarize(per_period[label], f"ttr:{label}", seed, resamples, with_mean=False),
            ),
        )
        for label in sorted(per_period)
    ]
    values = {key: [m for _, m in found[key]] for key in found}
    return Durations(overall, ttr_by_period, values, dict(sorted(per_period.items())), excluded)


@dataclass(frozen=True)
class Comparison:
    a: Period
    b: Period
    incidents_a: int
    incidents_b: int
    figures: list[tuple[str, Difference]]
    counts: CountTest | None = None


def observed_days(period: Period, today: dt.date) -> int:
    """Days of the period that have happened by the end of `today`: a period still
    running (or to come) has had fewer days in which to count incidents."""
    return max(0, (min(period.end, today + dt.timedelta(days=1)) - period.start).days)


def compare(
    incidents: list[Incident],
    periods: tuple[Period, Period],
    seed: int = DEFAULT_SEED,
    resamples: int = DEFAULT_RESAMPLES,
    today: dt.date | None = None,
) -> Comparison:
    a, b = periods
    in_a = [i for i in incidents if i.started_on in a]
    in_b = [i for i in incidents if i.started_on in b]
    last = today or dt.date.max - dt.timedelta(days=1)
    counts = count_test(len(in_a), len(in_b), observed_days(a, last), observed_days(b, last))
    found_a, _ = duration_values(in_a)
    found_b, _ = duration_values(in_b)
    figures = [
        (
            name,
            median_difference(
                [m for _, m in found_a[key]],
                [m for _, m in found_b[key]],
                f"cmp:{key}",
                seed,
                resamples,
            ),
        )
        for key, name, _ in DURATIONS
    ]
    return Comparison(a, b, len(in_a), len(in_b), figures, counts)


# -- action items ----------------------------------------------------------------------


@dataclass(frozen=True)
class TeamActions:
    team: str
    total: int
    completion: Rate
    on_time: Rate
    open: int
    overdue: int


@dataclass(frozen=True)
class ActionStats:
    total: int
    open: int
    overdue: int
    done: int
    wont_do: int
    completion: Rate
    on_time: Rate
    days_to_close: Summary
    over_time: list[tuple[dt.date, int, int]]  # month end, open, overdue
    by_team: list[TeamActions]
    excluded: list[Excluded]


def action_stats(
    incidents: list[Incident],
    settings: Settings,
    today: dt.date,
    seed: int = DEFAULT_SEED,
    resamples: int = DEFAULT_RESAMPLES,
) -> ActionStats:
    import numpy as np

    known_teams = teams(settings)
    excluded: list[Excluded] = []
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0, 0])
    # per team: total, done, wont-do, on time, judged, open, overdue
    days_to_close: list[float] = []
    created: list[int] = []
    closed: list[int] = []
    due: list[int] = []
    never = dt.date.max.toordinal()
    for incident in incidents:
        start = incident.started_on
        for item in incident.actions:
            team = team_of_owner(item.owner, settings, known_teams) or NO_TEAM
            row = totals[team]
            row[0] += 1
            if item.status == "done":
                row[1] += 1
                if item.due is not None and item.closed_on is not None:
                    row[4] += 1
                    row[3] += item.closed_on <= item.due
                else:
                    missing = "due" if item.due is None else "closed_on"
                    excluded.append(
                        Excluded(item.ref, "on-time rate", f"done, but has no {missing}")
                    )
            elif item.status == "wont-do":
                row[2] += 1
            else:
                row[5] += 1
                if item.due is None:
                    excluded.append(Excluded(item.ref, "overdue", "open without a due date"))
                elif item.due < today:
                    row[6] += 1
            closing = item.status in ("done", "wont-do")
            if item.status == "done" and item.closed_on is not None:
                if start is None:
                    excluded.append(
                        Excluded(item.ref, "days to close", "its postmortem has no started_at")
                    )
                elif item.closed_on < start:
                    excluded.append(
                        Excluded(
                            item.ref, "days to close", "closed_on is before the incident started"
                        )
                    )
                else:
                    days_to_close.append(float((item.closed_on - start).days))
            if start is None:
                excluded.append(
                    Excluded(item.ref, "open over time", "its postmortem has no started_at")
                )
            elif closing and item.closed_on is None:
                excluded.append(
                    Excluded(item.ref, "open over time", f"{item.status} without closed_on")
                )
            else:
                created.append(start.toordinal())
                closed.append(item.closed_on.toordinal() if closing and item.closed_on else never)
                due.append(item.due.toordinal() if item.due else never)
    over_time: list[tuple[dt.date, int, int]] = []
    if created:
        c, x, d = np.array(created), np.array(closed), np.array(due)
        for end in month_ends(dt.date.fromordinal(int(c.min())), today):
            at = end.toordinal()
            open_mask = (c <= at) & (x > at)
            over_time.append((end, int(open_mask.sum()), int((open_mask & (d < at)).sum())))
    by_team = [
        TeamActions(team, r[0], Rate(r[1], r[0] - r[2]), Rate(r[3], r[4]), r[5], r[6])
        for team, r in sorted(totals.items())
    ]
    total = [sum(r[i] for r in totals.values()) for i in range(7)]
    return ActionStats(
        total=total[0],
        open=total[5],
        overdue=total[6],
        done=total[1],
        wont_do=total[2],
        completion=Rate(total[1], total[0] - total[2]),
        on_time=Rate(total[3], total[4]),
        days_to_close=summarize(days_to_close, "days-to-close", seed, resamples),
        over_time=over_time,
        by_team=by_team,
        excluded=excluded,
    )


# -- everything ------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    options: Options
    incidents: int
    frequency: Frequency | None = None
    durations: Durations | None = None
    comparison: Comparison | None = None
    actions: ActionStats | None = None
    engagement: Engagement | None = None
    culture: Culture | None = None
    repeats: list[Repeat] | None = None
    excluded: list[Excluded] = field(default_factory=list)


def compute(ws: Workspace, options: Options, count_blame: BlameCounter | None = None) -> Stats:
    from .metrics_facts import bulk, load_corpus

    corpus = load_corpus(ws.index)
    with bulk():
        return compute_from(
            corpus,
            ws.settings,
            options,
            (lambda: git_authors(ws)),
            count_blame or (lambda ids: blame_counts(ws, ids, options.today)),
        )


def compute_from(
    corpus: Corpus,
    settings: Settings,
    options: Options,
    authors: Callable[[], dict[str, set[str]]],
    count_blame: BlameCounter,
) -> Stats:
    o = options
    incidents, excluded = select(corpus, o.since, o.until)
    excluded = corpus.invalid + excluded
    wanted = set(o.sections)
    result: dict[str, Any] = {}
    if "frequency" in wanted:
        result["frequency"] = frequency(incidents, settings, o.unit, o.today, o.until, o.seed)
        excluded += result["frequency"].excluded
    if "durations" in wanted:
        result["durations"] = durations(incidents, o.unit, o.seed, o.resamples)
        excluded += result["durations"].excluded
    if o.compare is not None:
        result["comparison"] = compare(corpus.incidents, o.compare, o.seed, o.resamples, o.today)
    if "actions" in wanted:
        result["actions"] = action_stats(incidents, settings, o.today, o.seed, o.resamples)
        excluded += result["actions"].excluded
    if "engagement" in wanted:
        result["engagement"] = engagement(
            incidents, settings, authors(), o.today, o.seed, o.resamples
        )
        excluded += result["engagement"].excluded
    if "culture" in wanted:
        result["culture"] = culture(incidents, o.unit, count_blame)
    if "repeats" in wanted:
        found, left_out = repeats(incidents, o.repeat_days)
        result["repeats"] = found
        excluded += left_out
    return Stats(options, len(incidents), excluded=excluded, **result)


__all__ = [
    "Culture",
    "Engagement",
    "Options",
    "Pattern",
    "Rate",
    "Repeat",
    "Stats",
    "blame_counts",
    "compute",
    "compute_from",
    "git_authors",
    "patterns",
    "repeats",
]
