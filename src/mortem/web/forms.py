"""The edit form: a postmortem's front matter as form fields, and back as a round-trip edit.

A field is written only when its text in the form differs from the text the form was
filled with, so whatever the person did not touch keeps its exact formatting, and keys
the form does not know about are kept. Rows of the lists (timeline, whys, factors,
action items) carry the position they came from, so an edited row changes in place
and a removed row is removed, whatever else is in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..document import Document
from ..model import ACTION_STATUSES

SCALARS = (
    "title",
    "severity",
    "facilitator",
    "impact",
    "started_at",
    "detected_at",
    "mitigated_at",
    "resolved_at",
)
NAME_LISTS = ("services", "tags", "authors", "responders", "incident_refs")
TIMES = ("started_at", "detected_at", "mitigated_at", "resolved_at")


@dataclass(frozen=True)
class Table:
    """One list of the front matter edited as rows of a form."""

    key: str  # front-matter key
    prefix: str  # form field prefix
    columns: tuple[str, ...]
    required: tuple[str, ...]
    label: str


TABLES = (
    Table("timeline", "timeline", ("at", "event", "kind"), ("at", "event"), "Timeline"),
    Table("whys", "whys", ("why", "because"), ("why", "because"), "5 whys"),
    Table(
        "contributing_factors",
        "factors",
        ("category", "description"),
        ("category", "description"),
        "Contributing factors",
    ),
    Table(
        "action_items",
        "actions",
        ("id", "title", "owner", "due", "status", "type", "notes"),
        ("title",),
        "Action items",
    ),
)
TABLE_BY_PREFIX = {t.prefix: t for t in TABLES}

# The longest text each field takes. Title and impact are the JSON API's limits, so a
# form cannot write what the API refuses; the others leave room for what the field
# holds while keeping any one field from swelling a file to megabytes.
MAX_LENGTH = {
    "title": 300,
    "impact": 5000,
    "severity": 100,
    "facilitator": 200,
    **{key: 64 for key in TIMES},
    **{key: 2000 for key in NAME_LISTS},
}
CELL_LENGTH = {
    "at": 64,
    "event": 2000,
    "kind": 40,
    "why": 2000,
    "because": 2000,
    "category": 100,
    "description": 2000,
    "id": 40,
    "title": 300,
    "owner": 200,
    "due": 40,
    "status": 40,
    "type": 40,
    "notes": 5000,
    "orig": 9,  # a row position: `int()` of thousands of digits is an error, not a number
}
NOTE_LENGTH = 5000  # a review's or a status change's note, as in the API
DATES = {("action_items", "due")}
# A select shows a value even in an empty row; that value alone does not make a row.
BLANK = {"status": "open"}
DATETIMES = {("timeline", "at")}


@dataclass
class Values:
    """Every field as the text shown in the form."""

    scalars: dict[str, str] = field(default_factory=dict)
    lists: dict[str, str] = field(default_factory=dict)
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    body: str = ""
    revision: str = ""


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class FormErrors(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


# -- document -> form ----------------------------------------------------------------


def text_of(value: Any) -> str:
    """A front-matter value as the text a person would type."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None and value.utcoffset() == dt.timedelta(0):
            return value.replace(tzinfo=None).isoformat() + "Z"
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(text_of(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def values_of(doc: Document) -> Values:
    data = doc.data
    values = Values(body=doc.body, revision=doc.revision)
    for key in SCALARS:
        values.scalars[key] = text_of(data.get(key))
    for key in NAME_LISTS:
        values.lists[key] = text_of(data.get(key))
    for table in TABLES:
        items = data.get(table.key) or []
        rows = []
        for position, item in enumerate(items if isinstance(items, list) else []):
            item = item if isinstance(item, dict) else {}
            row = {c: text_of(item.get(c)) for c in table.columns}
            row["orig"] = str(position)
            rows.append(row)
        values.rows[table.prefix] = rows
    return values


# -- form -> values --------------------------------------------------------------------


def _one(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _many(form: Any, name: str) -> list[str]:
    return [v if isinstance(v, str) else "" for v in form.getlist(name)]


def values_from_form(form: Any) -> Values:
    """Read the submitted form (rows are parallel lists of `<prefix>-<column>` fields)."""
    values = Values(body=_one(form, "body").replace("\r\n", "\n"), revision=_one(form, "revision"))
    for key in SCALARS:
        values.scalars[key] = _one(form, key).strip()
    for key in NAME_LISTS:
        values.lists[key] = _one(form, key).strip()
    for table in TABLES:
        columns = {c: _many(form, f"{table.prefix}-{c}") for c in (*table.columns, "orig")}
        removed = set(_many(form, f"{table.prefix}-remove"))
        count = max(len(v) for v in columns.values())
        rows = []
        for i in range(count):
            row = {c: (columns[c][i] if i < len(columns[c]) else "").strip() for c in columns}
            if row["orig"] and f"o{row['orig']}" in removed:
                continue
            if all(row[c] in ("", BLANK.get(c)) for c in table.columns):
                continue  # a blank row (the spare rows of the form without JavaScript)
            rows.append(row)
        values.rows[table.prefix] = rows
    return values


# -- values -> front matter --------------------------------------------------------------


def _parse_time(text: str, where: str, errors: list[FieldError]) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace(" ", "T", 1).replace("Z", "+00:00"))
    except ValueError:
        errors.append(FieldError(where, f"{text!r} is not a time like 2026-03-14T02:47:00Z"))
        return None
    if value.tzinfo is None:
        errors.append(FieldError(where, f"{text!r} has no timezone: add Z or +01:00"))
        return None
    problem = implausible(value)
    if problem:
        errors.append(FieldError(where, f"{text!r} {problem}"))
        return None
    return value


EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def implausible(value: dt.datetime) -> str | None:
    """Why a time cannot be an incident's (a typo in the year, most likely), or None."""
    if value < EARLIEST:
        return "is before 1970: check the year"
    if value > dt.datetime.now(dt.UTC) + dt.timedelta(days=1):
        return "is in the future: check the year"
    return None


def _parse_day(text: str, where: str, errors: list[FieldError]) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(where, f"{text!r} is not a date like 2026-03-28"))
        return None


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _flow(values: list[str]) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def _next_action_id(rows: Sequence[dict[str, str]]) -> str:
    taken = {r.get("id", "") for r in rows}
    n = 1
    while f"A{n}" in taken:
        n += 1
    return f"A{n}"


def too_long(text: str, limit: int) -> str | None:
    """Why `text` is refused for its length, or None."""
    # A browser counts a line break in a text area as one character and sends two.
    length = len(text.replace("\r\n", "\n"))
    if length <= limit:
        return None
    return f"{length:,} characters: at most {limit:,}"


def _length_errors(new: Values, old: Values | None, max_body: int | None) -> list[FieldError]:
    """Fields over their limit. A field the person did not change is left alone, so a
    file written by other means (longer than the form allows) can still be edited."""
    errors: list[FieldError] = []
    was = old or Values()
    for key, limit in MAX_LENGTH.items():
        text = new.scalars.get(key, new.lists.get(key, ""))
        before = was.scalars.get(key, was.lists.get(key))
        problem = too_long(text, limit) if text != before else None
        if problem:
            errors.append(FieldError(key.replace("_", " "), problem))
    for table in TABLES:
        old_rows = was.rows.get(table.prefix, [])
        for number, row in enumerate(new.rows.get(table.prefix, []), start=1):
            orig = row.get("orig", "")
            position = int(orig) if orig.isdigit() and len(orig) <= CELL_LENGTH["orig"] else -1
            before_row = old_rows[position] if 0 <= position < len(old_rows) else {}
            for column, text in row.items():
                limit = CELL_LENGTH.get(column, 0)
                if text == before_row.get(column) and column != "orig":
                    continue
                problem = too_long(text, limit)
                if problem:
                    errors.append(FieldError(f"{table.label}, row {number}, {column}", problem))
    if max_body is not None and len(new.body.encode("utf-8")) > max_body:
        size = len(new.body.encode("utf-8"))
        errors.append(
            FieldError("narrative", f"{size:,} bytes: a postmortem file holds at most {max_body:,}")
        )
    return errors


def check(
    new: Values, today: dt.date, old: Values | None = None, max_body: int | None = None
) -> list[FieldError]:
    """Form-level problems the file format cannot point at well (partial rows, bad times,
    overlong text); `old` is the form as it was filled, `max_body` the file size limit."""
    errors = _length_errors(new, old, max_body)
    if errors:
        return errors  # the other checks would quote the overlong text back
    if not new.scalars.get("title"):
        errors.append(FieldError("title", "a postmortem needs a title"))
    for key in TIMES:
        _parse_time(new.scalars.get(key, ""), key, errors)
    for table in TABLES:
        for number, row in enumerate(new.rows.get(table.prefix, []), start=1):
            where = f"{table.label}, row {number}"
            missing = [c for c in table.required if not row.get(c)]
            if missing:
                errors.append(
                    FieldError(where, f"fill in {' and '.join(missing)}, or clear the row")
                )
            if (table.key, "at") in DATETIMES:
                _parse_time(row.get("at", ""), f"{where}, at", errors)
            if table.key == "action_items":
                _parse_day(row.get("due", ""), f"{where}, due", errors)
                status = row.get("status") or "open"
                if status not in ACTION_STATUSES:
                    errors.append(FieldError(f"{where}, status", f"unknown status {status!r}"))
                if status == "wont-do" and not row.get("notes"):
                    errors.append(FieldError(f"{where}, notes", "say why it will not be done"))
    ids = [r.get("id") for r in new.rows.get("actions", []) if r.get("id")]
    for dup in sorted({i for i in ids if ids.count(i) > 1 and i is not None}):
        errors.append(FieldError("Action items", f"the id {dup} is used twice"))
    return errors


def _cell(table: Table, column: str, text: str, today: dt.date) -> Any:
    if (table.key, column) in DATETIMES:
        return _parse_time(text, column, [])
    if (table.key, column) in DATES:
        return _parse_day(text, column, [])
    return text or None


def _apply_row(
    table: Table, item: Any, old: dict[str, str], new: dict[str, str], today: dt.date
) -> None:
    for column in table.columns:
        if new.get(column, "") == old.get(column, ""):
            continue
        value = _cell(table, column, new.get(column, ""), today)
        if value is None and column not in item:
            continue
        if value is None and column not in table.required:
            del item[column]
        else:
            item[column] = value if value is not None else ""
    if table.key == "action_items" and new.get("status") != old.get("status"):
        closing = new.get("status") in ("done", "wont-do")
        if closing and not item.get("closed_on"):
            item["closed_on"] = today
        elif not closing and item.get("closed_on") is not None:
            item["closed_on"] = None


def _new_item(table: Table, row: dict[str, str], today: dt.date) -> Any:
    from ruamel.yaml.comments import CommentedMap

    item = CommentedMap()
    for column in table.columns:
        value = _cell(table, column, row.get(column, ""), today)
        if value is not None or column in table.required:
            item[column] = value if value is not None else ""
    if table.key == "action_items":
        item.setdefault("status", "open")
        if item["status"] in ("done", "wont-do"):
            item["closed_on"] = today
    return item


def _apply_table(front: Any, table: Table, old: Values, new: Values, today: dt.date) -> None:
    from ..edits import ensure_list

    old_rows = old.rows.get(table.prefix, [])
    new_rows = new.rows.get(table.prefix, [])
    if table.key == "action_items":
        for row in new_rows:
            if not row.get("id"):
                row["id"] = _next_action_id([*old_rows, *new_rows])
    kept = {int(r["orig"]) for r in new_rows if r.get("orig", "").isdigit()}
    kept &= set(range(len(old_rows)))
    added = [r for r in new_rows if not (r.get("orig", "").isdigit() and int(r["orig"]) in kept)]
    if (
        not added
        and kept == set(range(len(old_rows)))
        and all(r == old_rows[int(r["orig"])] for r in new_rows)
    ):
        return  # nothing changed in this list: leave its lines alone
    seq = ensure_list(front, table.key)
    for row in new_rows:
        orig = row.get("orig", "")
        if orig.isdigit() and int(orig) in kept:
            _apply_row(table, seq[int(orig)], old_rows[int(orig)], row, today)
    for position in sorted(set(range(len(old_rows))) - kept, reverse=True):
        del seq[position]
    for row in added:
        seq.append(_new_item(table, row, today))


def apply(front: Any, old: Values, new: Values, today: dt.date) -> None:
    """Change `front` (round-trip data) where `new` differs from `old`."""
    for key in SCALARS:
        text = new.scalars.get(key, "")
        if text == old.scalars.get(key, ""):
            continue
        value: Any = _parse_time(text, key, []) if key in TIMES else (text or None)
        if value is None and key not in front:
            continue
        front[key] = value
    for key in NAME_LISTS:
        text = new.lists.get(key, "")
        if text == old.lists.get(key, ""):
            continue
        names = _names(text)
        if not names and key not in front:
            continue
        front[key] = _flow(names)
    for table in TABLES:
        _apply_table(front, table, old, new, today)


def new_body(old: Values, new: Values) -> str | None:
    """The narrative to write, or None when unchanged (line endings as the file had them)."""
    if new.body == old.body.replace("\r\n", "\n"):
        return None
    body = new.body
    if "\r\n" in old.body:
        body = body.replace("\n", "\r\n")
    if body and not body.endswith(("\n", "\r\n")):
        body += "\r\n" if "\r\n" in old.body else "\n"
    return body


def candidate_text(doc: Document, old: Values, new: Values, today: dt.date) -> str:
    """The file text a save would write (used to lint before saving)."""
    text = doc.edited(lambda front: apply(front, old, new, today))
    body = new_body(old, new)
    if body is not None:
        head = text[: len(text) - len(doc.body)] if doc.body else text
        text = head + body
    return text
