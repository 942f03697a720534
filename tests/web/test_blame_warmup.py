"""The blame-language counts of the home page and dashboard are linted outside the index
lock: while they are computed, lists and pages are served."""

from __future__ import annotations

import contextlib
import threading

import httpx
from webkit import CHECKOUT_ID, PASSWORD, LiveServer, csrf_of, git

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
    ):
        first = reader.get("/dashboard.json").json()
        assert first["culture"]["available"] is True and first["culture"]["pending"] is False
        # A file changes: the kept counts are stale, and a lint "is running" (the lock
        # the real one holds for seconds on a big repository).
        path = repo.store.path_for(CHECKOUT_ID)
        path.write_text(path.read_text(encoding="utf-8") + "\nMore text.\n", encoding="utf-8")
        git(repo.root, "commit", "-qam", "More text")  # a new HEAD: the server looks again
        site._blame_lock.acquire()
        try:
            # Nothing waits for it: lists, pages, the home page, and the dashboard, which
            # shows everything else and says the counts are coming.
            listed = reader.get("/postmortems.json")
            assert listed.status_code == 200 and listed.json()["rows"]
            assert reader.get(f"/postmortems/{CHECKOUT_ID}").status_code == 200
            assert reader.get("/").status_code == 200
            waiting = reader.get("/dashboard.json").json()
            assert waiting["culture"]["pending"] is True
            assert waiting["incidents"] == first["incidents"]
            assert "Being counted" in reader.get("/dashboard").text
        finally:
            site._blame_lock.release()
        ready = reader.get("/dashboard.json").json()  # counted now, on this request
        assert ready["culture"]["pending"] is False and ready["culture"]["available"] is True
        page = reader.get("/dashboard").text
        assert "Being counted" not in page and "Blame language" in page


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
