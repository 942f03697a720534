"""The mypyc-compiled lint modules: current with their sources, and giving the same
findings as the sources themselves."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mortem.lint import speedups

ROOT = Path(__file__).resolve().parents[2]


def test_compiled_modules_are_not_older_than_their_sources() -> None:
    # `make install` compiles again after every change to a lint source.
    assert speedups.stale_message() is None


def test_an_older_compiled_copy_is_found_and_named(tmp_path: Path) -> None:
    source = tmp_path / "markdown.py"
    source.write_text("x = 1\n", encoding="utf-8")
    compiled = tmp_path / "markdown.cpython-311-x86_64-linux-gnu.so"
    compiled.write_bytes(b"")
    os.utime(compiled, (1_000_000, 1_000_000))
    (tmp_path / "language.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "language.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")  # newer: fine
    assert speedups.stale(tmp_path) == ["markdown"]
    message = speedups.stale_message(tmp_path)
    assert message is not None and "markdown" in message and "make install" in message


def _lint_json(src: Path, repo: Path, paths: list[str]) -> list[dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": str(src), "NO_COLOR": "1"}
    code = "import sys; from mortem.cli.main import run; sys.argv[0] = 'mortem'; run()"
    done = subprocess.run(
        [sys.executable, "-c", code, "lint", "--no-cache", "--format", "json", *paths],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    findings: list[dict[str, object]] = json.loads(done.stdout)
    return findings


def test_compiled_and_source_modules_find_the_same(tmp_path: Path) -> None:
    if not any(speedups.extensions(name) for name in speedups.COMPILED):
        pytest.skip("no compiled lint modules in this tree (no C compiler at install)")
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", repo)
    shutil.copytree(ROOT / "tests" / "lint" / "data" / "postmortems", repo / "real")
    pure = tmp_path / "pure"
    shutil.copytree(
        ROOT / "src" / "mortem",
        pure / "mortem",
        ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__"),
    )
    paths = ["postmortems", "real"]
    compiled = _lint_json(ROOT / "src", repo, paths)
    plain = _lint_json(pure, repo, paths)
    assert len(compiled) > 50  # the real postmortems give plenty to compare
    assert compiled == plain


def test_without_a_working_compiler_the_sources_run(tmp_path: Path) -> None:
    # A copy of the tree, so that the real compiled modules stay in place.
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "compile_lint.py", tmp_path / "scripts")
    shutil.copytree(
        ROOT / "src" / "mortem",
        tmp_path / "src" / "mortem",
        ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__"),
    )
    stale_copy = tmp_path / "src" / "mortem" / "lint" / "markdown.cpython-311-x86_64-linux-gnu.so"
    stale_copy.write_bytes(b"an old build")
    env = {**os.environ, "CC": "false", "LDSHARED": "false"}
    done = subprocess.run(
        [sys.executable, str(tmp_path / "scripts" / "compile_lint.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "could not compile the lint modules: they run as Python" in done.stdout
    # Nothing compiled is left behind, not even the old build.
    assert not list((tmp_path / "src").rglob("*.so"))
