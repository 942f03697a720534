"""Commands that connect postmortems to each other and to the outside world.

search, related, import, export, site, remind and coverage: each calls one service and
renders its result.
"""

from __future__ import annotations

import sys

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
