"""Shared fixtures: real git repositories in temporary folders, a real CLI process."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mortem.metrics import Options, Stats, compute
from mortem.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(autouse=True)
def git_identity(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the machine's git config: they get their own identity."""
    home = tmp_path_factory.mktemp("home")
    config = home / ".gitconfig"
    config.write_text(
        "[user]\n\tname = Test Runner\n\temail = runner@example.com\n"
        "[init]\n\tdefaultBranch = main\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "repo")


@pytest.fixture
def sample(tmp_path: Path) -> Iterator[Workspace]:
    """The bundled sample repository, as its own git repository."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from make_demo import make_demo
    finally:
        sys.path.pop(0)
    root = make_demo(tmp_path / "sample")
    yield Workspace.open(root)


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The repository of hand-computed figures (test_metrics.py), built once per module."""
    from test_metrics import build_fixed_repo

    return build_fixed_repo(tmp_path_factory.mktemp("fixed") / "fixed")


@pytest.fixture(scope="module")
def stats(fixed: Workspace) -> Stats:
    """Its figures as of test_metrics.TODAY, without the lint-based ones."""
    from test_metrics import TODAY, no_lint

    return compute(fixed, Options(today=TODAY), count_blame=no_lint)
