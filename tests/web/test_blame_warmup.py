"""The blame-language counts of the home page and dashboard are linted outside the index
lock: while they are computed, lists and pages are served."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import httpx
from webkit import CHECKOUT_ID, PASSWORD, LiveServer, csrf_of

from mortem.web import create_app
from mortem.workspace import Workspace


def _signed_in(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    token = csrf_of(client.get("/login").text)
    client.post("/login", data={"username": "vic", "password": PASSWORD, "csrf_token": token})
    return client


def test_pages_are_served_while_the_blame_counts_are_linted(repo: Workspace) -> None:
    app = create_app(repo)
    site = app.state.site
    with (
        LiveServer(app) as server,
        contextlib.closing(_signed_in(server.url)) as reader,
        contextlib.closing(_signed_in(server.url)) as watcher,
    ):
        assert site.blame_counts() is not None  # counted once: the home page's figures
        # A file changes: the kept counts are stale, and a lint "is running" (the lock
        # the real one holds for seconds on a big repository).
        path = repo.store.path_for(CHECKOUT_ID)
        path.write_text(path.read_text(encoding="utf-8") + "\nMore text.\n", encoding="utf-8")
        site._blame_lock.acquire()
        try:
            dashboard: dict[str, Any] = {}
            waiting = threading.Thread(
                target=lambda: dashboard.setdefault("r", watcher.get("/dashboard.json"))
            )
            waiting.start()
            # The dashboard waits for the counts; lists and pages do not.
            listed = reader.get("/postmortems.json")
            assert listed.status_code == 200 and listed.json()["rows"]
            assert reader.get(f"/postmortems/{CHECKOUT_ID}").status_code == 200
            assert reader.get("/actions.json").status_code == 200
            waiting.join(timeout=0.5)
            assert waiting.is_alive() and "r" not in dashboard
        finally:
            site._blame_lock.release()
        waiting.join(timeout=30)
        assert dashboard["r"].status_code == 200
        assert dashboard["r"].json()["culture"]["available"] is True


def test_serve_lints_in_the_background_once_started(repo: Workspace) -> None:
    app = create_app(repo, warm=True)
    site = app.state.site
    with LiveServer(app):
        for _ in range(300):
            if site._blame is not None:
                break
            threading.Event().wait(0.05)
        assert site._blame is not None  # nobody asked: the server counted on its own
        _key, counts = site._blame
        assert counts is not None and set(counts) == set(repo.store.ids())
