"""Days and periods as the follow-through commands take them: parsing and bucketing.

A period is a half-open range of days [start, end). Users name them the way they talk
about them (`2025`, `2025-H1`, `2025-Q3`, `2025-03`) or as an explicit inclusive range
(`2025-01-15..2025-04-14`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from .errors import UsageError

Unit = Literal["month", "quarter"]


def parse_day(value: str, name: str) -> dt.date:
    """An ISO date from the command line, or a clear error naming the option."""
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{name}: {value!r} is not a date (use YYYY-MM-DD)") from None


def today_or(value: str | None) -> dt.date:
    """`--today` if given (reproducible reports and tests), else the local date."""
    return parse_day(value, "--today") if value else dt.date.today()


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date  # exclusive

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day < self.end


def _month_start(year: int, month: int) -> dt.date:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1)


_NAMED = re.compile(r"^(\d{4})(?:-(?:(H[12])|(Q[1-4])|(\d{2})))?$", re.IGNORECASE)


# The last year a period may touch: bucketing a period steps to the first day after it,
# which for 9999 is past what `datetime.date` can hold.
LAST_YEAR = 9998


def parse_period(text: str) -> Period:
    text = text.strip()
    if len(text) > 40:  # the longest period is a range of two dates
        raise UsageError(f"period {text[:40]!r}... is too long to be a period")
    try:
        period = _parse_period(text)
    except (ValueError, OverflowError):
        # Year 0, or a day past 9999-12-31: where the calendar of `datetime` ends.
        period = None
    if period is None or period.end > dt.date(LAST_YEAR + 1, 1, 1):
        raise UsageError(
            f"period {text!r} is outside the years 1 to {LAST_YEAR}: "
            "use e.g. 2025, 2025-H1, 2025-Q3, 2025-03 or 2025-01-01..2025-06-30"
        )
    return period


def _parse_period(text: str) -> Period:
    if ".." in text:
        first, _, last = text.partition("..")
        start = parse_day(first, "period start")
        end = parse_day(last, "period end") + dt.timedelta(days=1)
        if end <= start:
            raise UsageError(f"period {text!r} ends before it starts")
        return Period(text, start, end)
    match = _NAMED.match(text)
    if not match:
        raise UsageError(
            f"period {text!r} not understood: use 2025, 2025-H1, 2025-Q3, 2025-03 "
            "or 2025-01-01..2025-06-30"
        )
    year = int(match.group(1))
    half, quarter, month = match.group(2), match.group(3), match.group(4)
    if half:
        first_month, months = (1 if half.upper() == "H1" else 7), 6
    elif quarter:
        first_month, months = 3 * (int(quarter[1]) - 1) + 1, 3
    elif month:
        if not 1 <= int(month) <= 12:
            raise UsageError(f"period {text!r}: no month {month}")
        first_month, months = int(month), 1
    else:
        first_month, months = 1, 12
    start = dt.date(year, first_month, 1)
    return Period(
        text.upper() if (half or quarter) else text, start, _month_start(year, first_month + months)
    )


def parse_compare(text: str) -> tuple[Period, Period]:
    """`A:B`, each a period; e.g. `2025-H1:2025-H2`."""
    if text.count(":") != 1:
        raise UsageError(f"--compare {text!r}: give two periods as A:B, e.g. 2025-H1:2025-H2")
    first, second = text.split(":")
    return parse_period(first), parse_period(second)


def bucket(day: dt.date, unit: Unit) -> str:
    if unit == "month":
        return f"{day.year}-{day.month:02d}"
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def bucket_start(label: str) -> dt.date:
    year, _, part = label.partition("-")
    if part.startswith("Q"):
        return dt.date(int(year), 3 * (int(part[1]) - 1) + 1, 1)
    return dt.date(int(year), int(part), 1)


def bucket_end(label: str) -> dt.date:
    """The first day after the bucket."""
    start = bucket_start(label)
    return _month_start(start.year, start.month + (3 if "Q" in label else 1))


def buckets_between(first: dt.date, last: dt.date, unit: Unit) -> list[str]:
    """Every bucket label from the one holding `first` to the one holding `last`."""
    step = 1 if unit == "month" else 3
    current = bucket_start(bucket(first, unit))
    labels: list[str] = []
    while current <= last:
        labels.append(bucket(current, unit))
        current = _month_start(current.year, current.month + step)
    return labels


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """The last day of every month from `first`'s month to `last`'s, the final one `last`."""
    ends: list[dt.date] = []
    current = _month_start(first.year, first.month)
    while current <= last:
        end = _month_start(current.year, current.month + 1) - dt.timedelta(days=1)
        ends.append(min(end, last))
        current = _month_start(current.year, current.month + 1)
    return ends
