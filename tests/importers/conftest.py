"""Shared fixtures for the importer tests."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

DATA = Path(__file__).parent / "data"

# Words that a date or time expression contributes; once the expression has become a
# timestamp they are represented by the timestamp, not by the word.
_TIME_WORDS = {
    *[
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ],
    *["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"],
    *["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    *["mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"],
    *["am", "pm", "utc", "gmt", "cet", "cest", "pst", "pdt", "est", "edt", "st", "nd", "rd", "th"],
    # Status words become an action item's status value ("open" is written "TODO").
    "todo",
}
_WORD = re.compile(r"[^\W\d_][\w'’]*")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_ATX = re.compile(r"^ {0,3}#{1,6}(\s|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


@pytest.fixture
def data_dir() -> Path:
    return DATA


def _flatten(value: Any) -> str:
    if isinstance(value, BaseModel):
        return _flatten(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return " ".join(f"{k} {_flatten(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return " ".join(_flatten(v) for v in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return "" if value is None else str(value)


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, text) of the lines that carry prose: not headings or table rules."""
    lines = text.splitlines()
    skip: set[int] = set()
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if _ATX.match(line) or _FENCE.match(line) or (_SEPARATOR.match(line) and "|" in line):
            skip.add(i)
        if "|" in line and _SEPARATOR.match(nxt) and "|" in nxt:
            skip.add(i)  # a table's header row names columns, it says nothing itself
        starts_block = i == 0 or not lines[i - 1].strip() or bool(_ATX.match(lines[i - 1]))
        is_item = re.match(r"^\s*([-*+]|\d{1,3}[.)])(\s|$)", line)
        if line.strip() and _SETEXT.match(nxt) and starts_block and "|" not in line and not is_item:
            skip.update((i, i + 1))
    return [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip() and i not in skip]


def words_missing(text: str, fields: dict[str, Any], body: str) -> list[tuple[int, list[str]]]:
    """For each prose line of `text`, its words found neither in the fields nor the body."""
    haystack = html.unescape(f"{body}\n{_flatten(fields)}").lower()
    known = set(_WORD.findall(haystack))
    missing = []
    for number, line in prose_lines(text):
        words = {w.lower() for w in _WORD.findall(html.unescape(line)) if len(w) > 1}
        lost = sorted(w for w in words - known if w not in _TIME_WORDS)
        if lost:
            missing.append((number, lost))
    return missing


@pytest.fixture
def assert_nothing_dropped() -> Callable[[str, dict[str, Any], str], None]:
    def check(text: str, fields: dict[str, Any], body: str) -> None:
        missing = words_missing(text, fields, body)
        assert not missing, "words lost from the input:\n" + "\n".join(
            f"  line {n}: {', '.join(ws)}" for n, ws in missing
        )

    return check


@pytest.fixture
def show(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Print a line to the terminal even while pytest captures output."""
    capture = request.config.pluginmanager.getplugin("capturemanager")

    def write(line: str) -> None:
        if capture is not None:
            with capture.global_and_fixture_disabled():
                print(line, flush=True)
        else:  # pragma: no cover - only when capturing is switched off entirely
            print(line)

    return write
