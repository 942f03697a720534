"""Helpers for benchmarks: wall time and peak memory of a real child process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

MORTEM = [sys.executable, "-m", "mortem"]


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, peak resident MB of the process and its waited-for children)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}): {err}")
    return wall, usage.ru_maxrss / 1024


def copy_repo(source: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest, symlinks=True, ignore=shutil.ignore_patterns(".mortem"))
    return dest


def tool_in_venv(venv: Path, package: str, command: str) -> Path | None:
    """A comparison tool installed in a throwaway venv (never one of mortem's deps)."""
    exe = venv / "bin" / command
    if exe.exists():
        return exe
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", package],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except (subprocess.SubprocessError, OSError):
        return None
    return exe if exe.exists() else None
