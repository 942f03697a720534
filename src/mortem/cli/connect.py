"""Commands that connect postmortems to each other and to the outside world.

search, related, import, export, site, remind and coverage: each calls one service and
renders its result.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import typer
from rich.markup import escape

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
    hits = run_search(state.workspace().index, query, filters, limit)
    columns = ["id", "title", "severity", "started_at", "snippet"]
    if fmt is Format.table:
        rows = [
            {
                **{k: escape(str(v or "")) for k, v in h.as_dict().items()},
                "snippet": highlight(escape(h.snippet), "[reverse]", "[/reverse]"),
            }
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
    help="Send open action items to an issue tracker: Jira (CSV) or GitHub issues.",
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
