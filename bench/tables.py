"""The Markdown tables of docs/performance.md from the figures of one bench run.

    python -m bench.run --json /tmp/bench.json
    python -m bench.tables /tmp/bench.json

prints one `## name` section per bench module, in the order of the run, so that the
tables in the docs are the figures of that run and nothing typed by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def measured(row: dict[str, Any]) -> str:
    value, unit = float(row["value"]), str(row["unit"])
    if unit.endswith("/s"):
        return f"{value:.0f} {unit}"
    if unit.startswith("of "):
        return f"{value:.0f} {unit}"
    return f"{value:.3f} {unit}"


def tables(rows: list[dict[str, Any]]) -> str:
    out: list[str] = []
    section = None
    for row in rows:
        name = str(row["bench"]).removeprefix("bench_")
        if name != section:
            section = name
            out += ["", f"## {name}", "", "| figure | measured | baseline or target |"]
            out.append("| --- | --- | --- |")
        out.append(f"| {str(row['figure']).strip()} | {measured(row)} | {row['baseline']} |")
    return "\n".join(out).lstrip("\n") + "\n"


def main() -> None:
    rows = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    sys.stdout.write(tables(rows))


if __name__ == "__main__":
    main()
