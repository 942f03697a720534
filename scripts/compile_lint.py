"""Compile the lint engine's hot modules with mypyc, next to their sources.

`make install` runs this whenever a lint source changed. Old compiled copies are
removed first, so that a failed build (no C compiler, no Python headers) leaves the
plain sources running, never a mix of old and new code. `--remove` only removes them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
BUILD = ROOT / "build" / "mypyc"
GROUP = "mortem_lint_native"  # the name of the shared library mypyc builds

sys.path.insert(0, str(SRC))
from mortem.lint.speedups import COMPILED, FOLDER, extensions  # noqa: E402

SETUP = """
import sys
from setuptools import setup
from mypyc.build import mypycify

build, files = sys.argv[1], sys.argv[2:]
setup(
    name="mortem-lint-native",
    ext_modules=mypycify(files, opt_level="3", target_dir=build, group_name="{group}"),
    script_args=[
        "build_ext", "--inplace", "--build-temp", build + "/temp", "--build-lib", build + "/lib"
    ],
)
"""


def remove() -> None:
    for name in COMPILED:
        for path in extensions(name):
            path.unlink()
    for path in SRC.glob(f"{GROUP}__mypyc.*"):
        path.unlink()


def main() -> int:
    remove()
    if "--remove" in sys.argv:
        return 0
    files = [str((FOLDER / f"{name}.py").relative_to(SRC)) for name in COMPILED]
    done = subprocess.run(
        [sys.executable, "-c", SETUP.format(group=GROUP), str(BUILD), *files],
        cwd=SRC,
        capture_output=True,
        text=True,
        env={**os.environ, "MYPY_CACHE_DIR": str(BUILD / "mypy-cache")},
    )
    if done.returncode != 0:
        remove()
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        print(f"{tail}\nmypyc could not compile the lint modules: they run as Python.")
        return 0
    # The build copies unchanged extensions with their old times; what matters for
    # `speedups.stale` is that they were compiled from the sources as they are now.
    for name in COMPILED:
        for path in extensions(name):
            path.touch()
    print(f"compiled with mypyc: {', '.join(COMPILED)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
