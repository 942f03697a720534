"""The dashboard's figures and charts, from `metrics` and `chart_svg`, cached per index state."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal

from ..errors import UsageError
from ..metrics import Options, Stats, compute_from, git_authors
from ..metrics_facts import Corpus, load_corpus, teams_of_incident
from ..metrics_numbers import Estimate, Summary
from ..metrics_periods import Period, parse_period
from .site import Site

KEY_DAYS = 90
RECENT_REPEATS = 10  # the page lists the latest; `mortem stats` lists them all


@dataclasses.dataclass(frozen=True)
class Selection:
    """Which incidents a dashboard shows: a period (empty: all time), a team, a unit."""

    period: str = ""
    team: str = ""
    unit: Literal["month", "quarter"] = "quarter"

    def parsed(self) -> Period | None:
        return parse_period(self.period) if self.period else None


def _estimate(value: Estimate | None) -> dict[str, float | None] | None:
    if value is None:
        return None
    if not value.interval:  # too few values: their range is not a confidence interval
        return {"value": value.value, "low": None, "high": None}
    return {"value": value.value, "low": value.low, "high": value.high}


def _summary(summary: Summary) -> dict[str, Any]:
    return {
        "n": summary.n,
        "median": _estimate(summary.median),
        "p90": _estimate(summary.p90),
        "small": summary.small,
    }


def _rate(rate: Any) -> dict[str, Any]:
    interval = rate.interval()
    return {
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "value": rate.value,
        "low": interval[0] if interval else None,
        "high": interval[1] if interval else None,
    }


def _corpus(site: Site, team: str) -> Corpus:
    corpus = load_corpus(site.ws.index)
    if not team:
        return corpus
    settings = site.ws.settings
    chosen = [i for i in corpus.incidents if team in teams_of_incident(i, settings)]
    return Corpus(chosen, corpus.invalid)


def stats_for(site: Site, selection: Selection, today: dt.date, blame: bool = True) -> Stats:
    """The metrics of the selection; without the blame counts when `blame` is False
    (still being linted, or not shown). Not kept: on 10,000 postmortems they hold tens
    of megabytes, and the pages keep only what they show of them."""
    period = selection.parsed()
    options = Options(
        today=today,
        unit=selection.unit,
        since=period.start if period else None,
        until=period.end if period else None,
    )
    return compute_from(
        _corpus(site, selection.team),
        site.ws.settings,
        options,
        lambda: git_authors(site.ws),
        (lambda ids: _blame(site, ids)) if blame else (lambda ids: None),
    )


def blame_ready(site: Site) -> bool:
    """Count the blame findings now unless the server is counting them already: then
    False, and the page shows everything else at once (never the index lock held while
    10,000 files are linted)."""
    if site.blame_pending():
        return False
    site.blame_counts()
    return True


def _blame(site: Site, ids: list[str]) -> dict[str, int] | None:
    counts = site.blame_counts()
    if counts is None:
        return None
    if all(i in counts for i in ids):
        return {i: counts[i] for i in ids}
    from ..metrics import blame_counts  # a file the kept counts have not seen yet

    return blame_counts(site.ws, ids)


def dashboard_view(site: Site, selection: Selection, today: dt.date) -> dict[str, Any]:
    """The dashboard's figures as plain data (computed once per index state)."""
    view: dict[str, Any] = _dashboard_and_charts(site, selection, today)["view"]
    return view


def chart_svgs(site: Site, selection: Selection, today: dt.date) -> dict[str, tuple[str, str]]:
    """name -> (title, SVG) of every chart of the selection (cached per index state)."""
    charts: dict[str, tuple[str, str]] = _dashboard_and_charts(site, selection, today)["charts"]
    return charts


def _dashboard_and_charts(site: Site, selection: Selection, today: dt.date) -> dict[str, Any]:
    """The figures and the charts of a selection, from one computation of its metrics."""
    from ..chart_svg import svg_charts

    if selection.unit not in ("month", "quarter"):
        raise UsageError("unit: month or quarter")
    pending = not blame_ready(site)

    def compute() -> dict[str, Any]:
        stats = stats_for(site, selection, today, blame=not pending)
        return {
            "view": _dashboard(stats, pending),
            "charts": {name: (title, svg) for name, title, svg in svg_charts(stats)},
        }

    both: dict[str, Any] = site.derived(("dashboard", selection, today, pending), compute)
    return both


def _dashboard(stats: Stats, pending: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"incidents": stats.incidents, "durations": [], "actions": None}
    if stats.durations is not None:
        data["durations"] = [
            {"key": f.key, "name": f.name, **_summary(f.summary)} for f in stats.durations.overall
        ]
    if stats.actions is not None:
        a = stats.actions
        data["actions"] = {
            "total": a.total,
            "open": a.open,
            "overdue": a.overdue,
            "done": a.done,
            "wont_do": a.wont_do,
            "completion": _rate(a.completion),
            "on_time": _rate(a.on_time),
            "by_team": [
                {
                    "team": t.team,
                    "total": t.total,
                    "open": t.open,
                    "overdue": t.overdue,
                    "completion": _rate(t.completion),
                    "on_time": _rate(t.on_time),
                }
                for t in a.by_team
            ],
        }
    if stats.frequency is not None:
        f = stats.frequency
        data["frequency"] = {"periods": f.periods, "total": f.total, "by_severity": f.by_severity}
    if stats.engagement is not None:
        e = stats.engagement
        data["engagement"] = {
            "people": _summary(e.summary),
            "follow_ups_due": e.follow_ups_due,
            "follow_ups_held": e.follow_ups_held,
            "held": _rate(e.held_rate),
        }
    if stats.culture is not None:
        data["culture"] = {
            "available": stats.culture.available,
            "pending": pending,
            "per_period": [
                {"period": p, "postmortems": n, "blame_findings": b}
                for p, n, b in stats.culture.per_period
            ],
            "note": (
                "being counted: the server lints every postmortem once after it starts"
                if pending
                else stats.culture.note
            ),
        }
    repeats = sorted(stats.repeats or [], key=lambda r: r.second, reverse=True)
    data["repeat_count"] = len(repeats)
    data["repeats"] = [
        {"first": r.first, "second": r.second, "days_apart": r.days_apart, "after_fix": r.after_fix}
        for r in repeats[:RECENT_REPEATS]
    ]
    data["excluded"] = len(stats.excluded)
    return data


def key_figures(site: Site, today: dt.date) -> dict[str, Any]:
    """The home page's figures over the last 90 days."""
    start = today - dt.timedelta(days=KEY_DAYS)
    selection = Selection(period=f"{start.isoformat()}..{today.isoformat()}", unit="month")
    stats = stats_for(site, selection, today, blame=False)  # the home page shows none
    figures: dict[str, Any] = {"days": KEY_DAYS, "incidents": stats.incidents}
    if stats.durations is not None:
        for figure in stats.durations.overall:
            median = figure.summary.median
            figures[figure.key] = median.value * 60 if median else None
    if stats.actions is not None:
        figures["completion"] = stats.actions.completion.value
        figures["on_time"] = stats.actions.on_time.value
    return figures
