"""Helpers shared by the importers: located errors, instants, time zones, JSON files."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mortem.errors import MortemError, NotFoundError, ParseError, Problem, UsageError


class FetchError(MortemError):
    """An outside service could not be reached or refused the request."""

    # The fault is upstream of mortem, so the web page should say "bad gateway".
    http_status = 502


def source_error(
    path: str, message: str, *, line: int | None = None, field: str | None = None
) -> ParseError:
    """A ParseError about one place in an imported file or payload."""
    return ParseError([Problem(path=path, line=line, field=field, message=message)])


def parse_instant(value: object, path: str, field: str) -> datetime:
    """An ISO 8601 timestamp with a zone, as an aware datetime in UTC.

    Outside systems always state their zone; a timestamp without one means the payload
    is not what we think it is, so it is refused rather than guessed.
    """
    if not isinstance(value, str) or not value.strip():
        raise source_error(path, f"expected an ISO 8601 timestamp, got {value!r}", field=field)
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise source_error(path, f"not an ISO 8601 timestamp: {text!r}", field=field) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise source_error(path, f"timestamp {text!r} has no timezone", field=field)
    return moment.astimezone(UTC)


# Abbreviations people write next to times. They are read as the region's civil time
# (so "PST" in July means Pacific daylight time): postmortem authors write the name they
# know, not the one that is technically correct for the season.
ZONE_ABBREVIATIONS: dict[str, str] = {
    "UTC": "UTC",
    "GMT": "UTC",
    "Z": "UTC",
    "ZULU": "UTC",
    "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin",
    "MET": "Europe/Berlin",
    "EET": "Europe/Helsinki",
    "EEST": "Europe/Helsinki",
    "WET": "Europe/Lisbon",
    "WEST": "Europe/Lisbon",
    "BST": "Europe/London",
    "IST": "Asia/Kolkata",
    "MSK": "Europe/Moscow",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "PT": "America/Los_Angeles",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "MT": "America/Denver",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "CT": "America/Chicago",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "ET": "America/New_York",
    "AKST": "America/Anchorage",
    "HST": "Pacific/Honolulu",
    "JST": "Asia/Tokyo",
    "KST": "Asia/Seoul",
    "SGT": "Asia/Singapore",
    "HKT": "Asia/Hong_Kong",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
    "AWST": "Australia/Perth",
    "NZST": "Pacific/Auckland",
    "NZDT": "Pacific/Auckland",
    "BRT": "America/Sao_Paulo",
}

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def zone_from_name(name: str) -> tzinfo | None:
    """A tzinfo for an IANA name, a common abbreviation or an offset; None if unknown."""
    text = name.strip()
    if not text:
        return None
    upper = text.upper()
    if upper in ZONE_ABBREVIATIONS:
        return ZoneInfo(ZONE_ABBREVIATIONS[upper])
    match = _OFFSET.match(text)
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta > timedelta(hours=14):
            return None
        return timezone(-delta if sign == "-" else delta)
    if "/" in text or text.isalpha():
        try:
            return ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError):
            return None
    return None


def require_zone(name: str, what: str = "timezone") -> tzinfo:
    """`zone_from_name`, but a name the user typed that means nothing is a usage error."""
    zone = zone_from_name(name)
    if zone is None:
        raise UsageError(
            f"unknown {what} {name!r}: use an IANA name such as Europe/Copenhagen, "
            "an offset such as +02:00, or UTC"
        )
    return zone


def read_json(path: Path, label: str | None = None) -> Any:
    """Parse a JSON file; a syntax error is reported with its line and column."""
    shown = label or str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NotFoundError(f"{shown}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise source_error(shown, f"cannot read: {exc}") from None
    return parse_json_text(text, shown)


def parse_json_text(text: str, shown: str) -> Any:
    """Parse JSON text; a syntax error names the line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise source_error(
            shown, f"invalid JSON at column {exc.colno}: {exc.msg}", line=exc.lineno
        ) from None


def as_dict(value: object, path: str, field: str) -> dict[str, Any]:
    """`value` if it is a JSON object, else a located error."""
    if not isinstance(value, dict):
        raise source_error(path, f"expected an object, got {type(value).__name__}", field=field)
    return value


def as_list(value: object, path: str, field: str) -> list[Any]:
    """`value` if it is a JSON array, else a located error."""
    if not isinstance(value, list):
        raise source_error(path, f"expected an array, got {type(value).__name__}", field=field)
    return value


def text_of(value: object) -> str:
    """A JSON value as one line of text ('' for null), whitespace collapsed."""
    if value is None:
        return ""
    return " ".join(str(value).split())


def obj(value: object) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one (for optional sub-objects)."""
    return value if isinstance(value, dict) else {}
