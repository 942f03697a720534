"""Issue 3 figures: `mortem lint` over the corpus, cold, cached and --changed, against
proselint on the same files.

proselint is not a dependency of mortem: it is installed with pip into a throwaway venv
under /tmp the first time, and its figures are left out (and said so) when that fails.
Both linters are timed as a user runs them (a child process, wall clock), and also
in-process on the same 200 files, which leaves out interpreter start-up.
"""

from __future__ import annotations

import re
import resource
import subprocess
import time
from pathlib import Path

from bench.util import MORTEM, copy_repo, timed, tool_in_venv

PROSELINT_VENV = Path("/tmp/mortem-bench-proselint")
SAMPLE = 200

PROSELINT_INPROCESS = """
import sys, time
from pathlib import Path
from proselint.registry import CheckRegistry
from proselint.checks import __register__
from proselint.tools import LintFile
from proselint.config import DEFAULT
CheckRegistry().register_many(__register__)
files = [Path(p) for p in sys.argv[1:]]
started = time.perf_counter()
for path in files:
    LintFile(path).lint(DEFAULT)
print(time.perf_counter() - started)
"""


def _best(args: list[str], cwd: Path, runs: int = 3) -> float:
    """The fastest of a few runs: the figure least disturbed by other work on the machine."""
    return min(timed(args, cwd)[0] for _ in range(runs))


def _proselint() -> Path | None:
    return tool_in_venv(PROSELINT_VENV, "proselint", "proselint")


def _cpu_of(args: list[str], cwd: Path) -> tuple[float, float]:
    """(wall, CPU seconds of the process and its children): CPU does not depend on
    what else the machine is doing, wall does."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, _ = timed(args, cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _mortem_inprocess(repo: Path, files: list[Path], memo: bool = True) -> float:
    """Seconds to lint `files` in this process, one after the other, after a warm-up.

    With `memo` False, action titles are analysed every time: the generated corpus
    reuses titles far more than a real repository does, and the memo would hide it.
    """
    from mortem.lint import rules_language
    from mortem.lint.engine import lint_file
    from mortem.lint.service import lint_config
    from mortem.workspace import Workspace

    config = lint_config(Workspace.open(repo))
    rules_language.REMEMBER_TITLES = memo
    try:
        # A warm-up pass: the phrase patterns are compiled when their words first occur.
        for path in files:
            lint_file(path, path.name, config, path.parent)
        rules_language._VAGUE.clear()
        started = time.perf_counter()
        for path in files:
            lint_file(path, path.name, config, path.parent)
        return time.perf_counter() - started
    finally:
        rules_language.REMEMBER_TITLES = True


REAL = Path(__file__).resolve().parent.parent / "tests" / "lint" / "data" / "postmortems"


def _language_us_per_kb(rounds: int = 10) -> float:
    """Microseconds per KB of real prose for the blame and name analysis, the best of
    a few rounds over every paragraph of the real postmortems kept for the tests."""
    from mortem.lint import language

    paragraphs = []
    for path in sorted(REAL.glob("*/*.md")):
        text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
        paragraphs += [
            p for p in re.split(r"\n\s*\n", text) if p.strip() and not p.lstrip().startswith("#")
        ]
    kb = sum(len(p.encode("utf-8")) for p in paragraphs) / 1024
    best = float("inf")
    for _ in range(rounds):
        language._prepare.cache_clear()  # every paragraph is new text in a real run
        started = time.perf_counter()
        for paragraph in paragraphs:
            language.blame_hits(paragraph)
            language.name_hits(paragraph, frozenset({"priya", "sam"}))
        best = min(best, time.perf_counter() - started)
    return best * 1e6 / kb


def run(corpus: Path) -> list[tuple[str, float, str, str]]:
    repo = copy_repo(corpus, corpus.parent / "lint-work")
    count = len(list((repo / "postmortems").glob("*.md")))
    cold, cold_cpu = min(_cpu_of([*MORTEM, "lint", "--no-cache"], repo) for _ in range(3))
    timed([*MORTEM, "lint"], repo)  # fills the cache
    warm = _best([*MORTEM, "lint"], repo)
    one = sorted((repo / "postmortems").glob("*.md"))[17]
    one.write_text(one.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    changed = _best([*MORTEM, "lint", "--changed"], repo)
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=repo, check=True)

    sample = sorted((repo / "postmortems").glob("*.md"))[:SAMPLE]
    names = [str(p.relative_to(repo)) for p in sample]
    mortem_sample = _best([*MORTEM, "lint", "--no-cache", *names], repo)
    mortem_inproc = _mortem_inprocess(repo, sample)
    mortem_plain = _mortem_inprocess(repo, sample, memo=False)
    from mortem.lint import speedups

    figures = [
        (
            "lint modules running compiled by mypyc (the rest: Python)",
            len(speedups.active()),
            f"of {len(speedups.COMPILED)}",
            "",
        ),
        (f"mortem lint, {count} files, no cache (2 processes)", cold, "s", "< 5 s"),
        ("mortem lint files per second (that run)", count / cold, "files/s", "> 20x proselint"),
        ("CPU seconds of that run (all processes)", cold_cpu, "s", "wall ~ CPU / 2 when idle"),
        (f"mortem lint, {count} files unchanged (cache)", warm, "s", "< 1 s"),
        ("mortem lint --changed, one file changed", changed, "s", "< 0.5 s"),
        (f"mortem lint on {SAMPLE} files (one process, with start-up)", mortem_sample, "s", ""),
        (
            f"mortem in-process files per second ({SAMPLE} files, one process)",
            SAMPLE / mortem_inproc,
            "files/s",
            "",
        ),
        ("  the same without the action-title memo", SAMPLE / mortem_plain, "files/s", ""),
        ("language rules on the real postmortems' prose", _language_us_per_kb(), "us/KB", ""),
    ]
    exe = _proselint()
    if exe is None:
        figures.append(("proselint: could not be installed, not measured", 0.0, "", ""))
        return figures
    proselint = _best([str(exe), "check", *names], repo)
    inproc = subprocess.run(
        [str(PROSELINT_VENV / "bin" / "python"), "-c", PROSELINT_INPROCESS, *names],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    proselint_inproc = float(inproc.stdout.strip())
    figures += [
        (f"proselint check on the same {SAMPLE} files", proselint, "s", "~54 files/s here"),
        ("proselint files per second", SAMPLE / proselint, "files/s", ""),
        ("proselint in-process files per second", SAMPLE / proselint_inproc, "files/s", ""),
        (
            "mortem (corpus run) / proselint files per second",
            (count / cold) / (SAMPLE / proselint),
            "x",
            ">= 20",
        ),
        (
            "mortem / proselint, in-process, same files, one process each",
            (SAMPLE / mortem_inproc) / (SAMPLE / proselint_inproc),
            "x",
            "",
        ),
    ]
    return figures
