"""The metrics as named tables: the one shape that the terminal, JSON, CSV and the HTML
report all render. Raw tables carry plain numbers (minutes, days, fractions); human
tables carry the same figures as text, each value with its 95% interval and n."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .metrics import Comparison, Stats
from .metrics_numbers import (
    MIN_INTERVAL_N,
    SMALL_N,
    TOO_FEW_TO_ESTIMATE,
    Estimate,
    Rate,
    Summary,
)
from .metrics_repeats import VERDICT_HELP, VERDICTS

SMALL_NOTE = f"n < {SMALL_N}: small sample, read the interval rather than the value"
TINY_NOTE = f"n < {MIN_INTERVAL_N}: {TOO_FEW_TO_ESTIMATE} an interval"
# Per-period columns in the terminal's trend table up to this many periods; beyond,
# the CSV and JSON carry them.
PERIOD_COLUMNS = 8


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: list[str]
    rows: list[dict[str, Any]]
    note: str = ""
    # Long listings (one row per postmortem) are left out of the terminal summary.
    detail: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def minutes_text(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 10:
        return f"{value:.1f} min"
    if value < 90:
        return f"{value:.0f} min"
    if value < 48 * 60:
        return f"{value / 60:.1f} h"
    return f"{value / 1440:.1f} d"


def signed_minutes(value: float | None) -> str:
    if value is None:
        return "—"
    return ("-" if value < 0 else "+") + minutes_text(abs(value))


def days_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} d"


def _with_interval(estimate: Estimate | None, fmt: Any) -> str:
    if estimate is None:
        return "—"
    if not estimate.interval:
        return f"{fmt(estimate.value)} [{TOO_FEW_TO_ESTIMATE}]"
    return f"{fmt(estimate.value)} [{fmt(estimate.low)}–{fmt(estimate.high)}]"


def _small_note(summary: Summary) -> str:
    if summary.n == 0:
        return "no data"
    if summary.n < MIN_INTERVAL_N:
        return TINY_NOTE
    return SMALL_NOTE if summary.small else ""


def rate_text(rate: Rate) -> str:
    interval = rate.interval()
    if rate.value is None or interval is None:
        return "— (n = 0)"
    return f"{rate.value:.0%} [{interval[0]:.0%}–{interval[1]:.0%}] of {rate.denominator}"


def _rate_raw(rate: Rate) -> dict[str, Any]:
    interval = rate.interval()
    return {
        "value": rate.value,
        "numerator": rate.numerator,
        "n": rate.denominator,
        "low": interval[0] if interval else None,
        "high": interval[1] if interval else None,
    }


def _summary_raw(summary: Summary) -> dict[str, Any]:
    out: dict[str, Any] = {"n": summary.n}
    for name in ("median", "p90", "mean"):
        est: Estimate | None = getattr(summary, name)
        bounds = est.bounds if est else None
        out[name] = est.value if est else None
        out[f"{name}_low"] = bounds[0] if bounds else None
        out[f"{name}_high"] = bounds[1] if bounds else None
    out["small_sample"] = summary.small
    out["method"] = summary.method
    return out


def _summary_human(summary: Summary, fmt: Any) -> dict[str, Any]:
    return {
        "n": summary.n,
        "median": _with_interval(summary.median, fmt),
        "p90": _with_interval(summary.p90, fmt),
        "mean": _with_interval(summary.mean, fmt),
        "note": _small_note(summary),
    }


SUMMARY_RAW = [
    "n",
    "median",
    "median_low",
    "median_high",
    "p90",
    "p90_low",
    "p90_high",
    "mean",
    "mean_low",
    "mean_high",
    "small_sample",
]
SUMMARY_HUMAN = ["n", "median", "p90", "mean", "note"]


RATE_PARTS = ("", "_low", "_high", "_n")
RATE_KEYS = {"": "value", "_low": "low", "_high": "high", "_n": "n"}
FIGURE_HUMAN = ["figure", "value", "interval", "n", "note"]
FIGURE_RAW = ["figure", "value", "low", "high", "n", "note"]


class _Figures:
    """Rows of one figure each: a count, a rate or the three figures of a summary."""

    def __init__(self, human: bool) -> None:
        self.human = human
        self.rows: list[dict[str, Any]] = []

    def _add(
        self,
        figure: str,
        value: Any,
        low: Any,
        high: Any,
        n: int | None,
        note: str,
        fmt: Any,
        no_interval: str = "",
    ) -> None:
        if self.human:
            interval = no_interval if low is None else f"{fmt(low)}–{fmt(high)}"
            shown = "—" if value is None else fmt(value)
            self.rows.append(
                {"figure": figure, "value": shown, "interval": interval, "n": n, "note": note}
            )
        else:
            self.rows.append(
                {"figure": figure, "value": value, "low": low, "high": high, "n": n, "note": note}
            )

    def count(self, figure: str, value: int) -> None:
        self._add(figure, value, None, None, None, "", str)

    def rate(self, figure: str, rate: Rate) -> None:
        interval = rate.interval()
        low, high = interval if interval else (None, None)
        note = (
            "no data"
            if rate.denominator == 0
            else (SMALL_NOTE if rate.denominator < SMALL_N else "")
        )
        self._add(figure, rate.value, low, high, rate.denominator, note, _percent)

    def summary(self, figure: str, summary: Summary, fmt: Any) -> None:
        note = _small_note(summary)
        for name in ("median", "p90", "mean"):
            est: Estimate | None = getattr(summary, name)
            bounds = est.bounds if est else None
            self._add(
                f"{figure}: {name}",
                est.value if est else None,
                bounds[0] if bounds else None,
                bounds[1] if bounds else None,
                summary.n,
                note,
                fmt,
                TOO_FEW_TO_ESTIMATE if est else "",
            )


def _percent(value: float) -> str:
    return f"{value:.0%}"


REPEAT_ROWS = 30


def build_tables(stats: Stats, human: bool, skip_detail: bool = False) -> list[Table]:
    """Every table of the stats; `skip_detail` leaves out the long per-item listings
    (the terminal summary does not show them, and at 10,000 postmortems building them
    costs more than computing the figures)."""
    tables: list[Table] = []
    summary_of = _summary_human if human else (lambda s, _fmt: _summary_raw(s))
    summary_cols = SUMMARY_HUMAN if human else SUMMARY_RAW
    freq = stats.frequency
    if freq is not None:
        severities = list(freq.by_severity)
        rows = []
        for n, label in enumerate(freq.periods):
            row: dict[str, Any] = {"period": label, "incidents": freq.total[n]}
            row.update({s: freq.by_severity[s][n] for s in severities})
            partial = label == freq.partial
            row["partial"] = ("partial period" if partial else "") if human else partial
            rows.append(row)
        tables.append(
            Table(
                "frequency",
                f"Incidents per {freq.unit}",
                ["period", "incidents", *severities, "partial"],
                rows,
                "the last period is partial (still running): it is left out of trends"
                if freq.partial
                else "",
            )
        )
        # Counts per period by severity, service and team: every period in JSON and
        # CSV, in the terminal only while the table stays readable.
        per_period = not human or len(freq.periods) <= PERIOD_COLUMNS
        period_cols = freq.periods if per_period else []
        trend_rows = []
        for group in freq.groups:
            t = group.trend
            trend_rows.append(
                {
                    "by": group.kind,
                    "name": group.name,
                    "incidents": group.total,
                    "slope": (f"{t.slope:+.2f}" if human else t.slope)
                    if t.slope is not None
                    else None,
                    "p_value": (f"{t.p_value:.3f}" if human else t.p_value)
                    if t.p_value is not None
                    else None,
                    "trend": t.direction,
                    **({} if human else {"counts": group.counts}),
                    **dict(zip(period_cols, group.counts, strict=False)),
                }
            )
        tables.append(
            Table(
                "frequency_trends",
                f"Trend of incidents per {freq.unit} (slope: incidents per {freq.unit}, "
                "permutation test)",
                ["by", "name", "incidents", "slope", "p_value", "trend", *period_cols],
                trend_rows,
                "a trend is only called when p < 0.05 over complete periods"
                + (
                    ""
                    if per_period
                    else "; counts per period: --table frequency_trends --format csv"
                ),
            )
        )
    dur = stats.durations
    if dur is not None:
        tables.append(
            Table(
                "durations",
                "Time from start to detection, mitigation, resolution (95% bootstrap intervals)",
                ["metric", *summary_cols],
                [{"metric": f.name, **summary_of(f.summary, minutes_text)} for f in dur.overall],
                "" if human else "minutes",
            )
        )
        tables.append(
            Table(
                "ttr_by_period",
                "Time to resolve by period of the incident's start (95% bootstrap intervals)",
                ["period", *(c for c in summary_cols if not c.startswith("mean"))],
                [
                    {"period": label, **summary_of(f.summary, minutes_text)}
                    for label, f in dur.ttr_by_period
                ],
            )
        )
    cmp = stats.comparison
    if cmp is not None:
        rows = [_count_row(cmp, human)]
        fmt: Any = minutes_text if human else (lambda v: v)
        signed: Any = signed_minutes if human else (lambda v: v)
        for name, d in cmp.figures:
            small = min(d.n_a, d.n_b) < SMALL_N
            verdict = d.verdict
            rows.append(
                {
                    "metric": f"median {name}",
                    "a": fmt(d.median_a),
                    "b": fmt(d.median_b),
                    "n_a": d.n_a,
                    "n_b": d.n_b,
                    "difference": signed(d.difference),
                    "low": signed(d.low),
                    "high": signed(d.high),
                    "verdict": verdict
                    + (" (n < 10)" if small and d.enough and d.difference is not None else ""),
                }
            )
        tables.append(
            Table(
                "compare",
                f"{cmp.a.label} (a) against {cmp.b.label} (b): difference b - a, 95% interval",
                ["metric", "a", "b", "n_a", "n_b", "difference", "low", "high", "verdict"],
                rows,
                "medians: distinguishable when each period has 5 or more values and the "
                "bootstrap interval of the difference excludes 0; incidents: exact test of "
                "the two counts over the days each period has run (difference: incidents "
                "per 30 days)",
            )
        )
    act = stats.actions
    fig_cols = FIGURE_HUMAN if human else FIGURE_RAW
    if act is not None:
        figs = _Figures(human)
        figs.count("items", act.total)
        figs.count("open (overdue included)", act.open)
        figs.count("overdue", act.overdue)
        figs.count("done", act.done)
        figs.count("won't do", act.wont_do)
        figs.rate("completion rate (done / all but won't do)", act.completion)
        figs.rate("on-time rate (done by the due date / done)", act.on_time)
        figs.summary("days to close (from the incident's start)", act.days_to_close, days_text)
        tables.append(Table("actions", "Action items", fig_cols, figs.rows))
        team_cols = ["team", "items", "completion", "on_time", "open", "overdue"]
        if not human:
            team_cols = [
                "team",
                "items",
                *(f"{k}{p}" for k in ("completion", "on_time") for p in RATE_PARTS),
                "open",
                "overdue",
            ]
        team_rows = []
        for team in act.by_team:
            team_row: dict[str, Any] = {
                "team": team.team,
                "items": team.total,
                "open": team.open,
                "overdue": team.overdue,
            }
            for key, value in (("completion", team.completion), ("on_time", team.on_time)):
                if human:
                    team_row[key] = rate_text(value)
                else:
                    raw = _rate_raw(value)
                    team_row.update({f"{key}{p}": raw[RATE_KEYS[p]] for p in RATE_PARTS})
            team_rows.append(team_row)
        tables.append(
            Table("actions_by_team", "Action items by owner's team", team_cols, team_rows)
        )
        tables.append(
            Table(
                "actions_over_time",
                "Open and overdue action items at each month end",
                ["date", "open", "overdue"],
                [{"date": d.isoformat(), "open": o, "overdue": v} for d, o, v in act.over_time],
                detail=human and len(act.over_time) > 24,
            )
        )
    eng = stats.engagement
    if eng is not None:
        figs = _Figures(human)
        figs.summary("people per postmortem", eng.summary, _count)
        figs.count("follow-up reviews due so far", eng.follow_ups_due)
        figs.count("follow-up reviews held, of those due", eng.follow_ups_held)
        figs.rate("follow-up reviews held / due", eng.held_rate)
        tables.append(
            Table(
                "engagement",
                "Engagement",
                fig_cols,
                figs.rows,
                "people: distinct authors, responders, facilitator, reviewers and git authors",
            )
        )
        tables.append(
            Table(
                "engagement_people",
                "Distinct people per postmortem",
                ["postmortem", "people"],
                [] if skip_detail else [{"postmortem": pm, "people": n} for pm, n in eng.people],
                detail=True,
            )
        )
    cul = stats.culture
    if cul is not None:
        tables.append(
            Table(
                "culture",
                "Blame-language findings by period",
                ["period", "postmortems", "findings", "per_postmortem"],
                [
                    {
                        "period": label,
                        "postmortems": n,
                        "findings": f,
                        "per_postmortem": (round(f / n, 2) if n else None),
                    }
                    for label, n, f in cul.per_period
                ],
                cul.note,
            )
        )
    if stats.repeats is not None:
        tables.append(_repeats_summary(stats))
        many = human and len(stats.repeats) > REPEAT_ROWS
        tables.append(_repeats(stats, detail=many, rows=not (skip_detail and many)))
    tables.append(
        Table(
            "excluded",
            "Left out of a figure, and why",
            ["subject", "figure", "reason"],
            [] if skip_detail else [e.as_dict() for e in stats.excluded],
            detail=True,
        )
    )
    return tables


def _count_row(cmp: Comparison, human: bool) -> dict[str, Any]:
    """The incident counts of two periods, with the rate per 30 days and its test."""
    test = cmp.counts
    row: dict[str, Any] = {
        "metric": "incidents",
        "a": cmp.incidents_a,
        "b": cmp.incidents_b,
        "n_a": cmp.incidents_a,
        "n_b": cmp.incidents_b,
    }
    if test is None:
        return row
    ra, rb = test.rate_a, test.rate_b
    change = rb - ra if ra is not None and rb is not None else None
    verdict = test.verdict
    if test.p_value is not None and test.min_p_value is not None and test.min_p_value < 0.05:
        verdict += f" (p = {test.p_value:.3f})"
    if human:
        row["difference"] = "—" if change is None else f"{change:+.2f} / 30 d"
        if ra is not None and rb is not None:
            row["a"] = f"{cmp.incidents_a} ({ra:.2f} / 30 d)"
            row["b"] = f"{cmp.incidents_b} ({rb:.2f} / 30 d)"
    else:
        row.update(difference=change, rate_a=ra, rate_b=rb, days_a=test.days_a, days_b=test.days_b)
        row["p_value"] = test.p_value
    row["verdict"] = verdict
    return row


def _repeats_summary(stats: Stats) -> Table:
    found = stats.repeats or []
    # Per (service, category): repeats, then how many of each verdict for that category.
    by_pair: dict[tuple[str, str], list[int]] = {}
    for r in found:
        for service in r.services:
            for category in r.categories:
                counts = by_pair.setdefault((service, category), [0] * (1 + len(VERDICTS)))
                counts[0] += 1
                counts[1 + VERDICTS.index(r.verdict(category))] += 1
    top = sorted(by_pair.items(), key=lambda kv: (-kv[1][0], kv[0]))[:10]
    overall = [0] * len(VERDICTS)
    for r in found:
        overall[VERDICTS.index(r.verdict())] += 1
    rows = [{"service": "all", "category": "all", "repeats": len(found), **_verdicts(overall)}]
    rows += [
        {"service": s, "category": c, "repeats": counts[0], **_verdicts(counts[1:])}
        for (s, c), counts in top
    ]
    return Table(
        "repeats_summary",
        f"Repeat incidents: same service and factor category within "
        f"{stats.options.repeat_days} days (most frequent first)",
        ["service", "category", "repeats", *VERDICT_COLUMNS],
        rows,
        VERDICT_HELP + ("; --table repeats lists every pair" if len(found) > REPEAT_ROWS else ""),
    )


VERDICT_COLUMNS = ["after_fix", "other_done", "nothing_done", "not_linked"]  # as VERDICTS


def _verdicts(counts: list[int]) -> dict[str, int]:
    return dict(zip(VERDICT_COLUMNS, counts, strict=True))


def _repeats(stats: Stats, detail: bool, rows: bool = True) -> Table:
    return Table(
        "repeats",
        f"Repeat incidents (same service and factor category within "
        f"{stats.options.repeat_days} days)",
        [
            "first",
            "second",
            "services",
            "categories",
            "days_apart",
            "verdict",
            "fixed_before",
            "done_before",
            "open_at_repeat",
        ],
        [
            {
                "first": r.first,
                "second": r.second,
                "services": list(r.services),
                "categories": list(r.categories),
                "days_apart": r.days_apart,
                "verdict": r.verdict(),
                "fixed_before": [ref.rpartition("/")[2] for ref in r.fixed_before],
                "done_before": [ref.rpartition("/")[2] for ref in r.done_before],
                "open_at_repeat": [ref.rpartition("/")[2] for ref in r.open_at_repeat],
            }
            for r in (stats.repeats or [] if rows else [])
        ],
        VERDICT_HELP + "; fixed_before, done_before and open_at_repeat name the first's "
        "action items (fixed: done and addressing a shared category)",
        detail=detail,
    )


def _count(value: float) -> str:
    return f"{value:.1f}"


def excluded_digest(stats: Stats) -> list[tuple[str, str, int]]:
    """(figure, reason, how many) for a one-glance account of what was left out."""
    counts = Counter((e.figure, _reason_kind(e.reason)) for e in stats.excluded)
    return [(figure, reason, n) for (figure, reason), n in sorted(counts.items())]


def _reason_kind(reason: str) -> str:
    # "the file is not valid: postmortems/x.md:3: ..." groups as one kind of reason.
    return reason.split(":", 1)[0]
