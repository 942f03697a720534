"""Helpers shared by tests (importable because pytest puts tests/ on the path)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, cwd: Path, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `mortem` command in a child process."""
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "mortem", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        input=input,
        env=env,
        timeout=120,
    )


def tiny_png(width: int = 40, height: int = 20) -> bytes:
    """A real PNG (attachments are opened and decoded, not just sniffed)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, format="PNG")
    return out.getvalue()
