"""How well the postmortem practice works, measured from the repository.

Each section is a plain function over the facts (`metrics_facts`) that returns a frozen
record; `compute` runs the sections a report asks for. Durations are in minutes. Every
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
import json
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

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
    Difference,
    Summary,
    Trend,
    median_difference,
    summarize,
    trends,
)
from .metrics_periods import Period, Unit, bucket, bucket_end, buckets_between, month_ends

if TYPE_CHECKING:
    from .config import Settings
    from .workspace import Workspace

DURATIONS: tuple[tuple[str, str, str], ...] = (
    ("ttd", "time to detect", "detected_at"),
    ("ttm", "time to mitigate", "mitigated_at"),
    ("ttr", "time to resolve", "resolved_at"),
)
BLAME_PREFIX = "B"  # the lint rule group "Blaming language"
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
        for key, name, attr in DURATIONS:
            end = getattr(incident, attr)
            if incident.started_at is None:
                excluded.append(Excluded(incident.id, name, "no started_at"))
            elif end is None:
                excluded.append(Excluded(incident.id, name, f"no {attr}"))
            elif end < incident.started_at:
                excluded.append(Excluded(incident.id, name, f"{attr} is before started_at"))
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


def compare(
    incidents: list[Incident],
    periods: tuple[Period, Period],
    seed: int = DEFAULT_SEED,
    resamples: int = DEFAULT_RESAMPLES,
) -> Comparison:
    a, b = periods
    in_a = [i for i in incidents if i.started_on in a]
    in_b = [i for i in incidents if i.started_on in b]
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
    return Comparison(a, b, len(in_a), len(in_b), figures)


# -- action items ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """A proportion with its Wilson score interval (sound for small n and for 0 or 1)."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def interval(self, z: float = 1.959964) -> tuple[float, float] | None:
        n = self.denominator
        if n == 0:
            return None
        p = self.numerator / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return max(0.0, centre - half), min(1.0, centre + half)


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


# -- engagement ------------------------------------------------------------------------


@dataclass(frozen=True)
class Engagement:
    people: list[tuple[str, int]]  # postmortem, distinct people
    summary: Summary
    follow_ups_due: int
    follow_ups_held: int
    excluded: list[Excluded]

    @property
    def held_rate(self) -> Rate:
        return Rate(self.follow_ups_held, self.follow_ups_due)


def people_of(incident: Incident, git_names: set[str]) -> set[str]:
    names = set(incident.authors) | set(incident.responders) | git_names
    if incident.facilitator:
        names.add(incident.facilitator)
    for review in incident.reviews:
        names |= set(review.reviewers)
    return names


def engagement(
    incidents: list[Incident],
    settings: Settings,
    git_authors: dict[str, set[str]],
    today: dt.date,
    seed: int = DEFAULT_SEED,
    resamples: int = DEFAULT_RESAMPLES,
) -> Engagement:
    from .reviews import follow_up_counts

    by_name = {p.name: key for key, p in settings.people.items()}
    people = []
    for incident in incidents:
        git_names = {by_name.get(n, n) for n in git_authors.get(incident.id, set())}
        people.append((incident.id, len(people_of(incident, git_names))))
    due, held, excluded = follow_up_counts(incidents, settings, today)
    return Engagement(
        people,
        summarize([float(n) for _, n in people], "people", seed, resamples),
        due,
        held,
        excluded,
    )


def git_authors(ws: Workspace) -> dict[str, set[str]]:
    """Git authors of every postmortem file by id, cached per HEAD commit (the history
    only changes with HEAD, and walking it is the slow part)."""
    head = ws.git.head() if ws.git.is_repo() else None
    if head is None:
        return {}
    cache = ws.root / ".mortem" / "git-authors.json"
    try:
        saved = json.loads(cache.read_text(encoding="utf-8"))
        if saved.get("head") == head:
            return {k: set(v) for k, v in saved["authors"].items()}
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    folder = ws.settings.paths.postmortems
    by_path = ws.git.authors_by_file(folder)
    prefix = ws.store.folder.resolve().relative_to(ws.git.toplevel().resolve()).as_posix()
    authors: dict[str, set[str]] = {}
    for path, names in by_path.items():
        parent, _, name = path.rpartition("/")
        if parent == prefix and name.endswith(".md"):
            authors.setdefault(name[:-3], set()).update(names)
    cache.parent.mkdir(exist_ok=True)
    cache.write_text(
        json.dumps({"head": head, "authors": {k: sorted(v) for k, v in authors.items()}}),
        encoding="utf-8",
    )
    return authors


# -- culture (blame language, through the lint hook) -------------------------------------


@dataclass(frozen=True)
class Culture:
    available: bool
    per_period: list[tuple[str, int, int]]  # period, postmortems, blame findings
    per_postmortem: list[tuple[str, int]]
    note: str


BlameCounter = Callable[[list[str]], dict[str, int] | None]


def culture(incidents: list[Incident], unit: Unit, count_blame: BlameCounter) -> Culture:
    """Blame-language findings per postmortem and per period of the incident's start."""
    counts = count_blame([i.id for i in incidents])
    if counts is None:
        return Culture(False, [], [], "mortem.lint is not available: no blame findings to count")
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    undated = 0
    for incident in incidents:
        if incident.started_on is None:
            undated += 1
            continue
        slot = per[bucket(incident.started_on, unit)]
        slot[0] += 1
        slot[1] += counts.get(incident.id, 0)
    note = f"{undated} postmortem(s) without started_at are in no period" if undated else ""
    return Culture(
        True,
        [(label, v[0], v[1]) for label, v in sorted(per.items())],
        [(i.id, counts.get(i.id, 0)) for i in incidents],
        note,
    )


# -- repeat incidents ------------------------------------------------------------------


class Repeat(NamedTuple):
    first: str
    second: str
    services: tuple[str, ...]
    categories: tuple[str, ...]
    days_apart: int
    done_before: tuple[str, ...]  # the first's items done before the second started
    open_at_repeat: tuple[str, ...]  # the first's items not done by then

    @property
    def after_fix(self) -> bool:
        return bool(self.done_before)


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
    items: dict[str, list[tuple[str, str, dt.date | None]]] = {}
    found = []
    for earlier, later, gap, services, categories in pairs.values():
        start = later.started_on
        assert start is not None
        known = items.get(earlier.id)
        if known is None:
            known = items[earlier.id] = [
                (a.ref, a.status, a.closed_on) for a in earlier.actions if a.status != "wont-do"
            ]
        done: list[str] = []
        still: list[str] = []
        for ref, status, closed in known:
            if status == "done" and closed is not None and closed < start:
                done.append(ref)
            else:
                still.append(ref)
        found.append(
            Repeat(
                earlier.id,
                later.id,
                tuple(sorted(services)),
                tuple(sorted(categories)),
                int(gap // 86400),
                tuple(done),
                tuple(still),
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
        result["comparison"] = compare(corpus.incidents, o.compare, o.seed, o.resamples)
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


def blame_counts(
    ws: Workspace, ids: list[str], today: dt.date | None = None
) -> dict[str, int] | None:
    """Findings of the blaming-language rules (codes B...) per postmortem, through
    `mortem lint` and its cache; None when `mortem.lint` is not installed."""
    try:
        from .lint.cache import Target
        from .lint.service import cache_folder, lint_config, run_lint
    except ImportError:
        return None
    folder = ws.store.folder
    targets = [
        Target(path, ws.store.display(path), folder)
        for path in (ws.store.path_for(doc_id) for doc_id in ids)
    ]
    run = run_lint(targets, lint_config(ws, today=today), cache_folder(ws))
    return {
        doc_id: sum(1 for f in result.findings if f.code.startswith(BLAME_PREFIX))
        for doc_id, result in zip(ids, run.results, strict=True)
    }
