"""Manual benchmark of the language rules over the real postmortems in tests/lint/data.

Run: PYTHONPATH=src .venv/bin/python tests/lint/bench_language.py
It prints microseconds per KB of prose for blame_hits (and name_hits). The linter's
budget is 10,000 postmortems of 3-6 KB in under 5 s on 2 cores, which leaves well under
300 us per KB for everything; these rules should use a small part of that.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from mortem.lint import language

DATA = Path(__file__).resolve().parent / "data" / "postmortems"


def paragraphs() -> list[str]:
    """Every prose paragraph of the sample postmortems (code blocks and headings out)."""
    out: list[str] = []
    for path in sorted(DATA.glob("*/*.md")):
        text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
        for para in re.split(r"\n\s*\n", text):
            if para.strip() and not para.lstrip().startswith("#"):
                out.append(para)
    return out


def bench(rounds: int = 20) -> dict[str, float]:
    paras = paragraphs()
    kb = sum(len(p.encode("utf-8")) for p in paras) / 1024
    results: dict[str, float] = {"kb": kb, "paragraphs": float(len(paras))}
    for name, fn in (
        ("blame_hits", lambda p: language.blame_hits(p)),
        ("name_hits", lambda p: language.name_hits(p, frozenset({"priya", "sam"}))),
        ("blame+name", lambda p: (language.blame_hits(p), language.name_hits(p, frozenset()))),
    ):
        best = float("inf")
        for _ in range(rounds):
            language._prepare.cache_clear()  # every paragraph is new text in a real run
            start = time.perf_counter()
            for para in paras:
                fn(para)
            best = min(best, time.perf_counter() - start)
        results[name + "_us_per_kb"] = best * 1e6 / kb
    return results


if __name__ == "__main__":
    for key, value in bench().items():
        print(f"{key:>24}: {value:,.1f}")
