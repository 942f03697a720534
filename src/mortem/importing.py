"""Imported timelines and postmortems into the repository, committed, never twice.

The importers (`mortem.importers`) only read outside formats. This module writes what
they found: a new draft postmortem for a new incident, or the new events of an
existing one's timeline. An incident imported before is recognised by its reference
(`incident_refs`) or by the source keys of its events, so running the same import
again adds nothing. Times are stored in UTC. A person's edits win: a field that is
already filled in is never overwritten by an import, and the report says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, InvalidDocumentError, NotFoundError, ParseError
from .git import Author
from .importers import ImportResult, Skipped, import_markdown, merge_events
from .model import Postmortem, TimelineEvent
from .templates import NewPostmortem, render_front_matter

if TYPE_CHECKING:
    from .workspace import Workspace

# Fields an import fills in when the postmortem does not have them yet.
FILLABLE = ("detected_at", "mitigated_at", "resolved_at", "started_at", "impact")
IMPORTED_FROM = "imported_from"  # front-matter key naming a converted Markdown file


@dataclass(frozen=True)
class Applied:
    """What one import did to one postmortem."""

    doc_id: str
    created: bool
    added: int
    already: int
    skipped: tuple[Skipped, ...]
    filled: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    commit: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "postmortem": self.doc_id,
            "created": self.created,
            "events_added": self.added,
            "events_already_there": self.already,
            "fields_filled": list(self.filled),
            "skipped": [{"item": s.item, "reason": s.reason} for s in self.skipped],
            "notes": list(self.notes),
        }


def _utc(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # A new object each time: ruamel writes one object met twice as a YAML alias.
        return value.astimezone(dt.UTC) + dt.timedelta(0)
    if isinstance(value, list):
        return [_utc(v) for v in value]
    if isinstance(value, dict):
        return {k: _utc(v) for k, v in value.items()}
    return value


def _event_record(event: TimelineEvent) -> dict[str, Any]:
    record: dict[str, Any] = {"at": _utc(event.at), "event": event.event}
    if event.kind:
        record["kind"] = event.kind
    if event.source:
        record["source"] = event.source
    record.update(event.model_extra or {})  # what the importer adds (thread links...)
    return record


def severity_for(ws: Workspace, value: object) -> tuple[str | None, str | None]:
    """A severity name of this repository for an outside one, and a note if there is none.

    `[import] severities` maps outside names (P1, high, critical...) to ours.
    """
    if value is None or value == "":
        return None, None
    text = str(value)
    table = ws.settings.extra.get("import", {})
    mapping = table.get("severities", {}) if isinstance(table, dict) else {}
    if not isinstance(mapping, dict):
        raise ConfigError(f"{ws.config_path}: [import] severities must be a table")
    mapped = mapping.get(text, text)
    if mapped in ws.settings.severity_names:
        return str(mapped), None
    return None, (
        f"severity {text!r} is not one of {', '.join(ws.settings.severity_names)}: left empty "
        f'(map it in mortem.toml: [import.severities] {text} = "SEV2")'
    )


def find_imported(ws: Workspace, result: ImportResult) -> str | None:
    """The postmortem this source was imported into before, if any."""
    keys = {e.source for e in result.events if e.source}
    refs = set(result.fields.get("incident_refs") or []) | {result.source}
    for doc_id, data in ws.index.front_matter():
        if refs & set(data.get("incident_refs") or []):
            return doc_id
        if keys and any(e.get("source") in keys for e in data.get("timeline") or []):
            return doc_id
    return None


def apply_import(
    ws: Workspace,
    result: ImportResult,
    into: str | None,
    author: Author | None,
    title: str | None = None,
) -> Applied:
    """A new draft for a new source (titled `title` if the source has none), or the new
    events merged into `into` (or into the postmortem this source went into before)."""
    target = into or find_imported(ws, result)
    if target is None:
        return _create(ws, result, author, title)
    return _merge(ws, target, result, author, created=False)


def _create(
    ws: Workspace, result: ImportResult, author: Author | None, title: str | None
) -> Applied:
    fields = _utc(result.fields)
    severity, note = severity_for(ws, fields.get("severity"))
    started = fields.get("started_at") or (result.events[0].at if result.events else None)
    new = NewPostmortem(
        title=str(title or fields.get("title") or f"Imported from {result.source}"),
        severity=severity,
        services=[str(s) for s in fields.get("services") or []],
        tags=[str(t) for t in fields.get("tags") or []],
        started_at=_utc(started),
        impact=fields.get("impact"),
    )
    saved = ws.create(new, author=author)
    ws.index.invalidate()
    applied = _merge(ws, saved.document.id, result, author, created=True)
    return Applied(
        applied.doc_id,
        True,
        applied.added,
        applied.already,
        applied.skipped,
        applied.filled,
        tuple(n for n in (note, *applied.notes) if n),
        applied.commit,
    )


def _merge(
    ws: Workspace, doc_id: str, result: ImportResult, author: Author | None, created: bool
) -> Applied:
    current = ws.store.load(doc_id).model()
    merged, added = merge_events(list(current.timeline), result.events)
    known = {id(e) for e in current.timeline}
    new_events = [e for e in merged if id(e) not in known]
    fields = _utc(result.fields)
    filled: list[str] = []
    notes: list[str] = []
    for name in FILLABLE:
        value = fields.get(name)
        if value is None:
            continue
        if getattr(current, name) is None:
            filled.append(name)
        elif not created and getattr(current, name) != value:
            notes.append(
                f"kept {name} as written ({getattr(current, name)}); the source says {value}"
            )
    refs = [r for r in fields.get("incident_refs") or [] if r not in current.incident_refs]

    def mutate(front: Any) -> None:
        from .edits import ensure_list

        for name in filled:
            front[name] = fields[name]
        if refs:
            ensure_list(front, "incident_refs").extend(refs)
        timeline = ensure_list(front, "timeline")
        _insert_in_order(timeline, new_events)

    saved = ws.store.update(
        doc_id,
        mutate,
        f"Import {added} timeline event(s) from {result.source} into {doc_id}",
        author,
    )
    ws.index.invalidate()
    return Applied(
        doc_id,
        created,
        added,
        len(result.events) - added,
        result.skipped,
        tuple(filled + (["incident_refs"] if refs else [])),
        tuple(notes),
        saved.commit,
    )


def _insert_in_order(timeline: Any, events: Iterable[TimelineEvent]) -> None:
    """Put each event where its time belongs, leaving the existing lines as they are."""
    from ruamel.yaml.comments import CommentedMap

    def moment(item: Any) -> float:
        at = item.get("at") if isinstance(item, dict) else None
        if isinstance(at, dt.datetime):
            return at.timestamp()
        if isinstance(at, str):
            try:
                return dt.datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()
            except ValueError:
                return float("inf")
        return float("inf")

    for event in events:
        when = event.at.timestamp()
        position = len(timeline)
        for i, item in enumerate(timeline):
            if moment(item) > when:
                position = i
                break
        timeline.insert(position, CommentedMap(_event_record(event)))


# -- whole Markdown postmortems -----------------------------------------------------------


@dataclass(frozen=True)
class Converted:
    source: str
    doc_id: str | None
    status: str  # created, already-imported, failed
    report: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "postmortem": self.doc_id,
            "status": self.status,
            "report": list(self.report),
            "problems": list(self.problems),
        }


def import_markdown_folder(
    ws: Workspace, folder: Path, author: Author | None, default_tz: str = "UTC"
) -> list[Converted]:
    """Each free-form Markdown file of `folder` as a mortem file, one commit each."""
    if not folder.is_dir():
        raise NotFoundError(f"{folder}: no such folder")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".md", ".markdown"))
    done = {
        str(data.get(IMPORTED_FROM)): doc_id
        for doc_id, data in ws.index.front_matter()
        if data.get(IMPORTED_FROM)
    }
    return [_convert(ws, path, author, default_tz, done) for path in files if path.is_file()]


def _convert(
    ws: Workspace, path: Path, author: Author | None, default_tz: str, done: dict[str, str]
) -> Converted:
    if path.name in done:
        return Converted(path.name, done[path.name], "already-imported")
    try:
        found = import_markdown(path.read_text(encoding="utf-8-sig"), path.name, default_tz)
        pm = found.postmortem()
    except (ParseError, ValueError, UnicodeDecodeError) as exc:
        return Converted(path.name, None, "failed", problems=(str(exc).splitlines()[0],))
    dumped = pm.model_dump(mode="python", exclude_none=True, exclude_defaults=True)
    # The importer also hands back the summary and lessons it read; they stay in the
    # body, where the author wrote them, rather than twice in the file.
    fields = {k: v for k, v in _utc(dumped).items() if k in Postmortem.model_fields}
    fields = {"title": pm.title, "status": "draft", **fields, IMPORTED_FROM: path.name}
    doc_id = ws.new_id(pm.title, pm.started_at)
    text = render_front_matter(fields) + found.body.lstrip("\n")
    try:
        saved = ws.store.create(doc_id, text, f"Import {path.name} as {doc_id}", author)
    except (ParseError, InvalidDocumentError) as exc:
        return Converted(path.name, None, "failed", tuple(found.report), (str(exc),))
    done[path.name] = doc_id
    problems = ws.validate_document(saved.document)
    return Converted(
        path.name, doc_id, "created", tuple(found.report), tuple(str(p) for p in problems)
    )


def describe(applied: Applied) -> str:
    verb = "created" if applied.created else "updated"
    parts = [f"{verb} {applied.doc_id}: {applied.added} event(s) added"]
    if applied.already:
        parts.append(f"{applied.already} already there")
    if applied.filled:
        parts.append("filled " + ", ".join(applied.filled))
    return ", ".join(parts)
