"""Measure the Markdown importer's derived times on invented postmortems with known times.

The files and their truth table are in data/synthetic (see its README for how and when
each was written). The agreement rule is the DFDS test's: a derived duration agrees
when it is within 1 minute or 2% of the true one, whichever is larger. The floors pin
what the importer reaches today.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from mortem.importers.markdown import import_markdown
from mortem.model import consistency_problems

SYNTHETIC = Path(__file__).parent / "data" / "synthetic"
TRUTH = list(csv.DictReader((SYNTHETIC / "truth.csv").open(encoding="utf-8")))

MIN_START_AGREEMENT = 24
MIN_TTD_AGREEMENT = 24
MIN_TTR_AGREEMENT = 23


def agrees(derived: float | None, true: float) -> bool:
    return derived is not None and abs(derived - true) <= max(1.0, 0.02 * true)


def _import(name: str) -> Any:
    return import_markdown((SYNTHETIC / name).read_text(encoding="utf-8"), name)


def test_the_truth_table_is_consistent_with_itself() -> None:
    assert len(TRUTH) >= 6
    for row in TRUTH:
        assert (SYNTHETIC / row["file"]).is_file()
        start, detected, recovered = (
            datetime.fromisoformat(row[c]) for c in ("started", "detected", "recovered")
        )
        assert (detected - start).total_seconds() / 60 == float(row["ttd_minutes"])
        assert (recovered - start).total_seconds() / 60 == float(row["ttr_minutes"])


@pytest.mark.parametrize("name", [row["file"] for row in TRUTH])
def test_synthetic_files_import_consistently(
    name: str, assert_nothing_dropped: Callable[[str, dict[str, Any], str], None]
) -> None:
    text = (SYNTHETIC / name).read_text(encoding="utf-8")
    result = import_markdown(text, name)
    assert consistency_problems(result.postmortem()) == []
    assert_nothing_dropped(text, result.fields, result.body)


def test_derived_times_agree_with_the_known_ones(show: Callable[[str], None]) -> None:
    counts = {"start": 0, "ttd": 0, "ttr": 0}
    by_batch: dict[str, list[int]] = {}
    show("")
    show("synthetic: derived vs known (tolerance: max(1 min, 2%))")
    for row in TRUTH:
        result = _import(row["file"])
        started = result.fields["started_at"].strftime("%Y-%m-%d %H:%M")
        ok = {
            "start": started == row["started"],
            "ttd": agrees(result.derived["ttd_minutes"], float(row["ttd_minutes"])),
            "ttr": agrees(result.derived["ttr_minutes"], float(row["ttr_minutes"])),
        }
        for key, good in ok.items():
            counts[key] += good
        batch = by_batch.setdefault(row["batch"], [0, 0, 0, 0])
        batch[0] += 1
        batch[1] += ok["start"]
        batch[2] += ok["ttd"]
        batch[3] += ok["ttr"]
        show(
            f"  {row['file'][:3]} ({row['style']}) start {started}"
            f"{'' if ok['start'] else ' (want ' + row['started'] + ')'}"
            f" TTD {result.derived['ttd_minutes']} (want {row['ttd_minutes']})"
            f" TTR {result.derived['ttr_minutes']} (want {row['ttr_minutes']})"
            f"{'' if all(ok.values()) else ': DIFFER'}"
        )
    for batch, (n, start, ttd, ttr) in sorted(by_batch.items()):
        show(f"  batch {batch}: start {start}/{n}, TTD {ttd}/{n}, TTR {ttr}/{n}")
    n = len(TRUTH)
    show(f"  all: start {counts['start']}/{n}, TTD {counts['ttd']}/{n}, TTR {counts['ttr']}/{n}")
    assert counts["start"] >= MIN_START_AGREEMENT
    assert counts["ttd"] >= MIN_TTD_AGREEMENT
    assert counts["ttr"] >= MIN_TTR_AGREEMENT
