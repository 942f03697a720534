"""Reading the dates and times people write in postmortems.

Timelines are written by hand, so the same moment appears as ``2021-06-22 08:21``,
``Jan 14, 10:18 AM``, ``**16:58 UTC**``, ``Friday 29 November 2019`` or
``2019-12-03 --:--``. `read_when` reads one such expression at the start of a string
and says exactly what it knew (date? time? zone? approximate? a range?), so the caller
can decide with the surrounding context (a date above the table, a stated zone) what
instant it is, or that it cannot be placed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, tzinfo

from ._common import ZONE_ABBREVIATIONS, zone_from_name

MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
)

_WEEKDAY = re.compile(r"(?:" + "|".join(WEEKDAYS) + r")\.?,?\s+", re.IGNORECASE)
_APPROX_BEFORE = re.compile(
    r"(?:~|≈|approx(?:\.|imately)?|ca\.|circa|around|about|roughly)\s*", re.IGNORECASE
)
_APPROX_AFTER = re.compile(
    r"\s*(?:~|\?(?!\?)|\(\s*approx(?:\.|imately)?\s*\)|\(\s*ish\s*\)|-?ish\b)", re.IGNORECASE
)
_ISO_DATE = re.compile(r"(?P<y>\d{4})([-/.])(?P<m>\d{1,2})\2(?P<d>\d{1,2})(?![\d])")
_NUM_DATE = re.compile(r"(?P<a>\d{1,2})([./])(?P<b>\d{1,2})\2(?P<y>\d{4})(?![\d])")
_MONTH_FIRST = re.compile(
    r"(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?![\d:])"
    r"(?:,?\s+(?P<y>\d{4})(?![\d:]))?",
)
_DAY_FIRST = re.compile(
    r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?(?P<mon>[A-Za-z]{3,9})\.?"
    r"(?:,?\s+(?P<y>\d{4})(?![\d:]))?(?![A-Za-z])",
)
_DATE_TIME_SEP = re.compile(r"(?:\s*[T,@]\s*|\s+(?:at\s+)?|\s*[-–]\s*(?=\d{1,2}:\d{2}))")
_TIME = re.compile(
    r"(?P<h>\d{1,2})(?:[:h](?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?)?"
    r"(?:\s*(?P<ampm>[ap]\.?\s?m\.?)(?![A-Za-z]))?",
    re.IGNORECASE,
)
_TIME_PLACEHOLDER = re.compile(r"(?:--|\?\?|xx|XX|hh|HH):(?:--|\?\?|xx|XX|mm|MM)")
_ZONE = re.compile(
    r"\s*\(?(?P<zone>Z(?![A-Za-z0-9])|[+-]\d{2}:?\d{2}(?!\d)"
    r"|(?:UTC|GMT)\s*[+-]\s*\d{1,2}(?::?\d{2})?(?!\d)|[A-Z]{2,5}(?![A-Za-z]))\)?"
)
_RANGE = re.compile(r"\s*(?:-|–|—|to|until|till)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class When:
    """What one written date/time expression said, before context fills the gaps."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    hour: int | None = None
    minute: int | None = None
    second: int = 0
    zone: tzinfo | None = None
    zone_text: str = ""
    approximate: bool = False
    time_unknown: bool = False  # a placeholder such as "--:--": the day is known, the time not
    range_end: tuple[int, int] | None = None
    end: int = 0  # where the expression stops in the text it was read from

    @property
    def has_date(self) -> bool:
        return self.month is not None and self.day is not None

    @property
    def has_time(self) -> bool:
        return self.hour is not None

    def day_of(self, year: int | None) -> date | None:
        """The calendar day, with `year` filling a missing year; None if invalid."""
        y = self.year if self.year is not None else year
        if y is None or self.month is None or self.day is None:
            return None
        try:
            return date(y, self.month, self.day)
        except ValueError:
            return None


def zone_token(token: str) -> tzinfo | None:
    """A zone named in prose: an abbreviation, an IANA name with a slash, or UTC+n.

    Stricter than `zone_from_name`: in running text, words like "Poland" or "Japan"
    are places, not the zone the times are in.
    """
    text = token.strip().strip("()")
    if text.upper() in ZONE_ABBREVIATIONS and (text.isupper() or text == "Z"):
        return zone_from_name(text)
    if "/" in text or re.match(r"^(?:UTC|GMT)\s*[+-]", text, re.IGNORECASE):
        return zone_from_name(text)
    return None


def _read_zone(text: str, pos: int) -> tuple[tzinfo | None, str, int]:
    match = _ZONE.match(text, pos)
    if not match:
        return None, "", pos
    raw = match.group("zone")
    zone = zone_from_name(raw) if raw[0] in "+-" else zone_token(raw)
    if zone is None:
        return None, "", pos
    return zone, raw, match.end()


def _read_time(text: str, pos: int) -> tuple[int, int, int, int] | None:
    """(hour, minute, second, end) of a clock time at pos, or None."""
    match = _TIME.match(text, pos)
    if not match:
        return None
    hour = int(match.group("h"))
    minute = int(match.group("mi")) if match.group("mi") else None
    ampm = (match.group("ampm") or "").lower().replace(".", "").replace(" ", "")
    if minute is None and not ampm:
        return None  # a bare number is not a time
    minute = minute or 0
    second = int(match.group("s")) if match.group("s") else 0
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 24 or minute > 59 or second > 59 or (hour == 24 and minute):
        return None
    if hour == 24:
        hour = 0  # 24:00 is the end of the day; treat it as midnight, rare in timelines
    return hour, minute, second, match.end()


def _read_date(text: str, pos: int) -> tuple[int | None, int, int, int] | None:
    """(year, month, day, end) of a calendar date at pos, or None."""
    match = _ISO_DATE.match(text, pos)
    if match:
        return int(match["y"]), int(match["m"]), int(match["d"]), match.end()
    match = _NUM_DATE.match(text, pos)
    if match:
        a, b = int(match["a"]), int(match["b"])
        # Dots are the European day.month.year; slashes are read month/day unless the
        # first number cannot be a month.
        if match.group(2) == "." or a > 12:
            return int(match["y"]), b, a, match.end()
        return int(match["y"]), a, b, match.end()
    for pattern in (_MONTH_FIRST, _DAY_FIRST):
        match = pattern.match(text, pos)
        if match and match["mon"].lower().rstrip(".") in MONTHS:
            month = MONTHS[match["mon"].lower().rstrip(".")]
            year = int(match["y"]) if match["y"] else None
            return year, month, int(match["d"]), match.end()
    return None


def read_when(text: str, pos: int = 0) -> When | None:
    """Read a date and/or time expression starting at `pos` (spaces skipped)."""
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    approximate = False
    match = _APPROX_BEFORE.match(text, pos)
    if match and match.end() < len(text) and text[match.end()].isdigit():
        approximate, pos = True, match.end()
    match = _WEEKDAY.match(text, pos)
    start_after_weekday = match.end() if match else pos

    year = month = day = None
    hour = minute = None
    second = 0
    time_unknown = False
    cur = start_after_weekday
    found_date = _read_date(text, cur)
    if found_date:
        year, month, day, cur = found_date
        sep = _DATE_TIME_SEP.match(text, cur)
        after = sep.end() if sep else cur
        placeholder = _TIME_PLACEHOLDER.match(text, after)
        clock = _read_time(text, after) if not placeholder else None
        if placeholder:
            time_unknown, cur = True, placeholder.end()
        elif clock and (sep or after == cur):
            hour, minute, second, cur = clock
    else:
        if start_after_weekday != pos:
            return None  # a weekday alone ("Monday") is not enough to place anything
        clock = _read_time(text, cur)
        if clock is None:
            return None
        hour, minute, second, cur = clock
    zone, zone_text, cur = _read_zone(text, cur)
    range_end: tuple[int, int] | None = None
    if hour is not None:
        rng = _RANGE.match(text, cur)
        if rng:
            other = _read_time(text, rng.end())
            if other:
                range_end = (other[0], other[1])
                cur = other[3]
                if zone is None:
                    zone, zone_text, cur = _read_zone(text, cur)
    trailing = _APPROX_AFTER.match(text, cur)
    if trailing:
        approximate, cur = True, trailing.end()
    return When(
        year=year,
        month=month,
        day=day,
        hour=hour,
        minute=minute,
        second=second,
        zone=zone,
        zone_text=zone_text,
        approximate=approximate,
        time_unknown=time_unknown,
        range_end=range_end,
        end=cur,
    )


_ANY_DATE = re.compile(
    r"\b(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:of\s+)?[A-Za-z]{3,9}\.?,?\s+\d{4}"
    r"|[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})\b"
)
_YEAR = re.compile(r"\b(19[89]\d|20\d\d)\b")


def find_full_date(text: str) -> date | None:
    """The first complete calendar date (with a year) anywhere in `text`."""
    for match in _ANY_DATE.finditer(text):
        found = _read_date(text, match.start())
        if found and found[0] is not None:
            try:
                return date(found[0], found[1], found[2])
            except ValueError:
                continue
    return None


def find_partial_date(text: str) -> tuple[int, int] | None:
    """The first (month, day) written with a month name, e.g. 'January 14-19'."""
    for match in re.finditer(r"[A-Za-z]{3,9}\.?\s+\d{1,2}|\d{1,2}\.?\s+[A-Za-z]{3,9}", text):
        found = _read_date(text, match.start())
        if found:
            return found[1], found[2]
    return None


def find_year(text: str) -> int | None:
    """The first plausible year (1980-2099) in `text`."""
    match = _YEAR.search(text)
    return int(match.group(1)) if match else None
