"""Issue 4 figures: `mortem stats`, `mortem actions --overdue` and the charts on the big
corpus, timed as real commands in child processes.

"Warm" means a previous command has built the index, the lint cache (for the blame
figures) and the facts cache, as after any earlier use of the repository. `mortem
stats` also remembers its tables for unchanged inputs, so the figure after one file
changed is given too: that is the cost of recomputing every figure.
"""

from __future__ import annotations

from pathlib import Path

from bench.util import MORTEM, copy_repo, timed

TODAY = "2026-11-26"  # the corpus's own "today", so that every run counts the same


def _best(args: list[str], cwd: Path, runs: int = 3) -> float:
    """The fastest of a few runs: the figure least disturbed by other work on the machine."""
    return min(timed(args, cwd)[0] for _ in range(runs))


def _touch_one(repo: Path, n: int) -> None:
    """Change one postmortem's bytes (a line added to its body), as an edit would."""
    path = sorted((repo / "postmortems").glob("*.md"))[n]
    path.write_text(path.read_text(encoding="utf-8") + f"\nEdit {n}.\n", encoding="utf-8")


def run(corpus: Path) -> list[tuple[str, float, str, str]]:
    repo = copy_repo(corpus, corpus.parent / "follow-through-work")
    stats = [*MORTEM, "stats", "--today", TODAY]
    first, _ = timed(stats, repo)  # builds the index, lint cache and facts cache
    warm = _best(stats, repo)
    recomputed = []
    for n in range(3):
        _touch_one(repo, 100 + n)
        recomputed.append(timed(stats, repo)[0])
    json_warm = _best([*stats, "--format", "json", "--section", "durations"], repo)
    overdue = [*MORTEM, "actions", "--overdue", "--today", TODAY]
    timed(overdue, repo)
    overdue_warm = _best(overdue, repo)
    summary = _best([*MORTEM, "actions", "summary", "--today", TODAY], repo)
    due = _best([*MORTEM, "review", "due", "--today", TODAY], repo)
    charts = _best([*stats, "--charts", str(repo.parent / "follow-through-charts")], repo, 2)
    report = _best(
        [*MORTEM, "report", "--today", TODAY, "-o", str(repo.parent / "ft.html")], repo, 2
    )
    return [
        ("first mortem stats (builds index and lint cache)", first, "s", "(one-off)"),
        ("warm mortem stats", warm, "s", "< 1 s"),
        ("mortem stats after one file changed (all figures)", min(recomputed), "s", "(info)"),
        ("warm mortem stats --format json --section durations", json_warm, "s", "(info)"),
        ("warm mortem actions --overdue", overdue_warm, "s", "< 0.5 s"),
        ("warm mortem actions summary", summary, "s", "(info)"),
        ("warm mortem review due", due, "s", "(info)"),
        ("mortem stats --charts (4 charts, SVG + PNG)", charts, "s", "< 5 s"),
        ("mortem report (one HTML page, charts inlined)", report, "s", "(info)"),
    ]
