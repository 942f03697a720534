"""The data of the postmortem pages, built from the core's services.

Each builder returns a dict: the template renders it, and the page's `.json` twin is the
same dict without the keys that start with `_` (ready-made HTML and SVG).
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from html import escape
from typing import Any

from ..document import Document
from ..errors import ParseError
from ..evidence import sniff
from ..lint.engine import lint_text
from ..lint.service import lint_config
from ..model import Postmortem
from ..render_html import render_markdown
from ..timeline_svg import timeline_svg
from .site import Site

OPEN = ("open", "in-progress")
# The one-click status changes offered for an item in each status.
NEXT_STEPS: dict[str, tuple[str, ...]] = {
    "open": ("in-progress", "done"),
    "in-progress": ("done", "open"),
    "done": ("open",),
    "wont-do": ("open",),
}


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _seconds(a: dt.datetime | None, b: dt.datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return (b - a).total_seconds()


def durations(pm: Postmortem) -> dict[str, float | None]:
    return {
        "to_detect": _seconds(pm.started_at, pm.detected_at),
        "to_mitigate": _seconds(pm.started_at, pm.mitigated_at),
        "to_resolve": _seconds(pm.started_at, pm.resolved_at),
    }


def page_link(target: str) -> str:
    """Where a link in a narrative leads on this site.

    Evidence is linked as `ID/file.png` relative to the postmortems folder, and another
    postmortem as `other-id.md`: both become absolute paths of the web page.
    """
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith(("/", "#")):
        return target
    path, sep, anchor = target.partition("#")
    path = path.removeprefix("./")
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.md", path):
        return f"/postmortems/{path[:-3]}" + (sep + anchor if sep else "")
    return f"/postmortems/{path}" + (sep + anchor if sep else "")


def render_body(site: Site, doc: Document) -> str:
    """The narrative as sanitised HTML, cached by the file's content hash."""
    return site.by_revision.get(
        ("body", doc.revision), lambda: render_markdown(doc.body, page_link)
    )


def without_title(html: str, title: str) -> str:
    """The narrative without its first heading when that heading repeats the title."""
    match = re.match(r"\s*<h1[^>]*>(.*?)</h1>\s*", html, re.S)
    if match and match.group(1).strip() == escape(title, quote=False).strip():
        return html[match.end() :]
    return html


def render_timeline(site: Site, doc: Document, pm: Postmortem) -> str | None:
    """The timeline on a time axis (inline SVG built from escaped text only)."""
    svg: str | None = site.by_revision.get(("timeline", doc.revision), lambda: timeline_svg(pm))
    return svg


def lint_findings(site: Site, doc: Document) -> list[dict[str, Any]]:
    """The linter's findings for this text, cached by content hash and day (rules about
    due dates depend on the day)."""
    when = today()
    config = site.by_revision.get(("lint-config", when), lambda: lint_config(site.ws, today=when))

    def run() -> list[dict[str, Any]]:
        result = lint_text(
            doc.text, doc.display, config, site.ws.store.folder, doc.id, doc.revision
        )
        return [f.as_dict() for f in result.findings]

    found: list[dict[str, Any]] = site.by_revision.get(("lint", doc.revision, when), run)
    return found


def problems_of(site: Site, doc: Document) -> list[dict[str, Any]]:
    return [p.__dict__ for p in site.ws.validate_document(doc)]


def evidence_stamp(site: Site, doc_id: str) -> tuple[int, int]:
    """Changes when a file is added to or removed from a postmortem's evidence folder
    (the count as well as the time: two changes can share a clock tick)."""
    folder = site.ws.store.folder / doc_id
    try:
        return folder.stat().st_mtime_ns, len(os.listdir(folder))
    except OSError:
        return 0, 0


def evidence_files(site: Site, doc_id: str) -> list[dict[str, Any]]:
    folder = site.ws.store.folder / doc_id
    if not folder.is_dir():
        return []
    files = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            head = path.read_bytes()[:64]
            try:
                kind = sniff(head, path.name).mime
            except Exception:
                kind = "application/octet-stream"
            files.append(
                {
                    "name": path.name,
                    "url": f"/postmortems/{doc_id}/{path.name}",
                    "image": kind.startswith("image/"),
                    "bytes": path.stat().st_size,
                }
            )
    return files


def actions_of(doc_id: str, pm: Postmortem, when: dt.date) -> list[dict[str, Any]]:
    rows = []
    for item in pm.action_items:
        late = item.status in OPEN and item.due is not None and item.due < when
        rows.append(
            {
                **item.model_dump(mode="json"),
                "postmortem": doc_id,
                "next": NEXT_STEPS.get(item.status, ()),
                "overdue": late,
                "days_overdue": (when - item.due).days if late and item.due else None,
            }
        )
    return rows


def postmortem_view(site: Site, doc: Document, editor: bool) -> dict[str, Any]:
    """Everything the postmortem page shows."""
    when = today()
    view: dict[str, Any] = {
        "id": doc.id,
        "revision": doc.revision,
        "path": doc.display,
        "body": doc.body,
        "problems": problems_of(site, doc),
        "evidence": evidence_files(site, doc.id),
    }
    try:
        pm = doc.model()
    except ParseError:
        view.update(
            {
                "valid": False,
                "title": str(doc.data.get("title") or doc.id),
                "front_matter": doc.data,
                "_source": doc.text,
            }
        )
        return view
    front = pm.model_dump(mode="json")
    view.update(
        {
            "valid": True,
            "title": pm.title,
            "front_matter": front,
            "durations": durations(pm),
            "action_items": actions_of(doc.id, pm, when),
            "_pm": pm,
            "_body_html": without_title(render_body(site, doc), pm.title),
            "_timeline": timeline_rows(pm),
            "_timeline_svg": render_timeline(site, doc, pm),
        }
    )
    if editor:
        view["lint"] = lint_findings(site, doc)
    # Related postmortems cost a search of the whole repository: the page loads them
    # separately (/postmortems/ID/related), so that reading a postmortem stays fast.
    return view


def timeline_rows(pm: Postmortem) -> list[dict[str, Any]]:
    """Timeline events in time order, with the minutes since the incident started."""
    start = pm.started_at or (min(e.at for e in pm.timeline) if pm.timeline else None)
    rows = []
    for event in sorted(pm.timeline, key=lambda e: e.at):
        offset = _seconds(start, event.at)
        rows.append({"at": event.at, "event": event.event, "kind": event.kind, "offset": offset})
    return rows


def related_to(site: Site, doc_id: str) -> list[dict[str, Any]]:
    from ..related import related

    def find() -> list[dict[str, Any]]:
        try:
            return [r.as_dict() for r in related(site.index(), doc_id, limit=5)]
        except Exception:  # an invalid file has no index row to compare with
            return []

    result: list[dict[str, Any]] = site.derived(("related", doc_id), find)
    return result


def diff(old: str, new: str, old_name: str, new_name: str) -> list[dict[str, str]]:
    """A unified diff as lines tagged add / remove / context / hunk, for the page."""
    lines = []
    for line in difflib.unified_diff(
        old.splitlines(), new.splitlines(), old_name, new_name, n=2, lineterm=""
    ):
        if line.startswith(("---", "+++")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "remove"
        else:
            kind = "context"
        lines.append({"kind": kind, "text": line})
    return lines
