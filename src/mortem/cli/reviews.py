"""`mortem review ...` and `mortem publish`: the review workflow and follow-up reviews."""

from __future__ import annotations

from pathlib import Path

import typer

from . import output
from .main import app, state
from .output import Format

review_app = typer.Typer(
    help="Review workflow: request, approve, follow-ups due, record a follow-up, agenda.\n\n"
    "Example: [bold]mortem review request 2026-03-14-checkout-timeouts -r sam[/bold]",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(review_app, name="review")

TODAY_HELP = "Act as if today were this date (YYYY-MM-DD)."


def write_out(text: str, out: Path | None) -> None:
    """A document to a file (atomically, created with its folder) or to stdout."""
    import sys

    if out is None:
        sys.stdout.write(text)
        return
    from ..errors import UsageError
    from ..fsutil import atomic_write

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(out, text.encode("utf-8"))
    except OSError as exc:
        where = exc.filename or out
        raise UsageError(f"--output {out}: cannot write {where}: {exc.strerror or exc}") from None
    output.success(f"wrote {out}")


@review_app.command()
def request(
    doc_id: str = typer.Argument(..., metavar="ID"),
    reviewer: list[str] = typer.Option(..., "--reviewer", "-r", help="Who (repeatable)."),
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
) -> None:
    """Ask for a review: a draft moves to in-review; the request is recorded and committed.

    Example: [bold]mortem review request 2026-03-14-checkout-timeouts -r sam -r lee[/bold]
    """
    from ..metrics_periods import today_or
    from ..reviews import request_review
    from ..roster import roster_people

    ws = state.workspace()
    if not ws.settings.people:
        output.warning("the roster is empty ([people] in mortem.toml): reviewers kept as given")
    names = roster_people(ws.settings, reviewer, "--reviewer")
    done = request_review(ws, doc_id, names, ws.author(state.author), today_or(today))
    output.success(f"{doc_id}: in review, requested from {', '.join(done.entry['reviewers'])}")


@review_app.command()
def approve(
    doc_id: str = typer.Argument(..., metavar="ID"),
    reviewer: str | None = typer.Option(
        None, "--reviewer", "-r", help="Who approves (default: --author, else git user)."
    ),
    notes: str | None = typer.Option(None, "--notes", help="Kept with the approval."),
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
) -> None:
    """Record your approval of a postmortem in review, and commit.

    Example: [bold]mortem --author lee review approve 2026-03-14-checkout-timeouts[/bold]
    """
    from ..metrics_periods import today_or
    from ..reviews import approve as approve_
    from ..reviews import approvers, person_key
    from ..roster import roster_people

    ws = state.workspace()
    who = roster_people(ws.settings, [reviewer], "--reviewer")[0] if reviewer else None
    who = who or person_key(ws, state.author)
    approve_(ws, doc_id, who, ws.author(state.author), today_or(today), notes)
    have = len(approvers(ws.store.load(doc_id)))
    needed = ws.settings.reviews.approvals
    output.success(
        f"{doc_id}: approved by {who} ({have} approval{'s' if have != 1 else ''}, {needed} needed)"
    )


@app.command()
def publish(
    doc_id: str = typer.Argument(..., metavar="ID"),
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
) -> None:
    """Publish a reviewed postmortem: it must be valid, lint-clean and approved.

    Example: [bold]mortem publish 2026-03-14-checkout-timeouts[/bold]
    """
    from ..metrics_periods import today_or
    from ..reviews import person_key
    from ..reviews import publish as publish_

    ws = state.workspace()
    who = person_key(ws, state.author)
    done = publish_(ws, doc_id, ws.author(state.author), today_or(today), by=who)
    days = ", ".join(str(d) for d in sorted(ws.settings.reviews.follow_up_days))
    output.success(
        f"{doc_id}: published on {done.entry['published_on']} by {who}; "
        f"follow-ups after {days} days"
    )


@review_app.command()
def due(
    within: int = typer.Option(0, "--within", help="Also those due in the next N days."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv."),
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
) -> None:
    """List follow-up reviews that are due (or will be within N days), most overdue first.

    Example: [bold]mortem review due --within 14[/bold]
    """
    from ..errors import UsageError
    from ..metrics_facts import load_corpus
    from ..metrics_periods import today_or
    from ..reviews import follow_ups_due
    from .actions import note_unread
    from .stats import short_lived

    short_lived()
    if within < 0:
        raise UsageError(f"--within {within}: give a number of days, 0 or more")
    ws = state.workspace()
    day = today_or(today)
    found = follow_ups_due(load_corpus(ws.index).incidents, ws.settings, day, within)
    rows = [f.as_dict(day) for f in found]
    columns = ["postmortem", "number", "after_days", "published", "due", "state"]
    # The terminal says it in words; CSV keeps numbers, one column each.
    columns += ["when"] if fmt is Format.table else ["days_late", "days_until_due"]
    output.emit(rows, fmt, columns, empty="no follow-up reviews due")
    note_unread(ws)


@review_app.command()
def record(
    doc_id: str = typer.Argument(..., metavar="ID"),
    outcome: str = typer.Option(..., "--outcome", help="effective, partly or not-effective."),
    notes: str | None = typer.Option(None, "--notes", help="What the review found."),
    worked: str | None = typer.Option(None, "--worked", help="Action items that worked: A1,A2."),
    reviewer: list[str] = typer.Option(
        [], "--reviewer", "-r", help="Who reviewed (default: --author, else git user)."
    ),
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
) -> None:
    """Record a follow-up review of a published postmortem, and commit.

    Example: [bold]mortem review record 2026-03-14-checkout-timeouts --outcome partly --worked A1,A2 --notes "A3 still open"[/bold]
    """
    from ..metrics_periods import today_or
    from ..reviews import person_key, record_follow_up
    from ..roster import roster_people

    ws = state.workspace()
    who = roster_people(ws.settings, reviewer, "--reviewer") or [person_key(ws, state.author)]
    ids = [w for w in (worked or "").split(",") if w.strip()]
    record_follow_up(ws, doc_id, outcome, who, ws.author(state.author), today_or(today), notes, ids)
    output.success(f"{doc_id}: follow-up review recorded ({outcome})")


@review_app.command()
def agenda(
    since: str | None = typer.Option(
        None, "--since", help="Date of the last meeting (default: [reviews] meeting_every_days)."
    ),
    patterns: int = typer.Option(90, "--pattern-days", help="Repeat patterns over N days."),
    fmt: str = typer.Option("md", "--format", "-f", help="md or html."),
    out: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
) -> None:
    """The agenda of the review meeting: published, waiting, follow-ups, overdue, patterns.

    Example: [bold]mortem review agenda --since 2026-03-01 --format html -o agenda.html[/bold]
    """
    from ..errors import UsageError
    from ..metrics_periods import parse_day, today_or
    from ..report import agenda_html, agenda_markdown
    from ..reviews import agenda as build

    if fmt not in ("md", "html"):
        raise UsageError(f"--format {fmt!r}: use md or html")
    if patterns < 0:
        raise UsageError(f"--pattern-days {patterns}: give a number of days, 0 or more")
    from .stats import short_lived

    short_lived()
    ws = state.workspace()
    found = build(ws, today_or(today), parse_day(since, "--since") if since else None, patterns)
    text = agenda_markdown(found) if fmt == "md" else agenda_html(found)
    write_out(text, out)
