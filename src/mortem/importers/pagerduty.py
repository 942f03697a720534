"""PagerDuty incidents and their log entries, as the REST API (v2) returns them.

The log entry types and fields follow PagerDuty's OpenAPI description
(`/incidents/{id}` and `/incidents/{id}/log_entries`). Mapping:

- trigger -> ``trigger``; sets started_at unless the incident was created earlier
- the first acknowledge -> ``detection`` and detected_at (later ones are actions)
- annotate -> ``action`` carrying the note's text
- escalate, assign, delegate, snooze, unacknowledge, urgency change... -> ``action``
- resolve -> ``resolution`` and resolved_at (the last one, if several)
- notify -> skipped: pages sent to people are delivery detail, not incident events
- field value changes -> skipped: they edit metadata, nothing happened to the system
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

from mortem.errors import NotFoundError
from mortem.model import EventKind, TimelineEvent

from ._common import (
    FetchError,
    as_dict,
    as_list,
    parse_instant,
    read_json,
    source_error,
    text_of,
)
from .result import ImportResult, Skipped

__all__ = ["fetch_pagerduty", "load_pagerduty_file", "parse_pagerduty"]

_ACK_TYPES = {"acknowledge_log_entry", "acknowledgement_log_entry"}
_ACTION_TYPES = {
    "escalate_log_entry",
    "assign_log_entry",
    "delegate_log_entry",
    "snooze_log_entry",
    "unacknowledge_log_entry",
    "urgency_change_log_entry",
    "reach_ack_limit_log_entry",
    "reach_trigger_limit_log_entry",
    "exhaust_escalation_path_log_entry",
    "repeat_escalation_path_log_entry",
}
_SKIPPED_TYPES = {
    "notify_log_entry": "notification sent to a responder; delivery detail, not an incident event",
    "field_value_change_log_entry": "incident field edited; metadata, not an incident event",
    "custom_field_value_change_log_entry": ("custom field edited; metadata, not an incident event"),
}


def _name(ref: object) -> str:
    """The display name of a PagerDuty reference object ('' if absent)."""
    if isinstance(ref, dict):
        return text_of(ref.get("summary") or ref.get("name") or ref.get("id"))
    return ""


def _event_text(entry: dict[str, Any], kind: str) -> str:
    summary = text_of(entry.get("summary"))
    raw_channel = entry.get("channel")
    channel: dict[str, Any] = raw_channel if isinstance(raw_channel, dict) else {}
    if kind == "annotate":
        # The note is the point of an annotation; PagerDuty puts it in `note` or, in
        # older payloads, in the channel's summary.
        note = text_of(entry.get("note")) or text_of(channel.get("summary"))
        who = _name(entry.get("agent"))
        if note:
            return f"Note by {who}: {note}" if who else f"Note: {note}"
        return summary or "Note added"
    details = ""
    event_details = entry.get("event_details")
    if isinstance(event_details, dict):
        details = text_of(event_details.get("description"))
    if not details:
        details = text_of(channel.get("summary") or channel.get("description"))
    text = summary or kind.replace("_", " ").capitalize()
    assignees = [_name(a) for a in entry.get("assignees") or [] if _name(a)]
    if assignees and not any(a in text for a in assignees):
        text += f" (to {', '.join(assignees)})"
    if details and details not in text:
        text += f": {details}"
    return text


def parse_pagerduty(
    incident: dict[str, Any], log_entries: list[dict[str, Any]], *, where: str = "pagerduty"
) -> ImportResult:
    """Turn one incident and its log entries into timeline events and fields.

    `where` names the payload in error messages (a file path, or a URL).
    """
    incident = as_dict(incident, where, "incident")
    entries = as_list(log_entries, where, "log_entries")
    incident_id = text_of(incident.get("id"))
    if not incident_id:
        raise source_error(where, "the incident has no id", field="incident.id")

    events: list[TimelineEvent] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    first_trigger: datetime | None = None
    detected: datetime | None = None
    resolved: datetime | None = None

    # Acknowledgement order matters (the first one is the detection), and the API can
    # return newest first, so look at the entries in time order.
    parsed: list[tuple[datetime, int, dict[str, Any]]] = []
    for i, raw in enumerate(entries):
        entry = as_dict(raw, where, f"log_entries[{i}]")
        at = parse_instant(entry.get("created_at"), where, f"log_entries[{i}].created_at")
        parsed.append((at, i, entry))
    parsed.sort(key=lambda item: (item[0], item[1]))

    for at, i, entry in parsed:
        entry_id = text_of(entry.get("id"))
        entry_type = text_of(entry.get("type"))
        if not entry_id:
            raise source_error(where, "log entry has no id", field=f"log_entries[{i}].id")
        if not entry_type:
            raise source_error(where, "log entry has no type", field=f"log_entries[{i}].type")
        if entry_id in seen:
            # Pages can overlap when entries arrive while we paginate.
            continue
        seen.add(entry_id)
        label = f"{entry_type} {entry_id} at {at.isoformat()}"
        kind: EventKind
        if entry_type in _SKIPPED_TYPES:
            skipped.append(Skipped(label, _SKIPPED_TYPES[entry_type]))
            continue
        if entry_type == "trigger_log_entry":
            kind, style = "trigger", "trigger"
            first_trigger = first_trigger or at
        elif entry_type in _ACK_TYPES:
            if detected is None:
                kind, detected = "detection", at
            else:
                kind = "action"
            style = "acknowledge"
        elif entry_type == "annotate_log_entry":
            kind, style = "action", "annotate"
        elif entry_type == "resolve_log_entry":
            kind, style, resolved = "resolution", "resolve", at
        elif entry_type in _ACTION_TYPES:
            kind, style = "action", entry_type.removesuffix("_log_entry")
        else:
            skipped.append(Skipped(label, f"unknown log entry type {entry_type!r}"))
            continue
        events.append(
            TimelineEvent(
                at=at, event=_event_text(entry, style), kind=kind, source=f"pagerduty:{entry_id}"
            )
        )

    fields: dict[str, Any] = {"incident_refs": [f"pagerduty:{incident_id}"]}
    title = text_of(incident.get("title")) or text_of(incident.get("summary"))
    if title:
        fields["title"] = title
    created = incident.get("created_at")
    starts = [first_trigger] if first_trigger else []
    if created:
        starts.append(parse_instant(created, where, "incident.created_at"))
    if starts:
        fields["started_at"] = min(starts)
    if detected:
        fields["detected_at"] = detected
    if resolved is None and incident.get("resolved_at"):
        resolved = parse_instant(incident["resolved_at"], where, "incident.resolved_at")
    if resolved:
        fields["resolved_at"] = resolved
    service = _name(incident.get("service"))
    if service:
        fields["services"] = [service]
    priority = _name(incident.get("priority"))
    if priority:
        fields["severity"] = priority
    return ImportResult(
        source=f"pagerduty:{incident_id}",
        events=tuple(sorted(events, key=lambda e: e.at)),
        fields=fields,
        skipped=tuple(skipped),
    )


def _entries_and_incident(data: object, where: str) -> tuple[dict[str, Any], list[Any]]:
    """Find the incident and log entries in any of the shapes people save."""
    pages: list[Any] = data if isinstance(data, list) else [data]
    incident: dict[str, Any] | None = None
    entries: list[Any] = []
    found_entries = False
    for n, page in enumerate(pages):
        field = f"[{n}]" if isinstance(data, list) else "(top level)"
        page = as_dict(page, where, field)
        if "incident" in page:
            incident = as_dict(page["incident"], where, "incident")
        elif isinstance(page.get("incidents"), list) and len(page["incidents"]) == 1:
            incident = as_dict(page["incidents"][0], where, "incidents[0]")
        if "log_entries" in page:
            entries.extend(as_list(page["log_entries"], where, "log_entries"))
            found_entries = True
        elif "log_entry" in page:
            entries.append(page["log_entry"])
            found_entries = True
    if incident is None:
        # A bare log-entries response still names its incident in every entry.
        for entry in entries:
            ref = entry.get("incident") if isinstance(entry, dict) else None
            if isinstance(ref, dict) and ref.get("id"):
                incident = {"id": ref["id"], "title": ref.get("summary")}
                break
    if incident is None:
        raise source_error(
            where,
            'no incident found: expected {"incident": {...}, "log_entries": [...]} '
            "or a log_entries response whose entries reference their incident",
        )
    if not found_entries:
        raise source_error(where, "no log_entries array found")
    return incident, entries


def load_pagerduty_file(path: Path | str) -> ImportResult:
    """Read a saved incident export.

    Accepted shapes: ``{"incident": {...}, "log_entries": [...]}``; the API's own
    responses (``{"log_entries": [...], "more": ...}`` alone, or with ``"incident"``);
    or a JSON array of such pages.
    """
    file = Path(path)
    data = read_json(file)
    incident, entries = _entries_and_incident(data, str(file))
    return parse_pagerduty(incident, entries, where=str(file))


def _get_json(url: str, token: str, timeout: float) -> Any:
    request = urllib.request.Request(
        url,
        headers={
            "Authorization": f"Token token={token}",
            "Accept": "application/vnd.pagerduty+json;version=2",
            "Content-Type": "application/json",
            "User-Agent": "mortem-import",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        detail = ""
        try:
            payload = json.loads(exc.read() or b"{}")
            error = payload.get("error", {}) if isinstance(payload, dict) else {}
            if isinstance(error, dict):
                detail = text_of(error.get("message"))
                extra = error.get("errors")
                if isinstance(extra, list) and extra:
                    detail += " (" + "; ".join(text_of(e) for e in extra) + ")"
        except (ValueError, OSError):
            pass
        hint = {
            401: "the API token was refused; check it",
            403: "the token may not read this incident",
            404: "no such incident (or the token cannot see it)",
            429: "rate limited by PagerDuty; wait and retry",
        }.get(exc.code, "")
        message = f"PagerDuty GET {url}: HTTP {exc.code} {exc.reason}"
        if detail:
            message += f": {detail}"
        if hint:
            message += f" ({hint})"
        if exc.code == 404:
            raise NotFoundError(message) from None
        raise FetchError(message) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise FetchError(f"PagerDuty GET {url}: no answer within {timeout:g} s") from None
        raise FetchError(f"PagerDuty GET {url}: cannot connect: {exc.reason}") from None
    except TimeoutError:
        raise FetchError(f"PagerDuty GET {url}: no answer within {timeout:g} s") from None
    except OSError as exc:
        raise FetchError(f"PagerDuty GET {url}: {exc}") from None
    try:
        return json.loads(body)
    except ValueError:
        raise FetchError(f"PagerDuty GET {url}: the answer is not JSON") from None


def fetch_pagerduty(
    base_url: str,
    token: str,
    incident_id: str,
    timeout: float = 30.0,
    *,
    page_size: int = 100,
    max_pages: int = 1000,
) -> ImportResult:
    """Read an incident and all its log entries from the PagerDuty REST API.

    `base_url` is ``https://api.pagerduty.com`` (or EU's, or a test server). Log
    entries are paged with ``limit``/``offset`` until the API says there are no
    ``more``. The token is sent only in the Authorization header and never appears
    in error messages.
    """
    base = base_url.rstrip("/")
    quoted = urllib.parse.quote(incident_id, safe="")
    incident_url = f"{base}/incidents/{quoted}"
    payload = _get_json(incident_url, token, timeout)
    if not isinstance(payload, dict) or not isinstance(payload.get("incident"), dict):
        raise FetchError(f"PagerDuty GET {incident_url}: the answer has no incident object")
    incident: dict[str, Any] = payload["incident"]

    entries: list[Any] = []
    offset = 0
    for _ in range(max_pages):
        query = urllib.parse.urlencode(
            {"limit": page_size, "offset": offset, "time_zone": "UTC", "is_overview": "false"}
        )
        url = f"{incident_url}/log_entries?{query}"
        page = _get_json(url, token, timeout)
        if not isinstance(page, dict) or not isinstance(page.get("log_entries"), list):
            raise FetchError(f"PagerDuty GET {url}: the answer has no log_entries array")
        batch: list[Any] = page["log_entries"]
        entries.extend(batch)
        if not page.get("more"):
            break
        if not batch:
            raise FetchError(f"PagerDuty GET {url}: says there are more entries but sent none")
        offset += len(batch)
    else:
        raise FetchError(
            f"PagerDuty {incident_url}/log_entries: more than {max_pages} pages; giving up"
        )
    return parse_pagerduty(incident, entries, where=incident_url)
