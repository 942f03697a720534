"""The JSON API under /api and its OpenAPI description; schemathesis finds no 5xx."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from webkit import CHECKOUT_ID, SEARCH_ID, git, sign_in

from mortem.web import create_app
from mortem.workspace import Workspace


def test_openapi_describes_the_api_only(app: Any) -> None:
    spec = TestClient(app).get("/openapi.json").json()
    paths = set(spec["paths"])
    assert all(p.startswith("/api/") for p in paths)
    assert {
        "/api/me",
        "/api/postmortems",
        "/api/postmortems/{pm_id}",
        "/api/postmortems/{pm_id}/history",
        "/api/lint",
        "/api/actions",
        "/api/actions/{pm_id}/{action_id}",
        "/api/stats",
    } <= paths
    assert set(spec["paths"]["/api/postmortems/{pm_id}"]) == {"get", "put"}


def test_read_create_and_save_through_the_api(login: Any, repo: Workspace) -> None:
    editor = login("priya")
    listing = editor.get("/api/postmortems?status=draft").json()
    assert [i["id"] for i in listing["items"]] == [SEARCH_ID] and listing["total"] == 1
    record = editor.get(f"/api/postmortems/{CHECKOUT_ID}").json()
    assert record["revision"] == repo.store.revision(CHECKOUT_ID)
    assert record["front_matter"]["severity"] == "SEV2" and record["body"].startswith("# Checkout")

    made = editor.api(
        "POST", "/api/postmortems", json={"title": "Cache stampede", "severity": "SEV4"}
    )
    assert made.status_code == 201
    new_id = made.json()["id"]
    assert repo.store.load(new_id).model().severity == "SEV4"

    text = repo.store.path_for(CHECKOUT_ID).read_text().replace("severity: SEV2", "severity: SEV1")
    saved = editor.api(
        "PUT",
        f"/api/postmortems/{CHECKOUT_ID}",
        json={"revision": record["revision"], "text": text},
    )
    assert saved.status_code == 200 and saved.json()["revision"] == repo.store.revision(CHECKOUT_ID)
    assert (
        git(repo.root, "log", "-1", "--format=%an|%s").strip() == f"Priya Raman|Edit {CHECKOUT_ID}"
    )

    stale = editor.api(
        "PUT",
        f"/api/postmortems/{CHECKOUT_ID}",
        json={"revision": record["revision"], "text": text.replace("SEV1", "SEV3")},
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["current_revision"] == repo.store.revision(CHECKOUT_ID)
    assert {"kind": "add", "text": "+severity: SEV1"} in body["their_changes"]
    assert repo.store.load(CHECKOUT_ID).model().severity == "SEV1"

    broken = editor.api(
        "PUT",
        f"/api/postmortems/{CHECKOUT_ID}",
        json={"revision": saved.json()["revision"], "text": "no front matter"},
    )
    assert broken.status_code == 422 and broken.json()["problems"]


def test_actions_and_status_through_the_api(login: Any, repo: Workspace) -> None:
    editor = login("priya")
    overdue = editor.get("/api/actions?overdue=true").json()
    assert [a["ref"] for a in overdue] == [f"{CHECKOUT_ID}/A1"]
    assert [a["ref"] for a in editor.get("/api/actions?team=platform&status=open").json()] == [
        f"{SEARCH_ID}/A1"
    ]
    changed = editor.api("POST", f"/api/actions/{SEARCH_ID}/A1", json={"status": "wont-do"})
    assert changed.status_code == 400 and "reason" in changed.json()["error"]
    changed = editor.api(
        "POST",
        f"/api/actions/{SEARCH_ID}/A1",
        json={"status": "wont-do", "note": "Replaced by streaming."},
    )
    assert changed.status_code == 200 and changed.json()["status"] == "wont-do"
    assert repo.store.load(SEARCH_ID).model().action_items[0].notes == "Replaced by streaming."
    assert (
        editor.api("POST", f"/api/actions/{SEARCH_ID}/A9", json={"status": "done"}).status_code
        == 404
    )


def test_lint_and_stats_through_the_api(login: Any, repo: Workspace) -> None:
    editor = login("priya")
    text = repo.store.path_for(CHECKOUT_ID).read_text()
    result = editor.api(
        "POST",
        "/api/lint",
        json={"text": text.replace("2026-03-14T02:51:00Z", "2026-03-14T01:00:00Z", 1)},
    ).json()
    assert any("before started_at" in p["message"] for p in result["problems"])
    stats = editor.get("/api/stats?team=platform").json()
    assert stats["incidents"] == 1  # a postmortem belongs to its authors' teams: sam (platform)


def test_no_server_errors(repo: Workspace) -> None:
    """Generated requests against every operation, as a signed-in admin: never a 5xx."""
    app = create_app(repo)
    browser = sign_in(TestClient(app), "ada")
    cookies, token = dict(browser.client.cookies), browser.csrf
    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 14
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case: Any) -> None:
            case.call_and_validate(
                headers={"X-CSRF-Token": token}, cookies=cookies, checks=[not_a_server_error]
            )

        check()
