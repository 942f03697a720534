"""Lay out the sample repository from examples/ as a git repository of its own."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def make_demo(dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(EXAMPLES, dest)
    (dest / ".gitignore").write_text(".mortem/\n", encoding="utf-8")
    identity = ["-c", "user.name=mortem demo", "-c", "user.email=demo@example.com"]
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        [*identity, "commit", "-q", "-m", "Sample postmortems"],
    ):
        subprocess.run(["git", *args], cwd=dest, check=True)
    return dest


if __name__ == "__main__":
    target = make_demo(Path(sys.argv[1] if len(sys.argv) > 1 else "demo"))
    print(f"sample repository ready in {target}")
