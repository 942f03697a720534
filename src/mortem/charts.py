"""Charts of the metrics with matplotlib (Agg, no display): the SVG and PNG files of
`mortem stats --charts`. HTML pages draw the same charts without matplotlib (`chart_svg`).

Honest scales: bars start at zero; the one log axis (time to resolve, which spans
minutes to days) says so in its label; every box and bar says its n.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .chart_svg import MIN_BOX
from .metrics import Stats

SEVERITY_COLOURS = ["#b2182b", "#ef8a62", "#67a9cf", "#2166ac", "#999999", "#5ab4ac"]
OPEN_COLOUR = "#2166ac"
OVERDUE_COLOUR = "#b2182b"


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    figure: Any


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "mortem",  # stable element ids: the same data gives the same SVG
            "svg.fonttype": "none",
            "font.size": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    import matplotlib.pyplot as plt

    return plt


def _plain_number() -> Any:
    # 0.1, 1, 10 rather than 10^-1, 10^0, 10^1: a log axis people can read at a glance.
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: f"{value:g}")


def _plain_minor() -> Any:
    # Over a short range the 2 and 5 ticks are the only labels between powers of ten;
    # matplotlib's default writes them as 2x10^0. Over wider ranges they stay bare.
    import math

    from matplotlib.ticker import Formatter

    class PlainMinor(Formatter):
        def __call__(self, value: float, pos: int | None = None) -> str:
            if self.axis is None or value <= 0:
                return ""
            low, high = sorted(self.axis.get_view_interval())
            if low <= 0 or high / low > 10**2.5:
                return ""
            digit = round(value / 10 ** math.floor(math.log10(value)))
            return f"{value:g}" if digit in (2, 5) else ""

    return PlainMinor()


def _no_data(ax: Any, what: str) -> None:
    ax.text(0.5, 0.5, f"No {what} to show", ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _thin_labels(ax: Any, labels: list[str], most: int = 16) -> None:
    step = max(1, -(-len(labels) // most))
    ax.set_xticks(range(0, len(labels), step))
    ax.set_xticklabels(labels[::step], rotation=45, ha="right")


def frequency_chart(stats: Stats, plt: Any) -> Chart:
    fig, ax = plt.subplots(figsize=(9, 4.2), layout="constrained")
    freq = stats.frequency
    unit = freq.unit if freq else "period"
    if freq is None or not freq.periods:
        _no_data(ax, "incidents")
    else:
        bottom = [0] * len(freq.periods)
        for n, (severity, counts) in enumerate(freq.by_severity.items()):
            ax.bar(
                range(len(counts)),
                counts,
                bottom=bottom,
                label=severity,
                color=SEVERITY_COLOURS[n % len(SEVERITY_COLOURS)],
                width=0.8,
            )
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        ax.set_ylim(0, max(max(bottom), 1) * 1.1)
        ax.yaxis.get_major_locator().set_params(integer=True)
        _thin_labels(ax, freq.periods)
        ax.set_xlabel(
            f"{unit} the incident started" + (" (last one partial)" if freq.partial else "")
        )
        ax.legend(title="severity", frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_ylabel("incidents")
    title = f"Incidents per {unit}, by severity (n = {stats.incidents})"
    ax.set_title(title)
    return Chart("frequency", title, fig)


def ttr_chart(stats: Stats, plt: Any) -> Chart:
    fig, ax = plt.subplots(figsize=(9, 4.2), layout="constrained")
    dur = stats.durations
    groups = dur.ttr_values_by_period if dur else {}
    if not groups:
        _no_data(ax, "resolution times")
    else:
        labels = list(groups)
        hours = [[max(m / 60, 1 / 60) for m in groups[label]] for label in labels]
        boxed = [i for i, h in enumerate(hours) if len(h) >= MIN_BOX]
        if boxed:
            ax.boxplot([hours[i] for i in boxed], positions=boxed, widths=0.6, showfliers=True)
        # One or two values have no quartiles: they are drawn as they are.
        for i, h in enumerate(hours):
            if len(h) < MIN_BOX:
                ax.scatter([i] * len(h), h, color=OPEN_COLOUR, s=22, zorder=3)
        ax.set_xlim(-0.6, len(labels) - 0.4)
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(_plain_number())
        ax.yaxis.set_minor_formatter(_plain_minor())
        _thin_labels(ax, [f"{label}\nn={len(groups[label])}" for label in labels])
        ax.set_ylabel("time to resolve (hours, log scale)")
        ax.set_xlabel(
            "period the incident started (line: median; box: quartiles; whiskers: 1.5 IQR; "
            "dots: the values, under 3)"
        )
    title = "Time to resolve per period"
    ax.set_title(title)
    return Chart("ttr_by_period", title, fig)


def burn_down_chart(stats: Stats, plt: Any) -> Chart:
    fig, ax = plt.subplots(figsize=(9, 4.2), layout="constrained")
    act = stats.actions
    if act is None or not act.over_time:
        _no_data(ax, "action items")
    else:
        days = [d for d, _, _ in act.over_time]
        ax.plot(days, [o for _, o, _ in act.over_time], color=OPEN_COLOUR, label="open")
        ax.plot(days, [v for _, _, v in act.over_time], color=OVERDUE_COLOUR, label="overdue")
        top = max(o for _, o, _ in act.over_time)
        ax.set_ylim(0, max(top, 1) * 1.1)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("month end")
        ax.legend(frameon=False)
        fig.autofmt_xdate()
    ax.set_ylabel("action items")
    title = "Open and overdue action items over time"
    ax.set_title(title)
    return Chart("action_burn_down", title, fig)


def completion_chart(stats: Stats, plt: Any) -> Chart:
    act = stats.actions
    teams = [t for t in act.by_team if t.completion.denominator] if act else []
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.45 * len(teams) + 1.5)), layout="constrained")
    if not teams:
        _no_data(ax, "action items")
    else:
        values, low, high = [], [], []
        for team in teams:
            value = team.completion.value or 0.0
            interval = team.completion.interval() or (value, value)
            values.append(100 * value)
            low.append(100 * (value - interval[0]))
            high.append(100 * (interval[1] - value))
        rows = range(len(teams))
        ax.barh(rows, values, color=OPEN_COLOUR, xerr=[low, high], ecolor="#444444", capsize=3)
        ax.set_yticks(list(rows))
        ax.set_yticklabels([f"{t.team} (n={t.completion.denominator})" for t in teams])
        ax.invert_yaxis()
        ax.set_xlim(0, 105)
        ax.set_xlabel("done, % of items not dropped (whiskers: 95% Wilson interval)")
    title = "Action-item completion by team"
    ax.set_title(title)
    return Chart("completion_by_team", title, fig)


MAKERS: tuple[Callable[[Stats, Any], Chart], ...] = (
    frequency_chart,
    ttr_chart,
    burn_down_chart,
    completion_chart,
)


def render(stats: Stats) -> list[Chart]:
    plt = _pyplot()
    return [make(stats, plt) for make in MAKERS]


def write_charts(stats: Stats, folder: Path) -> list[Path]:
    """Each chart as NAME.svg and NAME.png in `folder` (created if missing)."""
    plt = _pyplot()
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for make in MAKERS:
        chart = make(stats, plt)
        for suffix in ("svg", "png"):
            path = folder / f"{chart.name}.{suffix}"
            chart.figure.savefig(path, dpi=110, metadata=_metadata(suffix))
            written.append(path)
        plt.close(chart.figure)
    return written


def _metadata(suffix: str) -> dict[str, Any]:
    # No creation date: the same data gives the same file.
    return {"Date": None} if suffix == "svg" else {"Software": "mortem"}
