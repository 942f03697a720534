"""The lint modules that `make install` compiles with mypyc, and whether the compiled
copies match their sources.

The linter's own Python (the front-matter reader, the Markdown scanner, the clause
analysis) is most of its time. mypyc turns these typed modules into C extensions that
run the same code about a quarter faster; where no C compiler is found they stay
Python and give the same results. An extension module sits next to its source and
Python prefers it, so an edited source with an older extension beside it would run
the old code: `stale` finds that case, and `mortem lint` and the tests refuse to pass
over it silently.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
# The modules whose code runs for every file; engine (its jobs are pickled) and the
# findings (sent between processes) stay Python.
COMPILED = (
    "context",
    "frontmap",
    "frontparse",
    "language",
    "markdown",
    "rules_actions",
    "rules_format",
    "rules_language",
    "rules_sections",
    "rules_timeline",
    "rules_whys",
    "suppress",
)


def extensions(name: str, folder: Path = FOLDER) -> list[Path]:
    """The compiled copies of one module found next to its source."""
    return [folder / entry for entry in _entries(folder) if _module_of(entry) == name]


def _entries(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def _module_of(entry: str) -> str | None:
    """`markdown` for `markdown.cpython-311-x86_64-linux-gnu.so`; None for a source."""
    if entry.endswith((".so", ".pyd")) and "." in entry[:-4]:
        return entry.split(".", 1)[0]
    return None


def stale(folder: Path = FOLDER) -> list[str]:
    """Modules whose compiled copy is older than their source (one listing of the
    folder: `mortem lint` asks at every start)."""
    found = []
    for entry in _entries(folder):
        name = _module_of(entry)
        if name in COMPILED and name not in found:
            source = folder / f"{name}.py"
            if (folder / entry).stat().st_mtime < source.stat().st_mtime:
                found.append(name)
    return sorted(found)


def active() -> list[str]:
    """The modules that this process runs compiled (after they are imported)."""
    return [
        name
        for name in COMPILED
        if str(getattr(sys.modules.get(f"mortem.lint.{name}"), "__file__", "")).endswith(
            (".so", ".pyd")
        )
    ]


def stale_message(folder: Path = FOLDER) -> str | None:
    names = stale(folder)
    if not names:
        return None
    return (
        f"the compiled copies of {', '.join(names)} are older than their sources and "
        "would run old code: run `make install` to compile them again, or "
        "`python scripts/compile_lint.py --remove` to run the sources"
    )
