"""Commands that connect postmortems to each other and to the outside world.

search, related, import, export, site, remind and coverage: each calls one service and
renders its result.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import typer

from . import output
from .core import parse_when
from .main import app, state
from .output import Format


@app.command()
def search(
    query: str = typer.Argument(..., help='Words, "a phrase", prefix*, -exclude, a OR b.'),
    service: str | None = typer.Option(None, help="Only postmortems of this service."),
    severity: str | None = typer.Option(None, help="e.g. SEV1."),
    tag: str | None = typer.Option(None, help="Only postmortems with this tag."),
    status: str | None = typer.Option(None, help="draft, in-review or published."),
    since: str | None = typer.Option(None, help="Started on or after this date."),
    until: str | None = typer.Option(None, help="Started before this date."),
    limit: int = typer.Option(20, "--limit", "-n", min=1, help="How many results."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv."),
) -> None:
    """Search titles, summaries, narratives, whys, factors and action items, best first.

    Example: [bold]mortem search '"connection pool" exhaust* -redis' --service payments-api[/bold]
    """
    from ..search import Filters, highlight
    from ..search import search as run_search

    filters = Filters(
        service, severity, tag, status, parse_when(since, "--since"), parse_when(until, "--until")
    )
    from ..listing import check_status_and_severity

    ws = state.workspace()
    check_status_and_severity(status, severity, ws.settings)
    hits = run_search(ws.index, query, filters, limit)
    columns = ["id", "title", "severity", "started_at", "snippet"]
    if fmt is Format.table:
        rows = [
            {**h.as_dict(), "snippet": highlight(h.snippet, output.MATCH_START, output.MATCH_END)}
            for h in hits
        ]
    else:
        rows = [h.as_dict() for h in hits]
        columns.insert(-1, "score")
    output.emit(rows, fmt, columns, empty=f"nothing matches {query!r}")


@app.command()
def related(
    doc_id: str = typer.Argument(..., metavar="ID"),
    limit: int = typer.Option(5, "--limit", "-n", min=1, help="How many to show."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv."),
) -> None:
    """Earlier postmortems most like this one, and why: services, tags, factors, words.

    Example: [bold]mortem related 2026-03-14-checkout-timeouts --limit 3[/bold]
    """
    from ..related import related as find_related

    found = find_related(state.workspace().index, doc_id, limit)
    rows = [r.as_dict() for r in found]
    output.emit(rows, fmt, ["id", "title", "score", "reason"], empty="no related postmortems")


def offer_related(doc_id: str) -> None:
    """After `mortem new`: point at earlier postmortems like the new one, on stderr."""
    from ..errors import MortemError
    from ..related import related as find_related

    try:
        found = find_related(state.workspace().index, doc_id, 3)
    except MortemError:
        return
    if found:
        lines = ["Earlier postmortems like this one:"]
        lines += [f"  {r.id}  {r.title}  ({r.reason})" for r in found]
        sys.stderr.write("\n".join(lines) + "\n")


export_app = typer.Typer(
    help="Send open action items to an issue tracker: Jira (CSV) or GitHub issues.\n\n"
    "Example: [bold]mortem export jira -o actions.csv[/bold]",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")


@export_app.command("jira")
def export_jira(
    out: Path | None = typer.Option(None, "--output", "-o", help="Write here (default: stdout)."),
    link_base: str | None = typer.Option(
        None, help="URL of the postmortem pages; {id} is replaced (default: [export] link_base)."
    ),
    owner: str | None = typer.Option(None, help="Only items of this owner."),
    team: str | None = typer.Option(None, help="Only items of this team."),
    postmortem: str | None = typer.Option(None, help="Only items of this postmortem."),
    include_linked: bool = typer.Option(False, help="Also items that already have a link."),
) -> None:
    """Write open action items as a CSV file for Jira's CSV importer, one row per item.

    Example: [bold]mortem export jira -o actions.csv --link-base https://pm.example.com/pm/{id}[/bold]
    """
    from ..actions import ActionFilter
    from ..exporters.items import open_items
    from ..exporters.jira import jira_csv

    ws = state.workspace()
    where = ActionFilter(owner=owner, team=team, postmortem=postmortem)
    items = open_items(ws, dt.date.today(), link_base, where, include_linked)
    text = jira_csv(ws, items)
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8", newline="")
    output.success(f"wrote {len(items)} action item(s) to {out}")


@export_app.command("github")
def export_github(
    repo: str = typer.Option(..., "--repo", help="OWNER/NAME of the GitHub repository."),
    apply: bool = typer.Option(False, "--apply", help="Create the issues (default: dry run)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Only show what would be created (the default)."
    ),
    api_url: str = typer.Option("https://api.github.com", help="GitHub Enterprise API URL."),
    token_env: str = typer.Option("GITHUB_TOKEN", help="Environment variable with the token."),
    link_base: str | None = typer.Option(None, help="URL of the postmortem pages ({id})."),
    postmortem: str | None = typer.Option(None, help="Only items of this postmortem."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv."),
) -> None:
    """Create one GitHub issue per open action item and write its URL into the item.

    Example: [bold]mortem export github --repo larkspur/platform --apply[/bold]
    """
    import os

    from ..actions import ActionFilter
    from ..errors import UsageError
    from ..exporters.github import GitHub, export_issues
    from ..exporters.items import open_items

    if apply and dry_run:
        raise UsageError("--apply and --dry-run contradict each other: choose one")
    ws = state.workspace()
    token = os.environ.get(token_env)
    client = GitHub(token, api_url) if token else None
    where = ActionFilter(postmortem=postmortem)
    items = open_items(ws, dt.date.today(), link_base, where, include_linked=True)
    outcomes = export_issues(ws, repo, items, client, apply, ws.author(state.author))
    output.emit(
        [o.as_dict() for o in outcomes],
        fmt,
        ["ref", "action", "title", "url"],
        empty="no open action items",
    )
    if not apply:
        note = "" if client else f" ({token_env} not set: existing issues not checked)"
        output.err_console.print(
            f"dry run: nothing created; add --apply to create{note}", markup=False
        )


@app.command()
def site(
    folder: Path = typer.Argument(..., metavar="DIR", help="Where to write the site."),
    full: bool = typer.Option(False, "--full", help="Rebuild every page, not only changed ones."),
    today: str | None = typer.Option(None, "--today", help="Date for overdue items (YYYY-MM-DD)."),
) -> None:
    """Build a static HTML site of the repository: index, one page per postmortem,
    action items, charts. Only changed pages are rebuilt; links are relative.

    Example: [bold]mortem site public/ && open public/index.html[/bold]
    """
    from ..metrics_periods import today_or
    from ..site import build_site

    report = build_site(state.workspace(), folder, today_or(today), full=full)
    for note in report.notes:
        output.err_console.print(f"note: {note}", markup=False)
    output.success(
        f"site in {report.folder}: {len(report.written)} page(s) written, "
        f"{report.unchanged} unchanged, {len(report.removed)} removed"
    )


@app.command()
def remind(
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the digests; send nothing."),
    via: list[str] = typer.Option([], "--via", help="email or webhook (default: all configured)."),
    today: str | None = typer.Option(None, "--today", help="As if today were (YYYY-MM-DD)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv."),
) -> None:
    """Send each owner one digest of overdue and soon-due action items and follow-up
    reviews, by email and/or a chat webhook; nothing twice within [remind] interval_days.

    Example: [bold]mortem remind --dry-run[/bold]
    """
    from ..metrics_periods import today_or
    from ..remind import remind as run_remind

    day = today_or(today)
    run = run_remind(state.workspace(), day, via, dry_run)
    if dry_run and fmt is Format.table:
        for channel, digest in run.digests:
            to = digest.email if channel == "email" else digest.owner
            print(f"== {channel} to {to}: {digest.subject()}\n{digest.text(day)}")
    rows = [o.as_dict() for o in run.outcomes]
    output.emit(
        rows,
        fmt,
        ["owner", "channel", "status", "items", "detail"],
        empty="nothing to remind anyone of",
    )
    if any(o.status == "failed" for o in run.outcomes):
        raise typer.Exit(1)


import_app = typer.Typer(
    help="Bring in timelines (PagerDuty, Slack, Opsgenie, CSV) and whole Markdown postmortems.\n\n"
    "Example: [bold]mortem import csv timeline.csv --into 2026-03-14-checkout-timeouts[/bold]",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")

INTO = typer.Option(None, "--into", help="Add to this postmortem instead of a new draft.")
FORMAT = typer.Option(Format.table, "--format", "-f", help="table or json.")


def _report(result: object, fmt: Format) -> None:
    """Apply an importer's result to the repository and say what happened."""
    from ..importing import Applied, describe

    assert isinstance(result, Applied)
    if fmt is Format.json:
        output.emit_json(result.as_dict())
        return
    output.success(describe(result))
    for item in result.skipped:
        output.err_console.print(f"skipped {item.item}: {item.reason}", markup=False)
    for note in result.notes:
        output.err_console.print(f"note: {note}", markup=False)


def _apply(found: object, into: str | None, fmt: Format, title: str | None = None) -> None:
    from ..importers import ImportResult
    from ..importing import apply_import

    assert isinstance(found, ImportResult)
    ws = state.workspace()
    _report(apply_import(ws, found, into, ws.author(state.author), title), fmt)


@import_app.command("pagerduty")
def import_pagerduty(
    source: Path | None = typer.Argument(None, help="A saved incident with its log entries."),
    api_url: str | None = typer.Option(
        None, help="Read from the API instead, e.g. https://api.pagerduty.com."
    ),
    token_env: str = typer.Option(
        "PAGERDUTY_TOKEN", help="Environment variable with the API token."
    ),
    incident: str | None = typer.Option(None, help="Incident id (with --api-url)."),
    into: str | None = INTO,
    fmt: Format = FORMAT,
) -> None:
    """Import a PagerDuty incident's log entries as timeline events.

    Example: [bold]mortem import pagerduty --api-url https://api.pagerduty.com --incident Q1R2S3T4[/bold]
    """
    import os

    from ..errors import UsageError
    from ..importers import fetch_pagerduty, load_pagerduty_file

    if (source is None) == (api_url is None):
        raise UsageError("give either a FILE or --api-url with --incident")
    if api_url is not None:
        token = os.environ.get(token_env, "")
        if not incident or not token:
            raise UsageError(f"--api-url needs --incident and a token in ${token_env}")
        _apply(fetch_pagerduty(api_url, token, incident), into, fmt)
    else:
        assert source is not None
        _apply(load_pagerduty_file(source), into, fmt)


@import_app.command("slack")
def import_slack(
    source: Path = typer.Argument(..., help="A Slack export: the zip file or its folder."),
    channel: str = typer.Option(..., "--channel", help="The incident channel's name."),
    since: str | None = typer.Option(None, help="From this time (ISO, with a timezone)."),
    until: str | None = typer.Option(None, help="Up to this time."),
    include_bots: bool = typer.Option(False, help="Also messages from bots and integrations."),
    title: str | None = typer.Option(None, help="Title of a new draft (default: the channel)."),
    into: str | None = INTO,
    fmt: Format = FORMAT,
) -> None:
    """Import an incident channel of a Slack export as timeline events.

    Example: [bold]mortem import slack export.zip --channel inc-checkout --since 2026-03-14T02:00:00Z[/bold]
    """
    from ..importers import parse_slack_export

    start, end = parse_when(since, "--since"), parse_when(until, "--until")
    found = parse_slack_export(source, channel, start, end, include_bots=include_bots)
    _apply(found, into, fmt, title or f"Incident in #{channel.lstrip('#')}")


@import_app.command("opsgenie")
def import_opsgenie(
    source: Path = typer.Argument(..., help='A saved alert: {"alert": ..., "logs": [...]}.'),
    into: str | None = INTO,
    fmt: Format = FORMAT,
) -> None:
    """Import an Opsgenie alert's log as timeline events.

    Example: [bold]mortem import opsgenie alert-7c1f.json --into 2026-03-14-checkout-timeouts[/bold]
    """
    from ..importers import load_opsgenie_file

    _apply(load_opsgenie_file(source), into, fmt)


@import_app.command("csv")
def import_csv(
    source: Path = typer.Argument(..., help="A CSV file with time and event columns."),
    tz: str | None = typer.Option(None, "--tz", help="Zone of times written without one."),
    title: str | None = typer.Option(None, help="Title of a new draft (default: the file)."),
    into: str | None = INTO,
    fmt: Format = FORMAT,
) -> None:
    """Import a timeline kept in a spreadsheet (CSV: time, event[, kind]).

    Example: [bold]mortem import csv timeline.csv --tz Europe/Copenhagen --into 2026-03-14-checkout-timeouts[/bold]
    """
    from ..importers import load_csv_timeline

    _apply(load_csv_timeline(source, tz), into, fmt, title or f"Incident timeline {source.stem}")


@import_app.command("markdown")
def import_markdown(
    folder: Path = typer.Argument(
        ..., metavar="DIR", help="A folder of free-form Markdown postmortems."
    ),
    tz: str = typer.Option("UTC", "--tz", help="Zone of times written without one."),
    fmt: Format = FORMAT,
) -> None:
    """Convert each free-form Markdown postmortem in DIR into a mortem file (one commit each).

    Example: [bold]mortem import markdown ~/old-postmortems --tz Europe/Copenhagen[/bold]
    """
    from ..importing import import_markdown_folder

    ws = state.workspace()
    done = import_markdown_folder(ws, folder, ws.author(state.author), tz)
    if fmt is Format.json:
        output.emit_json([c.as_dict() for c in done])
        return
    for item in done:
        print(f"{item.source}: {item.status}" + (f" as {item.doc_id}" if item.doc_id else ""))
        for line in (*item.report, *(f"problem: {p}" for p in item.problems)):
            print(f"  {line}")
    created = sum(1 for c in done if c.status == "created")
    output.success(f"{created} of {len(done)} file(s) imported")


@app.command()
def coverage(
    source: Path | None = typer.Argument(
        None, help="A PagerDuty or Opsgenie incidents export (JSON)."
    ),
    api: str | None = typer.Option(None, help="Read from an API instead: pagerduty or opsgenie."),
    api_url: str | None = typer.Option(None, help="The API's address (default: the public one)."),
    token_env: str = typer.Option("PAGERDUTY_TOKEN", help="Environment variable with the API key."),
    since: str | None = typer.Option(None, help="Incidents created on or after this date."),
    until: str | None = typer.Option(None, help="Incidents created before this date."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table or json."),
) -> None:
    """List serious incidents that have no postmortem, and the share covered per month.

    Example: [bold]mortem coverage pagerduty-incidents.json --since 2026-01-01[/bold]
    """
    from ..coverage import Rule, read_incidents
    from ..coverage import coverage as measure

    lo, hi = parse_when(since, "--since"), parse_when(until, "--until")
    incidents = read_incidents(source, api, api_url, token_env, lo, hi)
    ws = state.workspace()
    result = measure(ws, incidents, Rule.from_settings(ws), lo, hi)
    if fmt is not Format.table:
        output.emit_json(result.as_dict())
        return
    _coverage_tables(result)


def _coverage_tables(result: Any) -> None:
    output.emit(
        [i.as_dict() for i in result.uncovered],
        Format.table,
        ["created", "system", "number", "priority", "urgency", "title"],
        title="Incidents without a postmortem",
        empty="every incident that needs one has a postmortem",
    )
    months = [
        {**m.as_dict(), "share": "—" if m.share is None else f"{m.share:.0%}"}
        for m in result.months
    ]
    output.emit(
        months, Format.table, ["month", "incidents", "covered", "share"], title="Covered per month"
    )
    share = f"{result.covered / result.qualifying:.0%}" if result.qualifying else "—"
    output.err_console.print(
        f"{result.covered} of {result.qualifying} incidents needing a postmortem have one ({share}); "
        f"rule: {result.rule.describe()}",
        markup=False,
    )
