"""`mortem stats` and `mortem report`: how well the practice works, in numbers and charts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from . import output
from .main import app, state
from .output import Format

if TYPE_CHECKING:
    from ..errors import UsageError
    from ..metrics import Options
    from ..metrics_cache import Report
    from ..metrics_tables import Table
    from ..workspace import Workspace

TODAY_HELP = "Count as if today were this date (YYYY-MM-DD), for reproducible output."
CHART_SECTIONS = ("frequency", "durations", "actions")


def short_lived() -> None:
    """Turn the cyclic garbage collector off for the rest of this process: the command
    makes tens of thousands of small records without cycles and then exits, and the
    collector's passes over them would cost more than the work itself."""
    import gc

    gc.disable()


def _options(
    by: str,
    since: str | None,
    until: str | None,
    compare: str | None,
    repeat_days: int,
    seed: int,
    today: str | None,
    sections: list[str] | None = None,
) -> Options:
    from ..errors import UsageError
    from ..metrics import SECTIONS, Options
    from ..metrics_periods import parse_compare, parse_day, today_or

    if by not in ("month", "quarter"):
        raise UsageError(f"--by {by!r}: use month or quarter")
    unknown = [s for s in sections or [] if s not in SECTIONS]
    if unknown:
        raise UsageError(f"unknown section {unknown[0]!r} (one of: {', '.join(SECTIONS)})")
    if repeat_days < 0:
        raise UsageError(f"--repeat-days {repeat_days}: give a number of days, 0 or more")
    first = parse_day(since, "--since") if since else None
    last = parse_day(until, "--until") if until else None
    if first is not None and last is not None and first >= last:
        raise UsageError(
            f"--since {first} is not before --until {last}: no incident can start in between"
        )
    return Options(
        today=today_or(today),
        unit=by,  # type: ignore[arg-type]
        since=first,
        until=last,
        compare=parse_compare(compare) if compare else None,
        repeat_days=repeat_days,
        seed=seed,
        sections=tuple(sections) if sections else SECTIONS,
    )


BY = typer.Option("quarter", "--by", help="Bucket incidents per month or quarter.")
SINCE = typer.Option(None, "--since", help="Only incidents started on or after this date.")
UNTIL = typer.Option(None, "--until", help="Only incidents started before this date.")
COMPARE = typer.Option(
    None, "--compare", help="Two periods A:B, e.g. 2025-H1:2025-H2 or 2025-Q1:2025-Q2."
)
REPEAT = typer.Option(90, "--repeat-days", help="Repeats: same service and category within N days.")
SEED = typer.Option(
    20240611, "--seed", min=0, help="Seed of the bootstrap (same seed, same intervals)."
)


@app.command()
def stats(
    by: str = BY,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    compare: str | None = COMPARE,
    repeat_days: int = REPEAT,
    section: list[str] = typer.Option([], "--section", "-s", help="Only these sections."),
    table: str | None = typer.Option(None, "--table", "-t", help="Only this table (CSV: needed)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv."),
    charts: Path | None = typer.Option(
        None, "--charts", help="Also write SVG and PNG charts here."
    ),
    seed: int = SEED,
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
) -> None:
    """Measure the practice: incident frequency, time to detect/mitigate/resolve with
    intervals, action-item follow-through, engagement, blame language, repeats.

    Example: [bold]mortem stats --by month --compare 2025-H1:2025-H2 --charts charts/[/bold]
    """
    from ..errors import UsageError

    short_lived()
    ws = state.workspace()
    options = _options(by, since, until, compare, repeat_days, seed, today, section)
    human = fmt is Format.table
    report = _report(ws, options, human, skip_detail=human and table is None, charts=charts)
    tables = report.tables
    if table is not None:
        tables = [t for t in tables if t.name == table]
        if not tables:
            names = ", ".join(t.name for t in report.tables)
            raise UsageError(f"no table {table!r} in this report (tables: {names})")
    _emit(report, tables, fmt, one=table is not None)


def _report(
    ws: Workspace, options: Options, human: bool, skip_detail: bool, charts: Path | None
) -> Report:
    """The tables (from the results cache when nothing moved), and the charts if asked."""
    from ..metrics_cache import stats_report

    if charts is not None:
        import dataclasses

        from ..charts import write_charts
        from ..metrics import compute

        # The charts draw three sections only: blame language and engagement (the lint
        # results, the git history) are not needed for them.
        drawn = dataclasses.replace(options, sections=CHART_SECTIONS)
        writable_folder(charts, "--charts")
        try:
            written = write_charts(compute(ws, drawn), charts)
        except OSError as exc:
            raise _cannot_write("--charts", charts, exc) from None
        for path in written:
            output.success(f"wrote {path}")
    return stats_report(ws, options, human, skip_detail)


def _cannot_write(option: str, target: Path, exc: OSError) -> UsageError:
    from ..errors import UsageError

    where = exc.filename or target
    return UsageError(f"{option} {target}: cannot write {where}: {exc.strerror or exc}")


def writable_folder(folder: Path, option: str) -> None:
    """Make the folder (and its parents), or say which path cannot be written and why,
    before any work is spent on what would be written there."""
    import os

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(option, folder, exc) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _cannot_write(option, folder, PermissionError(13, "Permission denied", str(folder)))


def _emit(report: Report, tables: list[Table], fmt: Format, one: bool) -> None:
    from rich.markup import escape

    from ..errors import UsageError

    if fmt is Format.csv:
        if len(tables) != 1:
            names = ", ".join(t.name for t in tables)
            raise UsageError(f"--format csv writes one table: add --table NAME (one of: {names})")
        output.emit_csv(tables[0].rows, tables[0].columns)
    elif fmt is Format.json:
        output.emit_json(
            {
                "today": report.today,
                "incidents": report.incidents,
                "tables": {t.name: t.rows for t in tables},
            }
        )
    else:
        hidden: list[str] = []
        for t in tables:
            if t.detail and not one:
                hidden.append(t.name)
                continue
            # The title is printed here: plain tables (pipes, long listings) have none.
            output.console.print(f"\n[bold]{escape(t.title)}[/bold]")
            output.emit_table(t.rows, t.columns, None, "no data")
            if t.note:
                output.console.print(f"[dim]{escape(t.note)}[/dim]")
        if report.digest and not one:
            output.console.print("[bold]Left out of figures[/bold] (--table excluded lists them)")
            for figure, reason, count in report.digest:
                output.console.print(f"  {count} × {figure}: {reason}", markup=False)
        if hidden:
            output.console.print(
                f"Long tables not shown: {', '.join(hidden)} (show one with --table NAME)",
                markup=False,
            )


@app.command()
def report(
    by: str = BY,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    compare: str | None = COMPARE,
    repeat_days: int = REPEAT,
    fmt: str = typer.Option("html", "--format", "-f", help="html (one self-contained page)."),
    out: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
    seed: int = SEED,
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
) -> None:
    """Write the statistics as one self-contained HTML page: tables and charts inlined.

    Example: [bold]mortem report --format html -o practice-2025.html --since 2025-01-01[/bold]
    """
    from ..errors import UsageError
    from ..metrics import compute
    from ..report import stats_html
    from .reviews import write_out

    if fmt != "html":
        raise UsageError(f"--format {fmt!r}: the report is written as html")
    short_lived()
    ws = state.workspace()
    result = compute(ws, _options(by, since, until, compare, repeat_days, seed, today))
    write_out(stats_html(result, ws.root.name), out)
