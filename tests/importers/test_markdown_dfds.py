"""Measure the Markdown importer on the DFDS platform team's real postmortems.

The files and a ground-truth table (stated time to detection/recovery, first and last
timeline timestamps) are in data/dfds, MIT-licensed by DFDS (see data/dfds/LICENSE).

Agreement rule for durations: the time derived from the extracted timeline (detection
minus start, resolution minus start) agrees with the stated one when they differ by at
most 1 minute or 2% of the stated value, whichever is larger. The stated figures were
written by people who sometimes counted from a different start than the timeline's
first row, so full agreement is not expected; the floors below pin what the importer
reaches today so that a change that makes it worse fails. Two files still differ, for
reasons in the authors' counting rather than the timeline: PM2020-002 counts detection
from the second alert (the first came from an affected service), and PM2021-004 counts
recovery to the last "confirmed working" rather than the first.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from mortem.importers.markdown import import_markdown, parse_duration
from mortem.model import consistency_problems

DFDS = Path(__file__).parent / "data" / "dfds"
TRUTH = list(csv.DictReader((DFDS / "dfds_stats_ground_truth.csv").open(encoding="utf-8")))
FILES = [row["file"] for row in TRUTH]

# What the importer reaches today on these files (see the module docstring).
MIN_TTD_AGREEMENT = 13
MIN_TTR_AGREEMENT = 15


def _stated(text: str) -> float | None:
    return parse_duration(text) if text.strip() else None


def _stamp(event: Any) -> str:
    """A timeline timestamp written the way the ground truth writes it (local time)."""
    at: datetime = event.at
    if (event.model_extra or {}).get("precision") == "day":
        return at.strftime("%Y-%m-%d")
    return at.strftime("%Y-%m-%d %H:%M")


def agrees(derived: float, stated: float) -> bool:
    return abs(derived - stated) <= max(1.0, 0.02 * stated)


def _import(name: str) -> Any:
    return import_markdown((DFDS / name).read_text(encoding="utf-8"), name)


@pytest.mark.parametrize("name", FILES)
def test_first_and_last_timeline_timestamps_match_ground_truth(name: str) -> None:
    row = next(r for r in TRUTH if r["file"] == name)
    timeline = _import(name).fields.get("timeline", [])
    if not row["first_timeline_ts"]:
        assert timeline == [], "the ground truth has no readable timeline rows"
        return
    assert _stamp(timeline[0]) == row["first_timeline_ts"]
    assert _stamp(timeline[-1]) == row["last_timeline_ts"]


@pytest.mark.parametrize("name", FILES)
def test_stated_stats_are_read_as_written(name: str) -> None:
    row = next(r for r in TRUTH if r["file"] == name)
    result = _import(name)
    for column, key in (
        ("stated_time_to_detection", "ttd_minutes"),
        ("stated_time_to_recovery", "ttr_minutes"),
    ):
        if row[column].strip():
            assert key in result.stated
            assert result.stated[key] == _stated(row[column])
        else:
            assert key not in result.stated


@pytest.mark.parametrize("name", FILES)
def test_title_and_times_are_consistent(name: str) -> None:
    row = next(r for r in TRUTH if r["file"] == name)
    result = _import(name)
    assert result.fields["title"] == row["title"]
    pm = result.postmortem()  # the fields validate as front matter
    assert consistency_problems(pm) == []
    assert [e.at for e in pm.timeline] == sorted(e.at for e in pm.timeline)


@pytest.mark.parametrize("name", FILES)
def test_nothing_is_dropped(
    name: str, assert_nothing_dropped: Callable[[str, dict[str, Any], str], None]
) -> None:
    text = (DFDS / name).read_text(encoding="utf-8")
    result = import_markdown(text, name)
    assert_nothing_dropped(text, result.fields, result.body)


def test_duration_agreement_with_stated_stats(show: Callable[[str], None]) -> None:
    rows: list[tuple[str, str, float | None, float | None, str]] = []
    counts = {"ttd": [0, 0], "ttr": [0, 0]}
    rows_equal = 0
    for row in TRUTH:
        result = _import(row["file"])
        if len(result.fields.get("timeline", [])) == int(row["timeline_rows"] or 0):
            rows_equal += 1
        for short, column in (
            ("ttd", "stated_time_to_detection"),
            ("ttr", "stated_time_to_recovery"),
        ):
            stated = _stated(row[column])
            derived = result.derived.get(f"{short}_minutes")
            if stated is None:
                continue
            if derived is None:
                rows.append((row["file"][:10], short, stated, None, "no cue"))
                continue
            counts[short][1] += 1
            ok = agrees(derived, stated)
            counts[short][0] += ok
            rows.append((row["file"][:10], short, stated, derived, "agree" if ok else "DIFFER"))
    show("")
    show("DFDS: derived vs stated durations (tolerance: max(1 min, 2%))")
    for file, short, stated, derived, verdict in rows:
        shown = "-" if derived is None else f"{derived:g}"
        show(f"  {file} {short.upper()} stated {stated:g} derived {shown}: {verdict}")
    stated_ttd = sum(1 for r in TRUTH if _stated(r["stated_time_to_detection"]) is not None)
    stated_ttr = sum(1 for r in TRUTH if _stated(r["stated_time_to_recovery"]) is not None)
    show(
        f"  TTD agree {counts['ttd'][0]}/{counts['ttd'][1]} where both exist"
        f" ({stated_ttd} files state a TTD)"
    )
    show(
        f"  TTR agree {counts['ttr'][0]}/{counts['ttr'][1]} where both exist"
        f" ({stated_ttr} files state a TTR)"
    )
    show(f"  timeline row counts equal to the ground truth: {rows_equal}/{len(TRUTH)}")
    assert counts["ttd"][0] >= MIN_TTD_AGREEMENT
    assert counts["ttr"][0] >= MIN_TTR_AGREEMENT
