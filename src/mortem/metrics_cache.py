"""The statistics tables, remembered for the exact inputs that produced them.

Computing every figure over 10,000 postmortems takes about a second (bootstrap
intervals, repeats, per-team rates); asking again with nothing changed should not. A
result is kept in `.mortem/stats-cache.json` under a key made of everything the
figures depend on: each valid file's content hash, the settings, the options (today
included), the git HEAD (engagement counts git authors), the lint rules (blame counts)
and the code of the metrics themselves. Any change gives a new key, so a stale result
is never shown; the file is a cache like the index, safe to delete.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .metrics import Options, compute
from .metrics_tables import Table, build_tables, excluded_digest

if TYPE_CHECKING:
    from .workspace import Workspace

CACHE_NAME = "stats-cache.json"
KEEP = 4  # results of the last few distinct queries
MAX_BYTES = 4_000_000  # larger results (every repeat pair, as JSON) are not kept
CODE = (
    "metrics.py",
    "metrics_cache.py",
    "metrics_facts.py",
    "metrics_numbers.py",
    "metrics_people.py",
    "metrics_periods.py",
    "metrics_repeats.py",
    "metrics_tables.py",
    "model.py",  # which problems still let a file count (`is_time_order`)
    "reviews.py",
)


@dataclass(frozen=True)
class Report:
    today: str
    incidents: int
    tables: list[Table]
    digest: list[tuple[str, str, int]]


def _code_stamp() -> str:
    folder = Path(__file__).parent
    parts = []
    for name in CODE:
        st = os.stat(folder / name)
        parts.append(f"{name}:{st.st_mtime_ns}:{st.st_size}")
    return ";".join(parts)


def _lint_stamp(options: Options) -> str:
    if "culture" not in options.sections:
        return "-"
    try:
        from .lint.rules import ruleset_version
    except ImportError:
        return "no lint"
    return ruleset_version()


def cache_key(ws: Workspace, options: Options, human: bool, skip_detail: bool) -> str:
    conn = ws.index.ensure_fresh()
    digest = hashlib.sha256()
    for doc_id, file_hash, ok in conn.execute("SELECT id, hash, ok FROM files ORDER BY id"):
        digest.update(f"{doc_id}\0{file_hash}\0{ok}\n".encode())
    head = ws.git.head() if ws.git.is_repo() else None
    for part in (
        ws.settings.model_dump_json(),
        repr(options),
        f"{human}:{skip_detail}",
        head or "-",
        _lint_stamp(options),
        _code_stamp(),
    ):
        digest.update(part.encode("utf-8") + b"\n")
    return digest.hexdigest()


def _read(path: Path) -> dict[str, Any]:
    try:
        saved = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return saved if isinstance(saved, dict) else {}


def _to_json(report: Report) -> dict[str, Any]:
    return {
        "today": report.today,
        "incidents": report.incidents,
        "tables": [dataclasses.asdict(t) for t in report.tables],
        "digest": [list(d) for d in report.digest],
    }


def _from_json(data: dict[str, Any]) -> Report:
    return Report(
        data["today"],
        data["incidents"],
        [Table(**t) for t in data["tables"]],
        [(f, r, n) for f, r, n in data["digest"]],
    )


def stats_report(ws: Workspace, options: Options, human: bool, skip_detail: bool) -> Report:
    """The tables of `mortem stats`, from the cache when nothing they depend on moved."""
    path = ws.index.path.with_name(CACHE_NAME)
    key = cache_key(ws, options, human, skip_detail)
    saved = _read(path)
    entry = saved.get(key)
    if isinstance(entry, dict):
        with contextlib.suppress(KeyError, TypeError, ValueError):
            return _from_json(entry["report"])
    stats = compute(ws, options)
    report = Report(
        options.today.isoformat(),
        stats.incidents,
        build_tables(stats, human=human, skip_detail=skip_detail),
        excluded_digest(stats),
    )
    encoded = _to_json(report)
    size = len(json.dumps(encoded, default=str))
    if size <= MAX_BYTES:
        kept = sorted(
            ((k, v) for k, v in saved.items() if isinstance(v, dict) and "used" in v),
            key=lambda kv: kv[1]["used"],
        )[-(KEEP - 1) :]
        counter = max((v["used"] for _, v in kept), default=0) + 1
        fresh = {k: v for k, v in kept} | {key: {"used": counter, "report": encoded}}
        _write(path, fresh)
    return report


def _write(path: Path, data: dict[str, Any]) -> None:
    from .fsutil import atomic_write

    # A cache that cannot be written only makes the next run slower.
    with contextlib.suppress(OSError):
        atomic_write(path, json.dumps(data, default=str).encode("utf-8"))
