"""The real `pre-commit try-repo` runs the hook of .pre-commit-hooks.yaml on a repository.

pre-commit installs mortem into an environment of its own (`language: python`), from
a git repository holding this checkout's package and hook file. The environment is
kept in pytest's cache folder, keyed by the hook repository's commit, which is made
with fixed dates so that an unchanged source tree gives the same commit and the
install happens once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mortem.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
FIXED = {
    "GIT_AUTHOR_NAME": "hook",
    "GIT_AUTHOR_EMAIL": "hook@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+00:00",
    "GIT_COMMITTER_NAME": "hook",
    "GIT_COMMITTER_EMAIL": "hook@example.com",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+00:00",
}

POSTMORTEM = """\
---
title: Certificate expired on the gateway
status: draft
---
# Certificate expired on the gateway

> This postmortem is blameless.

## Summary

The gateway certificate expired at 02:00. {sentence}
"""


def test_the_hook_file_declares_mortem_lint() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "mortem-lint")
    assert hook["entry"] == "mortem lint"
    assert hook["language"] == "python"
    assert hook["files"] == r"\.md$"
    assert hook["pass_filenames"] is True


def _hook_repo(dest: Path) -> Path:
    """A git repository with this checkout's package and hook file, as a user's remote.

    It lives at the same path on every run (pre-commit keys environments by repository
    and commit), so an unchanged source tree reuses the environment.
    """
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(
        ROOT / "src",
        dest / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"),
    )
    env = {**os.environ, **FIXED}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "mortem"]):
        subprocess.run(["git", *args], cwd=dest, check=True, env=env, capture_output=True)
    return dest


def _pre_commit(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--files", "postmortems/certificate.md"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


@pytest.mark.slow
def test_pre_commit_fails_on_blame_then_passes_once_fixed(
    ws: Workspace, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    cache = Path(request.config.cache.mkdir("pre-commit"))
    hook_repo = _hook_repo(cache / "mortem-hook-repo")
    (ws.root / "templates" / "default.md").write_text(
        "---\nname: default\nsections: [Summary]\n---\n# ${title}\n", encoding="utf-8"
    )
    page = ws.store.folder / "certificate.md"
    page.write_text(
        POSTMORTEM.format(sentence="The careless engineer forgot to renew it."), encoding="utf-8"
    )
    subprocess.run(["git", "add", "-A"], cwd=ws.root, check=True)

    # try-repo: what a team does first; it installs into a throwaway store every time.
    tried = _pre_commit(ws.root, tmp_path / "store", "try-repo", str(hook_repo), "mortem-lint")
    assert tried.returncode == 1, tried.stdout + tried.stderr
    assert "mortem lint" in tried.stdout and "Failed" in tried.stdout
    assert "B103 judgement 'careless'" in tried.stdout
    assert "postmortems/certificate.md:11:" in tried.stdout

    # Then the hook as configured in .pre-commit-config.yaml, with a kept environment.
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hook_repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    config = {"repos": [{"repo": str(hook_repo), "rev": rev, "hooks": [{"id": "mortem-lint"}]}]}
    (ws.root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    home = cache / "home"
    failed = _pre_commit(ws.root, home, "run", "mortem-lint")
    assert failed.returncode == 1 and "B103" in failed.stdout, failed.stdout + failed.stderr

    page.write_text(
        POSTMORTEM.format(sentence="Renewal was a manual step with no reminder or alert."),
        encoding="utf-8",
    )
    subprocess.run(["git", "add", "-A"], cwd=ws.root, check=True)
    passed = _pre_commit(ws.root, home, "run", "mortem-lint")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
