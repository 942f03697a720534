"""A timeline kept as a spreadsheet: CSV with a header ``time,event[,kind]``.

Column names are matched without regard to case, and a few synonyms are accepted
(``at``/``timestamp``/``when`` for time, ``description``/``what`` for event,
``type`` for kind), because people export these from whatever tool they used. Other
columns are kept as extra fields of the event, so nothing in the file is lost.

Times are ISO 8601 (``2026-03-14T02:47:00Z``, ``2026-03-14 02:47+01:00``) or the same
followed by a zone name (``2026-03-14 02:47 UTC``, ``... Europe/Oslo``). A time without
a zone is refused unless the caller names a `default_tz`: a wrong guess would shift
every metric computed from the timeline.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, get_args

from mortem.errors import NotFoundError
from mortem.model import EventKind, TimelineEvent

from ._common import require_zone, source_error, zone_from_name
from .result import ImportResult, Skipped

__all__ = ["load_csv_timeline", "parse_csv_timeline"]

_KINDS: tuple[str, ...] = get_args(EventKind)
_ALIASES = {
    "time": "time",
    "at": "time",
    "timestamp": "time",
    "when": "time",
    "datetime": "time",
    "date": "time",
    "event": "event",
    "description": "event",
    "what": "event",
    "summary": "event",
    "kind": "kind",
    "type": "kind",
}
_TRAILING_ZONE = re.compile(r"^(.*\d)\s*(?:\(([^)]+)\)|([A-Za-z][A-Za-z_/+\-0-9:]*))$")


def _parse_time(text: str, default: tzinfo | None) -> datetime:
    """An aware datetime, or ValueError with a message fit for the user."""
    value = text.strip()
    if not value:
        raise ValueError("empty time")
    zone: tzinfo | None = None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        match = _TRAILING_ZONE.match(value)
        if not match:
            raise ValueError(f"cannot read time {value!r}: use ISO 8601") from None
        zone = zone_from_name(match.group(2) or match.group(3))
        if zone is None:
            raise ValueError(f"unknown timezone in {value!r}") from None
        try:
            moment = datetime.fromisoformat(match.group(1).strip())
        except ValueError:
            raise ValueError(f"cannot read time {value!r}: use ISO 8601") from None
        if moment.tzinfo is not None:
            raise ValueError(f"{value!r} has both an offset and a zone name") from None
    if moment.tzinfo is None:
        zone = zone or default
        if zone is None:
            raise ValueError(
                f"time {value!r} has no timezone (write e.g. {value}Z or {value}+01:00, "
                "or give a default timezone)"
            )
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def parse_csv_timeline(
    text: str, filename: str = "timeline.csv", default_tz: str | None = None
) -> ImportResult:
    """Events from CSV text; errors name the file, its line and the data row."""
    default = require_zone(default_tz, "default timezone") if default_tz else None
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise source_error(filename, "empty file: expected a header time,event[,kind]") from None
    except csv.Error as exc:
        raise source_error(filename, f"not CSV: {exc}", line=1) from None
    columns: dict[str, int] = {}
    extra: dict[int, str] = {}
    for i, name in enumerate(header):
        clean = name.strip().lower()
        role = _ALIASES.get(clean)
        if role and role not in columns:
            columns[role] = i
        elif clean:
            extra[i] = re.sub(r"\W+", "_", clean).strip("_") or f"column_{i + 1}"
    missing = [c for c in ("time", "event") if c not in columns]
    if missing:
        raise source_error(
            filename,
            f"header has no {' or '.join(missing)} column (found: {', '.join(header)})",
            line=1,
        )

    events: list[TimelineEvent] = []
    skipped: list[Skipped] = []
    row_number = 0
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise source_error(filename, f"row {row_number + 1}: {exc}", line=line) from None
        this_line, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        row_number += 1

        def cell(role: str, row: list[str] = row) -> str:
            index = columns.get(role)
            return row[index].strip() if index is not None and index < len(row) else ""

        try:
            at = _parse_time(cell("time"), default)
        except ValueError as exc:
            raise source_error(filename, f"row {row_number}: {exc}", line=this_line) from None
        event = " ".join(cell("event").split())
        if not event:
            raise source_error(filename, f"row {row_number}: the event is empty", line=this_line)
        kind = cell("kind").lower() or None
        if kind is not None and kind not in _KINDS:
            raise source_error(
                filename,
                f"row {row_number}: unknown kind {kind!r} (use one of {', '.join(_KINDS)})",
                line=this_line,
            )
        details: dict[str, Any] = {
            name: row[i].strip() for i, name in extra.items() if i < len(row) and row[i].strip()
        }
        # Keyed by content rather than row number, so inserting a row in the sheet
        # does not make every later row look new on the next import.
        digest = hashlib.sha1(f"{at.isoformat()}|{event}".encode()).hexdigest()[:12]
        events.append(
            TimelineEvent(at=at, event=event, kind=kind, source=f"csv:{digest}", **details)
        )
    if not events:
        skipped.append(Skipped(filename, "no rows after the header"))
    events.sort(key=lambda e: e.at)
    return ImportResult(
        source=f"csv:{Path(filename).name}", events=tuple(events), fields={}, skipped=tuple(skipped)
    )


def load_csv_timeline(path: Path | str, default_tz: str | None = None) -> ImportResult:
    """`parse_csv_timeline` on a file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NotFoundError(f"{file}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise source_error(str(file), f"cannot read: {exc}") from None
    return parse_csv_timeline(text, str(file), default_tz)
