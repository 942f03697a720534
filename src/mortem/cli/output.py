"""Rendering results for the terminal: Rich tables, JSON, CSV; errors as one line."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    console: Console
    err_console: Console

_consoles: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    # Rich costs tens of milliseconds to import; a JSON or piped listing never needs
    # it, so the consoles are made on first use. Rich turns colour off by itself when
    # the output is not a terminal, and honours NO_COLOR.
    if name in ("console", "err_console"):
        if name not in _consoles:
            from rich.console import Console

            _consoles[name] = Console(stderr=name == "err_console", highlight=False, soft_wrap=True)
        return _consoles[name]
    raise AttributeError(name)


def _get(name: str) -> Any:
    return __getattr__(name)


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else value


def emit_json(data: Any) -> None:
    if isinstance(data, list) and len(data) > 50:
        # json.dumps with indent runs the pure-Python encoder; one compact line per
        # item uses the C encoder and stays readable and greppable.
        items = ",\n".join(
            "  " + json.dumps(item, ensure_ascii=False, default=str) for item in data
        )
        sys.stdout.write("[\n" + items + "\n]\n")
        return
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def emit(
    rows: Sequence[dict[str, Any]],
    fmt: Format,
    columns: Sequence[str],
    title: str | None = None,
    empty: str = "nothing to show",
) -> None:
    if fmt is Format.json:
        emit_json(list(rows))
    elif fmt is Format.csv:
        emit_csv(rows, columns)
    else:
        emit_table(rows, columns, title, empty)


def emit_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_plain(row.get(c)) for c in columns])
    sys.stdout.write(buffer.getvalue())


def emit_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], title: str | None, empty: str
) -> None:
    if not rows:
        if sys.stdout.isatty():
            _get("console").print(f"[dim]{escape(empty)}[/dim]")
        else:
            sys.stdout.write(empty + "\n")  # Rich would cost more than the query
        return
    if len(rows) > RICH_ROW_LIMIT or not sys.stdout.isatty():
        emit_plain_table(rows, columns)
        return
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column.replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(*(_styled(_plain(row.get(c))) for c in columns))
    _get("console").print(table)


# A cell may mark spans (search matches) with these: a terminal shows them reversed,
# plain output leaves them out. Everything else in a cell is text, never markup.
MATCH_START, MATCH_END = "\x02", "\x03"


def _styled(value: Any) -> str:
    text = escape(str(value))
    if MATCH_START in text:
        text = text.replace(MATCH_START, "[reverse]").replace(MATCH_END, "[/reverse]")
    return text


# Rich lays out every cell to fit the terminal, which takes seconds for thousands of
# rows; past this many, and in pipes, a plain aligned table is printed instead.
RICH_ROW_LIMIT = 300
MAX_CELL = 70


def emit_plain_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    # Column by column, with plain strings passed through untouched: this prints
    # 10,000 rows in a few tens of milliseconds.
    cells = [[_cell(row.get(c)) for row in rows] for c in columns]
    header = [c.replace("_", " ") for c in columns]
    widths = [max(len(h), *map(len, col)) for h, col in zip(header, cells, strict=True)]
    template = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [template.format(*header).rstrip(), "  ".join("-" * w for w in widths)]
    lines += [template.format(*line).rstrip() for line in zip(*cells, strict=True)]
    sys.stdout.write("\n".join(lines) + "\n")


def _cell(value: Any) -> str:
    if (
        type(value) is str
        and len(value) <= MAX_CELL
        and "\n" not in value
        and MATCH_START not in value
    ):
        return value
    text = str(_plain(value)).replace("\n", " ").replace(MATCH_START, "").replace(MATCH_END, "")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def error(message: str) -> None:
    _get("err_console").print(f"[bold red]error:[/bold red] {escape(message)}")


def warning(message: str) -> None:
    _get("err_console").print(f"[bold yellow]warning:[/bold yellow] {escape(message)}")


def success(message: str) -> None:
    _get("err_console").print(f"[green]✓[/green] {escape(message)}")


UNREAD_LISTED = 10


def unread(paths: Sequence[str]) -> None:
    """Say on stderr which files a listing left out because they could not be read as
    postmortems, so that nothing goes missing silently."""
    if not paths:
        return
    lines = [f"{len(paths)} file(s) not read: run mortem validate"]
    lines += [f"  {p}" for p in paths[:UNREAD_LISTED]]
    if len(paths) > UNREAD_LISTED:
        lines.append(f"  and {len(paths) - UNREAD_LISTED} more")
    warning("\n".join(lines))
