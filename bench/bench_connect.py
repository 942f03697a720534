"""Issue 5 figures: index build, search and related on the big corpus; the static site
of 1,000 postmortems against `mkdocs build` of the same 1,000 Markdown files.

mkdocs is not a dependency of mortem: it is installed with pip into a throwaway venv
under /tmp the first time, and its figures are left out (and said so) when that fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from bench.corpus import generate
from bench.util import MORTEM, copy_repo, timed, tool_in_venv

MKDOCS_VENV = Path("/tmp/mortem-bench-mkdocs")
SITE_COUNT = 1_000


def _wall_and_cpu(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, with waited-for children such as
    worker processes). On a shared machine the CPU figure moves less with the load."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(
            f"{' '.join(args)} failed: {proc.stderr.read().decode() if proc.stderr else ''}"
        )
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def _best(args: list[str], cwd: Path, runs: int = 3) -> tuple[float, float]:
    """(wall, CPU) of the fastest of a few runs: the least disturbed by other work."""
    return min(_wall_and_cpu(args, cwd) for _ in range(runs))


def _mkdocs() -> Path | None:
    return tool_in_venv(MKDOCS_VENV, "mkdocs", "mkdocs")


def _site_corpus(corpus: Path) -> Path:
    target = corpus.parent / f"connect-site-{SITE_COUNT}"
    if not (target / ".complete").exists():
        if target.exists():
            shutil.rmtree(target)
        generate(target, SITE_COUNT, 1)
        (target / ".complete").write_text("ok")
    return target


def _mkdocs_project(source: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    docs = dest / "docs"
    docs.mkdir(parents=True)
    for path in (source / "postmortems").glob("*.md"):
        shutil.copyfile(path, docs / path.name)
    (docs / "index.md").write_text("# Postmortems\n", encoding="utf-8")
    (dest / "mkdocs.yml").write_text("site_name: Postmortems\n", encoding="utf-8")
    return dest


def run(corpus: Path) -> list[tuple[str, float, str, str]]:
    figures: list[tuple[str, float, str, str]] = []
    repo = copy_repo(corpus, corpus.parent / "connect-work")
    count = len(list((repo / "postmortems").glob("*.md")))
    cold, _ = timed([*MORTEM, "list", "--format", "json"], repo)
    figures.append((f"index build from scratch ({count} files, mortem list)", cold, "s", "< 10 s"))
    # What every command pays before its own work: Python, the CLI, and the check that
    # the index is fresh (one stat per file). A query that matches nothing shows it.
    floor, floor_cpu = _best([*MORTEM, "search", "zzzqqq"], repo)
    figures.append(("mortem search, no match (startup + freshness check)", floor, "s", "floor"))
    figures.append(("  the same, CPU time", floor_cpu, "s", "info"))
    queries = [
        ("search one word", ["search", "timeout"]),
        ("search phrase + prefix + exclusion", ["search", '"connection pool" exhaust* -redis']),
        (
            "search with filters",
            ["search", "deploy", "--severity", "SEV1", "--since", "2024-01-01"],
        ),
    ]
    for name, args in queries:
        wall, cpu = _best([*MORTEM, *args], repo)
        figures.append((f"mortem {name} (warm)", wall, "s", "< 0.3 s"))
        figures.append(("  the same, CPU time", cpu, "s", "info"))
    target = sorted((repo / "postmortems").glob("*.md"))[count // 2].stem
    wall, cpu = _best([*MORTEM, "related", target], repo)
    figures.append(("mortem related (warm)", wall, "s", "< 0.5 s"))
    figures.append(("  the same, CPU time", cpu, "s", "info"))

    site_repo = copy_repo(_site_corpus(corpus), corpus.parent / "connect-site-work")
    timed([*MORTEM, "list", "--format", "json"], site_repo)  # the index, as any user has it
    out = corpus.parent / "connect-site-out"
    shutil.rmtree(out, ignore_errors=True)
    full, full_cpu = _wall_and_cpu([*MORTEM, "site", str(out)], site_repo)
    mkdocs = _mkdocs()
    if mkdocs is not None:
        project = _mkdocs_project(site_repo, corpus.parent / "connect-mkdocs")
        baseline, baseline_cpu = _wall_and_cpu([str(mkdocs), "build", "-q"], project)
        figures.append((f"mkdocs build of the same {SITE_COUNT} files", baseline, "s", "baseline"))
        figures.append(
            (
                f"mortem site of {SITE_COUNT} (from scratch)",
                full,
                "s",
                f"<= {baseline / 5:.2f} s (5x faster)",
            )
        )
        figures.append(("mkdocs / mortem site", baseline / full, "x", ">= 5"))
        figures.append(("mkdocs build, CPU time", baseline_cpu, "s", "info"))
        figures.append(("mortem site, CPU time (with its workers)", full_cpu, "s", "info"))
    else:
        figures.append(
            (
                f"mortem site of {SITE_COUNT} (from scratch)",
                full,
                "s",
                "mkdocs not installable here",
            )
        )
    unchanged, _ = timed([*MORTEM, "site", str(out)], site_repo)
    figures.append(("mortem site, nothing changed", unchanged, "s", "< 1 s"))
    page = sorted((site_repo / "postmortems").glob("*.md"))[17]
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    narrative, _ = timed([*MORTEM, "site", str(out)], site_repo)
    figures.append(("mortem site after one narrative edit", narrative, "s", "< 1 s"))
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("title: ", "title: Edited ", 1), encoding="utf-8")
    title, _ = timed([*MORTEM, "site", str(out)], site_repo)
    figures.append(("mortem site after one title edit", title, "s", "< 1 s"))
    other = "SEV2" if re.search(r"^severity: SEV1$", text, re.M) else "SEV1"
    page.write_text(
        re.sub(r"^severity: .*$", f"severity: {other}", text, count=1, flags=re.M), encoding="utf-8"
    )
    moved, _ = timed([*MORTEM, "site", str(out)], site_repo)
    figures.append(
        ("mortem site after an edit that moves the charts", moved, "s", "info: charts redrawn")
    )
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=site_repo, check=True)
    return figures
