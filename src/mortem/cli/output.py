"""Rendering results for the terminal: Rich tables, JSON, CSV; errors as one line."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

# Rich turns colour off by itself when stdout is not a terminal, and honours NO_COLOR.
console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


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
        console.print(f"[dim]{empty}[/dim]")
        return
    if len(rows) > RICH_ROW_LIMIT or not console.is_terminal:
        emit_plain_table(rows, columns)
        return
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column.replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(*(str(_plain(row.get(c))) for c in columns))
    console.print(table)


# Rich lays out every cell to fit the terminal, which takes seconds for thousands of
# rows; past this many, and in pipes, a plain aligned table is printed instead.
RICH_ROW_LIMIT = 300
MAX_CELL = 70


def emit_plain_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    header = [c.replace("_", " ") for c in columns]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row_cells in cells:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row_cells, widths, strict=True)).rstrip())
    sys.stdout.write("\n".join(lines) + "\n")


def _cell(value: Any) -> str:
    text = str(_plain(value)).replace("\n", " ")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def error(message: str) -> None:
    err_console.print(f"[bold red]error:[/bold red] {escape(message)}")


def success(message: str) -> None:
    err_console.print(f"[green]✓[/green] {escape(message)}")
