"""`make bench`: every figure the issues ask for, measured in one run, with its baseline.

Each `bench/bench_*.py` module exposes `run(corpus: Path) -> list[Figure]`, where a
figure is (name, measured value, unit, baseline or target). The corpus is a git
repository of generated postmortems, made once per size and seed and reused, and
copied before a benchmark that writes to it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

from bench.corpus import generate

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".corpus"


def corpus(count: int, seed: int = 1) -> Path:
    target = CACHE / f"n{count}-s{seed}"
    if not (target / ".complete").exists():
        if target.exists():
            import shutil

            shutil.rmtree(target)
        started = time.perf_counter()
        generate(target, count, seed)
        (target / ".complete").write_text("ok")
        print(
            f"# generated {count} postmortems in {time.perf_counter() - started:.1f} s", flush=True
        )
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--only", help="run only bench modules whose name contains this")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    repo = corpus(args.count)
    rows = []
    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    for name in names:
        if args.only and args.only not in name:
            continue
        module = importlib.import_module(f"bench.{name}")
        print(f"## {name}", flush=True)
        for figure, value, unit, baseline in module.run(repo):
            rows.append(
                {
                    "bench": name,
                    "figure": figure,
                    "value": value,
                    "unit": unit,
                    "baseline": baseline,
                }
            )
            print(f"{figure:<58} {value:>10.3f} {unit:<6} {baseline}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    sys.exit(main())
