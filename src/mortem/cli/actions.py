"""`mortem actions`: list action items across postmortems, summarize them, close them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from . import output
from .main import app, state
from .output import Format

if TYPE_CHECKING:
    from ..workspace import Workspace

actions_app = typer.Typer(
    # The help is the callback's docstring (listing is what `mortem actions` does).
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(actions_app, name="actions")

TODAY_HELP = "Count as if today were this date (YYYY-MM-DD), for reproducible output."
LIST_COLUMNS = ["ref", "title", "owner", "team", "due", "status", "type", "days_overdue"]
COUNT_COLUMNS = ["total", "open", "overdue", "done", "done_on_time", "done_late", "wont_do"]


@actions_app.callback()
def actions(
    ctx: typer.Context,
    status: list[str] = typer.Option([], "--status", help="open, in-progress, done, wont-do."),
    open_: bool = typer.Option(False, "--open", help="Only open and in-progress items."),
    owner: str | None = typer.Option(None, "--owner", help="Owner: a person or a team name."),
    team: str | None = typer.Option(None, "--team", help="Team, from the roster's people."),
    postmortem: str | None = typer.Option(None, "--postmortem", "-p", help="One postmortem's."),
    type_: str | None = typer.Option(None, "--type", help="prevent, detect, mitigate, process."),
    overdue: bool = typer.Option(False, "--overdue", help="Only open items past their due date."),
    due_before: str | None = typer.Option(None, help="Due on or before this date."),
    due_after: str | None = typer.Option(None, help="Due on or after this date."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv."),
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
) -> None:
    """List action items across every postmortem, by due date (undated last); or
    summarize them, or close, start and reopen one (the commands below).

    Example: [bold]mortem actions --overdue --team payments --format csv[/bold]
    """
    if ctx.invoked_subcommand is not None:
        return
    from ..actions import ActionFilter, list_actions
    from ..metrics_periods import parse_day, today_or
    from ..roster import owner_key, roster_team
    from .stats import short_lived

    short_lived()
    ws = state.workspace()
    where = ActionFilter(
        statuses=tuple(status) + (("open", "in-progress") if open_ else ()),
        owner=owner_key(ws.settings, owner) if owner is not None else None,
        team=roster_team(ws.settings, team) if team is not None else None,
        postmortem=postmortem,
        type=type_,
        overdue=overdue,
        due_before=parse_day(due_before, "--due-before") if due_before else None,
        due_after=parse_day(due_after, "--due-after") if due_after else None,
    )
    items = list_actions(ws, today_or(today), where)
    rows = [i.as_dict() for i in items]
    output.emit(rows, fmt, LIST_COLUMNS, empty="no action items match")
    note_unread(ws)


def unread_paths(ws: Workspace) -> list[str]:
    """The files left out of listings and counts, as `mortem validate` names them."""
    from ..metrics_facts import not_counted

    return [problems[0].path for _, problems in sorted(not_counted(ws.index).items())]


def note_unread(ws: Workspace) -> None:
    """Name, on stderr, the files whose items a listing could not include."""
    output.unread(unread_paths(ws))


def _change(
    ref: str, status: str, today: str | None, on: str | None = None, note: str | None = None
) -> None:
    from ..actions import set_status
    from ..metrics_periods import parse_day, today_or

    ws = state.workspace()
    changed = set_status(
        ws,
        ref,
        status,  # type: ignore[arg-type]
        ws.author(state.author),
        today_or(today),
        on=parse_day(on, "--on") if on else None,
        note=note,
    )
    closed = f", closed on {changed.closed_on}" if changed.closed_on else ""
    output.success(f"{ref}: {status}{closed}" + ("" if changed.commit else " (no change)"))


@actions_app.command()
def done(
    ref: str = typer.Argument(..., metavar="ID/A1", help="Postmortem id / action-item id."),
    note: str | None = typer.Option(None, "--note", help="What was done (kept in notes)."),
    on: str | None = typer.Option(None, "--on", help="Closed on this date (default today)."),
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
) -> None:
    """Mark an action item done: sets closed_on, edits the file in place, commits.

    Example: [bold]mortem actions done 2026-03-14-checkout-timeouts/A1 --note "Shipped in 4.2"[/bold]
    """
    _change(ref, "done", today, on, note)


@actions_app.command()
def start(
    ref: str = typer.Argument(..., metavar="ID/A1"),
    note: str | None = typer.Option(None, "--note", help="Kept in the item's notes."),
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
) -> None:
    """Mark an action item in progress and commit.

    Example: [bold]mortem actions start 2026-03-14-checkout-timeouts/A2[/bold]
    """
    _change(ref, "in-progress", today, note=note)


@actions_app.command()
def reopen(
    ref: str = typer.Argument(..., metavar="ID/A1"),
    note: str | None = typer.Option(None, "--note", help="Why it is open again."),
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
) -> None:
    """Reopen a closed action item (clears closed_on) and commit.

    Example: [bold]mortem actions reopen 2026-03-14-checkout-timeouts/A1 --note "Regressed"[/bold]
    """
    _change(ref, "open", today, note=note)


@actions_app.command("wont-do")
def wont_do(
    ref: str = typer.Argument(..., metavar="ID/A1"),
    reason: str = typer.Option(..., "--reason", help="Why it will not be done."),
    on: str | None = typer.Option(None, "--on", help="Closed on this date (default today)."),
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
) -> None:
    """Close an action item as won't do, with the reason, and commit.

    Example: [bold]mortem actions wont-do 2026-03-14-checkout-timeouts/A3 --reason "Service retired"[/bold]
    """
    _change(ref, "wont-do", today, on, reason)


@actions_app.command()
def summary(
    oldest: int = typer.Option(10, "--oldest", help="How many of the oldest overdue to list."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv."),
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
) -> None:
    """Open, overdue, done on time, done late and won't do: in all, per owner, per team.

    Example: [bold]mortem actions summary --format json[/bold]
    """
    from ..actions import list_actions, summarize
    from ..errors import UsageError
    from ..metrics_periods import today_or
    from .stats import short_lived

    short_lived()
    if oldest < 0:
        raise UsageError(f"--oldest {oldest}: give a number, 0 or more")
    ws = state.workspace()
    result = summarize(list_actions(ws, today_or(today)), oldest)
    groups: list[dict[str, Any]] = [{"by": "all", "name": "all", **result.total.as_dict()}]
    for by, counts in (("owner", result.by_owner), ("team", result.by_team)):
        groups += [{"by": by, "name": name, **c.as_dict()} for name, c in counts.items()]
    if fmt is Format.json:
        output.emit_json(
            {
                "groups": groups,
                "oldest_overdue": [i.as_dict() for i in result.oldest_overdue],
                "excluded": [e.as_dict() for e in result.excluded],
                "not_read": unread_paths(ws),
            }
        )
        note_unread(ws)
        return
    output.emit(groups, fmt, ["by", "name", *COUNT_COLUMNS], title="Action items")
    if fmt is Format.table:
        rows = [i.as_dict() for i in result.oldest_overdue]
        output.emit(rows, fmt, LIST_COLUMNS, title="Oldest overdue", empty="nothing overdue")
        if result.excluded:
            output.err_console.print(
                f"{len(result.excluded)} item(s) not counted in every figure "
                "(see --format json, key excluded)",
                markup=False,
            )
    note_unread(ws)
