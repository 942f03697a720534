"""Fixtures of the web tests (the shared pieces are in webkit.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webkit import CHROMIUM, CHROMIUM_ARGS, Browser, LiveServer, build_repo, sign_in

from mortem.web import create_app
from mortem.workspace import Workspace


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once (password hashing is slow on purpose); each test gets a copy."""
    home = tmp_path_factory.mktemp("identity")
    (home / "gitconfig").write_text(
        "[user]\n\tname = Test Runner\n\temail = runner@example.com\n"
        "[init]\n\tdefaultBranch = main\n",
        encoding="utf-8",
    )

    old = {k: os.environ.get(k) for k in ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM")}
    os.environ["GIT_CONFIG_GLOBAL"] = str(home / "gitconfig")
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    try:
        root = tmp_path_factory.mktemp("template") / "repo"
        build_repo(root)
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return root


@pytest.fixture
def repo(template_repo: Path, tmp_path: Path) -> Workspace:
    root = tmp_path / "repo"
    shutil.copytree(template_repo, root, symlinks=True)
    return Workspace.open(root)


@pytest.fixture
def app(repo: Workspace) -> Any:
    return create_app(repo)


@pytest.fixture
def login(app: Any) -> Iterator[Callable[[str], Browser]]:
    clients: list[TestClient] = []

    def make(username: str) -> Browser:
        client = TestClient(app)
        clients.append(client)
        return sign_in(client, username)

    yield make
    for client in clients:
        client.close()


# -- a real server ----------------------------------------------------------------------
@pytest.fixture
def live(app: Any) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
