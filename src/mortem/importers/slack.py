"""One channel of a Slack workspace export (a zip file or its unpacked folder).

An export holds index files at its top (``users.json``, ``channels.json``,
``groups.json``, ``mpims.json``, ``dms.json``) and one folder per conversation with a
JSON array of messages per day (``2025-01-10.json``). Message times are the string
``ts`` ("seconds.microseconds", UTC); a thread's replies carry the parent's
``thread_ts`` and may sit in later day files.

What becomes an event:
- every person's message and thread reply, as kind ``communication``, text
  ``"<display name>: <text>"`` with Slack markup made readable;
- a *key* message gets kind ``action`` and ``key: true``. A message is key when it is
  pinned, carries one of `KEY_REACTIONS`, or has any reaction given by two or more
  people: responders use pins and reactions to mark what mattered, and two people
  agreeing is a signal worth keeping even for an emoji we do not know.

What is skipped (each with its reason): joins, leaves and other channel housekeeping;
bot messages that nobody pinned or reacted to; deleted messages and the edit/delete
records themselves (edits are applied to the message they change); messages outside
the requested time window; empty messages; subtypes we do not know.

Event source keys are ``slack:<channel id>:<ts>`` (the folder name when the export has
no channel index): ids survive channel renames, and ts is unique within a channel.
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from mortem.errors import NotFoundError, UsageError
from mortem.model import EventKind, TimelineEvent

from ._common import obj, parse_json_text, source_error, text_of
from .result import ImportResult, Skipped

__all__ = ["KEY_REACTIONS", "list_channels", "parse_slack_export", "render_slack_text"]

# Reactions incident responders commonly use to flag a turning point.
KEY_REACTIONS = frozenset(
    {
        "rotating_light",
        "white_check_mark",
        "heavy_check_mark",
        "ballot_box_with_check",
        "pushpin",
        "round_pushpin",
        "warning",
        "sos",
        "fire",
        "exclamation",
        "bangbang",
        "red_circle",
        "large_green_circle",
        "star",
    }
)
KEY_REACTION_COUNT = 2

_HOUSEKEEPING = {
    "channel_join": "joined the channel",
    "channel_leave": "left the channel",
    "group_join": "joined the channel",
    "group_leave": "left the channel",
    "channel_topic": "changed the channel topic",
    "channel_purpose": "changed the channel purpose",
    "group_topic": "changed the channel topic",
    "group_purpose": "changed the channel purpose",
    "channel_name": "renamed the channel",
    "group_name": "renamed the channel",
    "channel_archive": "archived the channel",
    "channel_unarchive": "unarchived the channel",
    "group_archive": "archived the channel",
    "group_unarchive": "unarchived the channel",
    "pinned_item": "pinned a message (the pinned message itself is marked key)",
    "unpinned_item": "unpinned a message",
    "bot_add": "added an integration",
    "bot_remove": "removed an integration",
    "reminder_add": "set a reminder",
}
# Subtypes that are ordinary messages as far as a timeline is concerned.
_MESSAGE_SUBTYPES = {None, "", "thread_broadcast", "file_share", "me_message", "bot_message"}

_TS = re.compile(r"^(\d{1,12})(?:\.(\d{1,6}))?$")
_DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
_MARKUP = re.compile(r"<([^<>\n]+)>")


class _Export:
    """Uniform read access to an export, whether zipped or unpacked."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self._zip: zipfile.ZipFile | None = None
        self._names: list[str]
        if source.is_dir():
            self._names = sorted(
                p.relative_to(source).as_posix() for p in source.rglob("*.json") if p.is_file()
            )
            self._prefix = ""
        elif source.is_file():
            try:
                self._zip = zipfile.ZipFile(source)
            except zipfile.BadZipFile:
                raise source_error(str(source), "not a zip file or an export folder") from None
            self._names = sorted(n for n in self._zip.namelist() if n.endswith(".json"))
            self._prefix = self._find_prefix()
        else:
            raise NotFoundError(f"{source}: no such file or folder")

    def _find_prefix(self) -> str:
        # Some tools zip the export's folder rather than its contents.
        candidates = [
            n[: -len(PurePosixPath(n).name)]
            for n in self._names
            if PurePosixPath(n).name in ("channels.json", "users.json", "org_users.json")
        ]
        return min(candidates, key=len) if candidates else ""

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def label(self, name: str) -> str:
        return f"{self.source}:{self._prefix}{name}" if self._zip else str(self.source / name)

    def exists(self, name: str) -> bool:
        return f"{self._prefix}{name}" in self._names

    def read_json(self, name: str) -> Any:
        full = f"{self._prefix}{name}"
        try:
            if self._zip is not None:
                raw = self._zip.read(full)
            else:
                raw = (self.source / full).read_bytes()
            text = raw.decode("utf-8-sig")
        except (OSError, KeyError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
            raise source_error(self.label(name), f"cannot read: {exc}") from None
        return parse_json_text(text, self.label(name))

    def day_files(self, folder: str) -> list[str]:
        start = f"{self._prefix}{folder}/"
        return [
            n[len(self._prefix) :]
            for n in self._names
            if n.startswith(start)
            and "/" not in n[len(start) :]
            and _DAY_FILE.match(n[len(start) :])
        ]

    def folders(self) -> list[str]:
        found = {
            n[len(self._prefix) :].split("/")[0]
            for n in self._names
            if n.startswith(self._prefix) and "/" in n[len(self._prefix) :]
        }
        return sorted(found)


def _display_name(user: dict[str, Any]) -> str:
    profile = obj(user.get("profile"))
    for value in (
        profile.get("display_name"),
        profile.get("real_name"),
        user.get("real_name"),
        user.get("name"),
        user.get("id"),
    ):
        if text_of(value):
            return text_of(value)
    return "unknown"


def render_slack_text(text: str, users: dict[str, str], channels: dict[str, str]) -> str:
    """Slack's message markup as plain readable text.

    ``<@U1>`` -> ``@name``, ``<#C1|chan>`` -> ``#chan``, ``<https://x|label>`` ->
    ``label (https://x)``, ``<!here>`` -> ``@here``; then the three HTML entities
    Slack escapes are restored.
    """

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (users.get(target[1:]) or label.lstrip("@") or target[1:])
        if target.startswith("#"):
            return "#" + (label or channels.get(target[1:]) or target[1:])
        if target.startswith("!"):
            word = target[1:]
            if word in ("here", "channel", "everyone"):
                return "@" + word
            if word.startswith("subteam^"):
                return label if label.startswith("@") else "@" + (label or "group")
            return label or "@" + word.split("^")[0]
        if target.startswith("mailto:"):
            return label or target[len("mailto:") :]
        if label and label != target:
            return f"{label} ({target})"
        return target

    return html.unescape(_MARKUP.sub(replace, text))


def _instant(value: object, where: str, field: str) -> datetime:
    text = value if isinstance(value, str) else str(value) if isinstance(value, int) else None
    match = _TS.match(text) if text else None
    if not match:
        raise source_error(
            where, f"ts must be a string like '1736478630.905399', got {value!r}", field=field
        )
    seconds, fraction = match.groups()
    micro = int((fraction or "0").ljust(6, "0"))
    return datetime.fromtimestamp(int(seconds), UTC) + timedelta(microseconds=micro)


@dataclass
class _Message:
    at: datetime
    ts: str
    data: dict[str, Any]
    where: str


def _index(export: _Export, name: str) -> list[dict[str, Any]]:
    if not export.exists(name):
        return []
    data = export.read_json(name)
    if not isinstance(data, list):
        raise source_error(export.label(name), "expected a JSON array")
    return [d for d in data if isinstance(d, dict)]


def _resolve_channel(export: _Export, channel: str) -> tuple[str, str, str]:
    """(folder, stable key, display name) of the conversation the user asked for."""
    wanted = channel.strip().lstrip("#")
    if not wanted:
        raise UsageError("no channel given")
    for index in ("channels.json", "groups.json", "mpims.json"):
        for entry in _index(export, index):
            if wanted in (entry.get("name"), entry.get("id")) and entry.get("name"):
                return str(entry["name"]), str(entry.get("id") or entry["name"]), str(entry["name"])
    for entry in _index(export, "dms.json"):
        if wanted == entry.get("id"):
            return wanted, wanted, wanted
    if export.day_files(wanted):
        return wanted, wanted, wanted
    available = ", ".join(export.folders()[:20]) or "none"
    raise NotFoundError(
        f"{export.source}: no channel {channel!r} in the export (channels: {available})"
    )


def _is_key(data: dict[str, Any], pinned: set[str]) -> str | None:
    """Why a message is key, or None."""
    if data.get("pinned_to") or data.get("is_pinned") or data.get("ts") in pinned:
        return "pinned"
    for reaction in data.get("reactions") or []:
        if not isinstance(reaction, dict):
            continue
        name = text_of(reaction.get("name")).split("::")[0]
        count = reaction.get("count")
        if not isinstance(count, int):
            count = len(reaction.get("users") or [])
        if name in KEY_REACTIONS:
            return f":{name}:"
        if count >= KEY_REACTION_COUNT:
            return f":{name}: x{count}"
    return None


def _files_text(data: dict[str, Any]) -> str:
    names = []
    for f in data.get("files") or []:
        if isinstance(f, dict):
            name = text_of(f.get("title") or f.get("name"))
            if name:
                names.append(f"[file: {name}]")
    return " ".join(names)


def _attachments_text(data: dict[str, Any]) -> str:
    parts = []
    for a in data.get("attachments") or []:
        if isinstance(a, dict):
            piece = text_of(a.get("fallback") or a.get("text") or a.get("title"))
            if piece:
                parts.append(piece)
    return " ".join(parts)


def parse_slack_export(
    source: Path,
    channel: str,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    include_bots: bool = False,
) -> ImportResult:
    """Events from one channel of an export, optionally limited to [start, end]."""
    for name, value in (("start", start), ("end", end)):
        if value is not None and value.utcoffset() is None:
            raise UsageError(f"{name} {value.isoformat()} has no timezone")
    if start and end and end < start:
        raise UsageError("end is before start")
    export = _Export(Path(source))
    try:
        return _parse(export, channel, start, end, include_bots)
    finally:
        export.close()


def _load_messages(export: _Export, folder: str) -> list[_Message]:
    messages: list[_Message] = []
    for day in export.day_files(folder):
        where = export.label(day)
        data = export.read_json(day)
        if not isinstance(data, list):
            raise source_error(where, "a day file must hold a JSON array of messages")
        for i, raw in enumerate(data):
            if not isinstance(raw, dict):
                raise source_error(where, "expected a message object", field=f"[{i}]")
            ts = raw.get("ts")
            messages.append(
                _Message(_instant(ts, where, f"[{i}].ts"), str(ts), raw, f"{where}[{i}]")
            )
    messages.sort(key=lambda m: m.at)
    return messages


def _parse(
    export: _Export,
    channel: str,
    start: datetime | None,
    end: datetime | None,
    include_bots: bool,
) -> ImportResult:
    folder, key, shown = _resolve_channel(export, channel)
    users: dict[str, str] = {}
    bots: set[str] = set()
    for index in ("users.json", "org_users.json"):
        for user in _index(export, index):
            if user.get("id"):
                users[str(user["id"])] = _display_name(user)
                if user.get("is_bot"):
                    bots.add(str(user["id"]))
    channels = {
        str(c["id"]): str(c["name"])
        for index in ("channels.json", "groups.json", "mpims.json")
        for c in _index(export, index)
        if c.get("id") and c.get("name")
    }

    messages = _load_messages(export, folder)
    edits: dict[str, dict[str, Any]] = {}
    deleted: set[str] = set()
    pinned: set[str] = set()
    present = {m.ts for m in messages}
    for m in messages:
        subtype = m.data.get("subtype")
        if subtype == "message_changed" and isinstance(m.data.get("message"), dict):
            new = m.data["message"]
            edits[str(new.get("ts"))] = new
        elif subtype == "message_deleted" and m.data.get("deleted_ts"):
            deleted.add(str(m.data["deleted_ts"]))
        elif subtype == "pinned_item":
            item = m.data.get("item")
            if isinstance(item, dict) and item.get("ts"):
                pinned.add(str(item["ts"]))
            for a in m.data.get("attachments") or []:
                if isinstance(a, dict) and a.get("ts"):
                    pinned.add(str(a["ts"]))

    events: list[TimelineEvent] = []
    skipped: list[Skipped] = []
    before = after = 0
    seen: set[str] = set()
    for m in messages:
        data = m.data
        subtype = data.get("subtype")
        when = m.at.isoformat()
        label = f"{shown} {m.ts} ({when})"
        if start and m.at < start:
            before += 1
            continue
        if end and m.at > end:
            after += 1
            continue
        if subtype == "message_changed":
            target = text_of(obj(data.get("message")).get("ts"))
            reason = (
                "edit applied to that message"
                if target in present
                else "edit of a message not in the export"
            )
            skipped.append(Skipped(f"{shown} edit of {target} ({when})", reason))
            continue
        if subtype == "message_deleted":
            skipped.append(
                Skipped(f"{shown} deletion of {data.get('deleted_ts')} ({when})", "deletion record")
            )
            continue
        if m.ts in seen:
            continue
        seen.add(m.ts)
        if m.ts in deleted:
            skipped.append(Skipped(label, "deleted later in the channel"))
            continue
        if m.ts in edits:
            data = {
                **data,
                **{
                    k: v
                    for k, v in edits[m.ts].items()
                    if k in ("text", "files", "attachments", "edited")
                },
            }
        user_id = text_of(data.get("user"))
        name = users.get(user_id) or ""
        if not name:
            profile = obj(data.get("user_profile"))
            bot_profile = obj(data.get("bot_profile"))
            name = (
                text_of(profile.get("display_name"))
                or text_of(profile.get("real_name"))
                or text_of(data.get("username"))
                or text_of(bot_profile.get("name"))
                or user_id
                or "unknown"
            )
        if subtype in _HOUSEKEEPING:
            skipped.append(Skipped(label, f"{name} {_HOUSEKEEPING[subtype]}: channel housekeeping"))
            continue
        if subtype == "tombstone" or (data.get("hidden") and subtype not in _MESSAGE_SUBTYPES):
            skipped.append(Skipped(label, "deleted message kept only as the parent of a thread"))
            continue
        if subtype not in _MESSAGE_SUBTYPES:
            skipped.append(Skipped(label, f"unknown message subtype {subtype!r}"))
            continue
        key_reason = _is_key(data, pinned)
        is_bot = subtype == "bot_message" or bool(data.get("bot_id")) or user_id in bots
        if is_bot and not include_bots and key_reason is None:
            skipped.append(
                Skipped(
                    label, f"bot message from {name}: automated noise nobody pinned or reacted to"
                )
            )
            continue
        text = render_slack_text(text_of(data.get("text")), users, channels)
        extra = " ".join(
            p for p in (_attachments_text(data) if not text else "", _files_text(data)) if p
        )
        text = " ".join(p for p in (text, extra) if p)
        if not text:
            skipped.append(Skipped(label, "empty message"))
            continue
        kind: EventKind = "action" if key_reason else "communication"
        details: dict[str, Any] = {}
        if key_reason:
            details["key"] = True
            details["key_reason"] = key_reason
        thread_ts = text_of(data.get("thread_ts"))
        if thread_ts and thread_ts != m.ts:
            details["thread"] = f"slack:{key}:{thread_ts}"
        events.append(
            TimelineEvent(
                at=m.at, event=f"{name}: {text}", kind=kind, source=f"slack:{key}:{m.ts}", **details
            )
        )
    if before:
        skipped.append(
            Skipped(
                f"{before} message(s) before {start.isoformat() if start else ''}",
                "outside the requested time window",
            )
        )
    if after:
        skipped.append(
            Skipped(
                f"{after} message(s) after {end.isoformat() if end else ''}",
                "outside the requested time window",
            )
        )
    return ImportResult(
        source=f"slack:{key}", events=tuple(events), fields={}, skipped=tuple(skipped)
    )


def list_channels(source: Path) -> list[str]:
    """Names of the conversations in an export (for a helpful prompt or error)."""
    export = _Export(Path(source))
    try:
        return export.folders()
    finally:
        export.close()
