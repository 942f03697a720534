"""Documents made from the follow-through services: the review-meeting agenda (Markdown
or HTML) and the statistics report (one self-contained HTML page, charts inlined)."""

from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .metrics import Stats
    from .metrics_tables import Table
    from .reviews import Agenda

# Our own few lines of CSS, inlined so that the page is one file that opens anywhere.
STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem;
       padding: 0 1rem; color: #1d1d1f; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .6rem; text-align: left;
         vertical-align: top; }
th { background: #f4f4f6; }
.note { color: #555; font-size: .9rem; }
figure { margin: 1rem 0 2rem; } figure svg { max-width: 100%; height: auto; }
"""


# Long listings (every repeat pair of 10,000 postmortems) are cut in the page.
DETAIL_ROWS = 500


@dataclass(frozen=True)
class Section:
    title: str
    columns: list[str]
    rows: list[list[str]]
    empty: str
    note: str = ""


def _agenda_sections(agenda: Agenda) -> list[Section]:
    published = [[i.id, i.title, i.severity or "", day.isoformat()] for i, day in agenda.published]
    waiting = [[i.id, i.title, str(n)] for i, n in agenda.in_review]
    follow_ups = [
        [
            f.pm_id,
            f"#{f.number} ({f.after_days} days)",
            f.due.isoformat(),
            str(max(0, (agenda.today - f.due).days)),
        ]
        for f in agenda.follow_ups
    ]
    overdue = [
        [owner, item.ref, item.title, str(item.due), str(item.days_overdue)]
        for owner, items in agenda.overdue.items()
        for item in items
    ]
    patterns = [[p.service, p.category, ", ".join(p.postmortems)] for p in agenda.patterns]
    left_out = [[e.subject, e.figure, e.reason] for e in agenda.excluded]
    return [
        Section(
            "Published since the last meeting",
            ["Postmortem", "Title", "Severity", "Published"],
            published,
            "Nothing was published.",
        ),
        Section("Waiting for review", ["Postmortem", "Title", "Approvals"], waiting, "None."),
        Section(
            "Follow-up reviews due",
            ["Postmortem", "Follow-up", "Due", "Days late"],
            follow_ups,
            "None due.",
        ),
        Section(
            "Overdue action items by owner",
            ["Owner", "Action item", "Title", "Due", "Days late"],
            overdue,
            "Nothing is overdue.",
        ),
        Section(
            "Repeat patterns",
            ["Service", "Factor category", "Postmortems"],
            patterns,
            "No service and factor category came up twice.",
            f"Incidents started from {agenda.pattern_start} to {agenda.today} that share a "
            "service and a contributing-factor category.",
        ),
        Section("Not counted", ["Postmortem", "Where", "Why"], left_out, "Everything was counted."),
    ]


def _covers(agenda: Agenda) -> str:
    """Both windows of the agenda: the meeting's, and the longer look back for repeats."""
    days = (agenda.today - agenda.pattern_start).days
    return (
        f"Covers {agenda.since} to {agenda.today} (published, follow-ups, overdue items); "
        f"repeat patterns look at incidents started {agenda.pattern_start} to "
        f"{agenda.today} (the last {days} days)."
    )


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def agenda_markdown(agenda: Agenda) -> str:
    lines = [
        f"# Postmortem review meeting, {agenda.today}",
        "",
        _covers(agenda),
    ]
    for section in _agenda_sections(agenda):
        lines += ["", f"## {section.title} ({len(section.rows)})", ""]
        if section.note:
            lines += [section.note, ""]
        if not section.rows:
            lines.append(section.empty)
            continue
        lines.append("| " + " | ".join(section.columns) + " |")
        lines.append("|" + "---|" * len(section.columns))
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in section.rows]
    return "\n".join(lines) + "\n"


def _html_table(columns: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _page(title: str, content: list[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n"
        + "\n".join(content)
        + "\n</body></html>\n"
    )


def agenda_html(agenda: Agenda) -> str:
    title = f"Postmortem review meeting, {agenda.today}"
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(_covers(agenda))}</p>",
    ]
    for section in _agenda_sections(agenda):
        parts.append(f"<h2>{html.escape(section.title)} ({len(section.rows)})</h2>")
        if section.note:
            parts.append(f'<p class="note">{html.escape(section.note)}</p>')
        if section.rows:
            parts.append(_html_table(section.columns, section.rows))
        else:
            parts.append(f"<p>{html.escape(section.empty)}</p>")
    return _page(title, parts)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _stats_table(table: Table) -> str:
    rows = [[_cell(row.get(c)) for c in table.columns] for row in table.rows]
    columns = [c.replace("_", " ") for c in table.columns]
    return _html_table(columns, rows) if rows else "<p>No data.</p>"


def _inline_svg(svg: str) -> str:
    # Drop the XML prolog and doctype: inside HTML the <svg> element stands alone.
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else ""


def stats_html(stats: Stats, name: str) -> str:
    """The statistics and their charts as one HTML page with nothing outside it."""
    from .chart_svg import svg_charts
    from .metrics_tables import build_tables

    title = f"Postmortem practice: {name}"
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p>As of {stats.options.today}; {stats.incidents} postmortems counted. Every "
        "figure gives its n and a 95% interval; samples under 10 are flagged.</p>",
    ]
    charts = {chart_name: (chart_title, svg) for chart_name, chart_title, svg in svg_charts(stats)}
    placement = {
        "frequency": "frequency",
        "ttr_by_period": "ttr_by_period",
        "actions_over_time": "action_burn_down",
        "actions_by_team": "completion_by_team",
    }
    for table in build_tables(stats, human=True):
        if table.name == "engagement_people":
            continue
        parts.append(f"<h2>{html.escape(table.title)}</h2>")
        chart = charts.get(placement.get(table.name, ""))
        if chart is not None:
            parts.append(
                f'<figure aria-label="{html.escape(chart[0])}">{_inline_svg(chart[1])}</figure>'
            )
        if table.detail:
            shown = table.rows[:DETAIL_ROWS]
            more = (
                f" (the first {DETAIL_ROWS}; mortem stats --table {table.name} -f csv lists all)"
                if len(table.rows) > DETAIL_ROWS
                else ""
            )
            body = _stats_table(dataclasses.replace(table, rows=shown))
            parts.append(
                f"<details><summary>{len(table.rows)} rows{more}</summary>{body}</details>"
            )
        else:
            parts.append(_stats_table(table))
        if table.note:
            parts.append(f'<p class="note">{html.escape(table.note)}</p>')
    return _page(title, parts)
