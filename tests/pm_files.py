"""Write small postmortem files straight into a test repository, with known content."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from mortem.workspace import Workspace


def write_pm(ws: Workspace, doc_id: str, body: str = "", **front: Any) -> Path:
    """A postmortem file `doc_id` with this front matter (title defaults to the id)."""
    front.setdefault("title", doc_id.replace("-", " "))
    text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n" + body
    path = ws.store.path_for(doc_id)
    path.write_text(text, encoding="utf-8")
    return path


def commit_all(ws: Workspace, message: str = "test files") -> None:
    subprocess.run(["git", "add", "-A"], cwd=ws.root, check=True, capture_output=True)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=ws.root, check=True)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def run_cli_env(
    *args: str, cwd: Path, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`helpers.run_cli` with extra environment variables (tokens, webhook URLs)."""
    full = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mortem", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        input=input,
        env=full,
        timeout=120,
    )
