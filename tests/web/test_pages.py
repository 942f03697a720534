"""The pages and their `.json` twins, with figures checked against the fixed repository."""

from __future__ import annotations

import datetime as dt
from typing import Any

from webkit import CHECKOUT_ID, SEARCH_ID, git

from mortem.workspace import Workspace

TODAY = dt.datetime.now(dt.UTC).date()

READY = """\
---
title: Webhook retries doubled the load on payments-api
status: draft
severity: SEV3
services: [payments-api]
tags: [webhooks]
authors: [priya]
facilitator: sam
responders: [priya]
impact: About 2% of webhook deliveries were late by up to ten minutes.
started_at: 2026-01-05T09:00:00Z
detected_at: 2026-01-05T09:06:00Z
mitigated_at: 2026-01-05T09:20:00Z
resolved_at: 2026-01-05T09:40:00Z
timeline:
  - at: 2026-01-05T09:00:00Z
    event: Webhook retry queue starts to grow after a deploy.
    kind: trigger
  - at: 2026-01-05T09:06:00Z
    event: Queue depth alert pages the on-call engineer.
    kind: detection
  - at: 2026-01-05T09:20:00Z
    event: Retry interval raised from 5 to 30 seconds.
    kind: mitigation
  - at: 2026-01-05T09:40:00Z
    event: Queue back to its usual depth.
    kind: resolution
whys:
  - why: Why were deliveries late?
    because: The retry queue held twice its usual number of messages.
  - why: Why did the queue double?
    because: A deploy changed the retry interval from 30 seconds to 5 seconds.
  - why: Why was the interval changed?
    because: The setting was shared by two services and its default changed in a library upgrade.
contributing_factors:
  - category: configuration
    description: The retry interval came from a library default rather than our own setting.
action_items:
  - id: A1
    title: Set the webhook retry interval explicitly in our configuration.
    owner: priya
    due: 2026-02-01
    status: done
    type: prevent
    closed_on: 2026-01-20
reviews: []
---
# Webhook retries doubled the load on payments-api

## Summary

A library upgrade changed the default webhook retry interval from 30 to 5 seconds, and
the retry queue doubled until the interval was set back.

## Impact

About 2% of webhook deliveries were late by up to ten minutes.

## What happened

The upgrade went out at 09:00. The queue depth alert fired six minutes later, and the
interval was raised again at 09:20.

## Timeline

See the timeline above.

## Root cause analysis

See the whys above.

## Contributing factors

See the factors above.

## Action items

See the action items above.

## Lessons learned

### What went well

The queue depth alert fired within six minutes.

### What went wrong

A default changed under us.

### Where we got lucky

The change reached only one region.
"""
READY_ID = "2026-01-05-webhook-retries"


def test_list_filters_and_search(login: Any) -> None:
    viewer = login("vic")
    everything = viewer.get("/postmortems.json").json()
    assert everything["total"] == 2
    assert [r["id"] for r in everything["rows"]] == [CHECKOUT_ID, SEARCH_ID]  # newest first

    def ids(query: str) -> list[str]:
        return [r["id"] for r in viewer.get(f"/postmortems.json?{query}").json()["rows"]]

    assert ids("status=draft") == [SEARCH_ID]
    assert ids("severity=SEV2") == [CHECKOUT_ID]
    assert ids("service=search") == [SEARCH_ID]
    assert ids("tag=rate-limiting") == [CHECKOUT_ID]
    assert ids("team=payments") == [CHECKOUT_ID]  # priya is on the payments team
    assert ids("team=platform") == [CHECKOUT_ID, SEARCH_ID]  # sam is in both
    assert ids("since=2026-03-01") == [CHECKOUT_ID]
    assert ids("until=2026-03-01") == [SEARCH_ID]
    found = viewer.get("/postmortems.json?q=rate+limiter").json()
    assert [r["id"] for r in found["rows"]] == [CHECKOUT_ID] and found["searching"] is True
    assert "_snippet" not in found["rows"][0]  # HTML stays out of the JSON twin
    page = viewer.get("/postmortems?q=rate+limiter").text
    assert "<mark>" in page and "Search returned stale results" not in page
    assert viewer.get("/postmortems.json?since=March").status_code == 400


def test_postmortem_page_and_its_twin(login: Any) -> None:
    viewer = login("vic")
    data = viewer.get(f"/postmortems/{CHECKOUT_ID}.json").json()
    assert data["title"] == "Checkout requests timed out" and data["valid"] is True
    assert data["durations"] == {"to_detect": 240.0, "to_mitigate": 1080.0, "to_resolve": 1500.0}
    a1, a2 = data["action_items"]
    assert (a1["id"], a1["overdue"], a1["days_overdue"]) == (
        "A1",
        True,
        (TODAY - dt.date(2020, 1, 10)).days,
    )
    assert (a2["id"], a2["overdue"]) == ("A2", False)
    assert [e["name"] for e in data["evidence"]] == ["latency.png"]
    assert data["front_matter"]["reviews"][0]["reviewers"] == ["lee"]
    assert "lint" not in data  # lint findings are for editors
    assert not any(k.startswith("_") for k in data)
    page = viewer.get(f"/postmortems/{CHECKOUT_ID}").text
    for shown in (
        '<h2 id="summary">Summary</h2>',
        'class="timeline"',  # the SVG time axis
        "Why was the pool exhausted?",
        "No tests for rate limiting across many source addresses.",
        "Count requests per client id in the rate limiter.",
        "Priya Raman",  # roster names instead of keys
        f'<img src="/postmortems/{CHECKOUT_ID}/latency.png"',
        "after 4 min",
    ):
        assert shown in page, shown
    assert "Mark done" not in page  # viewers get no buttons
    assert "lint" in login("priya").get(f"/postmortems/{CHECKOUT_ID}.json").json()


def test_history_page(login: Any, repo: Workspace) -> None:
    viewer = login("vic")
    history = viewer.get(f"/postmortems/{CHECKOUT_ID}/history.json").json()
    assert [c["subject"] for c in history["commits"]] == ["Two postmortems"]
    assert history["commits"][0]["author"] == "Test Runner"


def test_home_page_figures(login: Any) -> None:
    home = login("vic").get("/index.json").json()
    assert home["total"] == 2 and home["drafts"] == 1
    assert [r["id"] for r in home["recent"]] == [CHECKOUT_ID, SEARCH_ID]
    assert home["open_actions"] == 2  # checkout A1 and search A1
    assert home["overdue_count"] == 1
    assert [a["ref"] for a in home["overdue"]] == [f"{CHECKOUT_ID}/A1"]
    published = dt.date(2026, 3, 21)
    expected = [
        (n, published + dt.timedelta(days=days))
        for n, days in ((1, 30), (2, 90))
        if published + dt.timedelta(days=days) <= TODAY + dt.timedelta(days=14)
    ]
    assert [(f["number"], dt.date.fromisoformat(f["due"])) for f in home["follow_ups"]] == expected


def test_action_board_and_one_click_status(login: Any, repo: Workspace) -> None:
    editor = login("priya")
    board = editor.get("/actions.json").json()
    assert board["count"] == 2 and board["totals"]["overdue"] == 1
    assert [g["name"] for g in board["groups"]] == ["priya", "sam"]
    by_team = editor.get("/actions.json?group=team&status=all").json()
    assert {g["name"]: len(g["items"]) for g in by_team["groups"]} == {"payments": 1, "platform": 2}
    assert [
        i["id"] for i in editor.get("/actions.json?overdue=1").json()["groups"][0]["items"]
    ] == ["A1"]
    page = editor.get("/actions").text
    assert f'action="/actions/{CHECKOUT_ID}/A1/status"' in page

    done = editor.post(
        f"/actions/{CHECKOUT_ID}/A1/status", {"status": "done", "back": "/actions?overdue=1"}
    )
    assert done.status_code == 303 and done.headers["location"] == "/actions?overdue=1"
    item = repo.store.load(CHECKOUT_ID).model().action_items[0]
    assert (item.status, item.closed_on) == ("done", TODAY)
    log = git(repo.root, "log", "-1", "--format=%an|%s")
    assert log.strip() == f"Priya Raman|Close action item {CHECKOUT_ID}/A1 (done)"
    assert git(repo.root, "show", "--numstat", "--format=", "HEAD").split()[:2] == ["2", "1"]
    after = editor.get("/actions.json").json()
    assert after["count"] == 1 and after["totals"]["overdue"] == 0
    viewer = login("vic")
    assert viewer.post(f"/actions/{CHECKOUT_ID}/A1/status", {"status": "open"}).status_code == 403


def test_review_workflow(login: Any, repo: Workspace) -> None:
    (repo.store.folder / f"{READY_ID}.md").write_text(READY)
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-qm", "A ready draft")
    editor, reviewer = login("priya"), login("lee")
    page = editor.get(f"/postmortems/{READY_ID}").text
    assert "Request review" in page
    asked = editor.post(f"/postmortems/{READY_ID}/review/request", {"reviewers": "lee"})
    assert asked.status_code == 303
    assert repo.store.load(READY_ID).model().status == "in-review"
    # The author may not approve; an editor may not either.
    assert editor.post(f"/postmortems/{READY_ID}/review/approve").status_code == 403
    state = reviewer.get(f"/postmortems/{READY_ID}.json").json()["review"]
    assert state["can_approve"] is True and state["can_publish"] is False
    assert any("approvals" in b for b in state["blockers"])
    assert (
        reviewer.post(f"/postmortems/{READY_ID}/review/approve", {"notes": "Clear."}).status_code
        == 303
    )
    state = reviewer.get(f"/postmortems/{READY_ID}.json").json()["review"]
    assert state["blockers"] == [] and state["can_publish"] is True
    assert reviewer.post(f"/postmortems/{READY_ID}/review/publish").status_code == 303
    pm = repo.store.load(READY_ID).model()
    assert pm.status == "published"
    # Publishing records who published, as the acting account maps to the roster.
    assert [(r.kind, r.reviewers) for r in pm.reviews] == [
        ("request", ["lee"]),
        ("approval", ["lee"]),
        ("publish", ["lee"]),
    ]
    assert repo.store.load(READY_ID).data["published_on"] == TODAY
    follow = reviewer.post(
        f"/postmortems/{READY_ID}/review/follow-up",
        {"outcome": "effective", "worked": "A1", "notes": "No repeat since."},
    )
    assert follow.status_code == 303
    last = repo.store.load(READY_ID).model().reviews[-1]
    assert (last.kind, last.outcome, last.effective_actions) == ("follow-up", "effective", ["A1"])
    subjects = git(repo.root, "log", "-4", "--format=%an|%s").splitlines()
    assert subjects == [
        f"Lee Nakamura|Follow-up review of {READY_ID}: effective",
        f"Lee Nakamura|Publish {READY_ID}",
        f"Lee Nakamura|Approve {READY_ID} (lee)",
        f"Priya Raman|Request review of {READY_ID} from lee",
    ]


def test_publishing_is_refused_with_reasons(login: Any, repo: Workspace) -> None:
    reviewer = login("lee")
    refused = reviewer.post(f"/postmortems/{SEARCH_ID}/review/publish")
    assert refused.status_code == 409 and "cannot publish" in refused.text
    assert repo.store.load(SEARCH_ID).model().status == "draft"


def test_review_agenda(login: Any, repo: Workspace) -> None:
    agenda = login("vic").get(f"/reviews.json?since={TODAY - dt.timedelta(days=1000)}").json()
    assert [p["id"] for p in agenda["published"]] == [CHECKOUT_ID]
    assert agenda["in_review"] == []
    assert [f["postmortem"] for f in agenda["follow_ups"]] == [
        CHECKOUT_ID for d in (30, 90) if dt.date(2026, 3, 21) + dt.timedelta(days=d) <= TODAY
    ]
    assert [(o["owner"], o["count"]) for o in agenda["overdue"]] == [("priya", 1)]


def test_dashboard_figures(login: Any) -> None:
    viewer = login("vic")
    data = viewer.get("/dashboard.json").json()
    assert data["incidents"] == 2
    medians = {
        d["key"]: (d["median"]["value"] if d["median"] else None, d["n"]) for d in data["durations"]
    }
    # Minutes: detect 4 and 30, mitigate 18 (search has none), resolve 25 and 120.
    assert medians == {"ttd": (17.0, 2), "ttm": (18.0, 1), "ttr": (72.5, 2)}
    actions = data["actions"]
    assert (actions["total"], actions["open"], actions["done"], actions["overdue"]) == (3, 2, 1, 1)
    assert actions["completion"]["numerator"] == 1 and actions["completion"]["denominator"] == 3
    assert actions["on_time"]["value"] == 1.0
    payments = viewer.get("/dashboard.json?team=payments").json()
    assert payments["incidents"] == 1 and payments["selection"]["team"] == "payments"
    quarter = viewer.get("/dashboard.json?period=2026-Q1").json()
    assert quarter["incidents"] == 2
    assert viewer.get("/dashboard.json?period=2025-Q9").status_code == 400
    chart = viewer.get(data["charts"][0]["url"])
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert "script-src" not in chart.headers["content-security-policy"]
    assert "default-src 'none'" in chart.headers["content-security-policy"]
    assert chart.text.lstrip().startswith(("<?xml", "<svg"))
    page = viewer.get("/dashboard").text
    assert "median time to resolve" in page and "1 h 12 min" in page
    # Two values make no interval: their range is not shown as one.
    ttr = next(d for d in data["durations"] if d["key"] == "ttr")
    assert ttr["median"]["low"] is None and ttr["median"]["high"] is None
    assert (
        "too few for an interval · n=2" in page and "95% CI" not in page.split("Follow-through")[0]
    )


def test_unknown_things_are_404(login: Any) -> None:
    viewer = login("vic")
    assert viewer.get("/postmortems/2026-01-01-nothing").status_code == 404
    assert (
        viewer.get("/postmortems/2026-01-01-nothing.json")
        .json()["error"]
        .startswith("no postmortem")
    )
    assert viewer.get("/no/such/page").status_code == 404


def test_cached_content_follows_the_person_and_the_file(login: Any, repo: Workspace) -> None:
    editor, viewer = login("priya"), login("vic")
    url = f"/postmortems/{CHECKOUT_ID}"
    assert "Mark done" in editor.get(url).text
    seen = viewer.get(url).text
    assert "Mark done" not in seen and editor.csrf not in seen and viewer.csrf in seen
    assert editor.csrf in editor.get(url).text
    assert editor.post(f"/actions/{CHECKOUT_ID}/A1/status", {"status": "done"}).status_code == 303
    page = viewer.get(url).text
    assert "closed " + TODAY.isoformat() in page


def test_a_kept_page_follows_changes_made_outside_mortem(
    login: Any, repo: Workspace, app: Any
) -> None:
    viewer = login("vic")
    url = f"/postmortems/{CHECKOUT_ID}"
    assert "Checkout requests timed out" in viewer.get(url).text
    assert len(app.state.site.pages) >= 1  # the content is kept...
    path = repo.store.path_for(CHECKOUT_ID)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Checkout requests timed out", "Checkout stalled"), "utf-8")
    page = viewer.get(url).text  # ...but never served for another revision of the file
    assert "Checkout stalled" in page and "Checkout requests timed out" not in page
    # An evidence file added by hand (or by a pull) changes the folder, not the file.
    (repo.store.folder / CHECKOUT_ID / "queue-depth.png").write_bytes(
        (repo.store.folder / CHECKOUT_ID / "latency.png").read_bytes()
    )
    assert "queue-depth.png" in viewer.get(url).text
    assert "queue-depth.png" in viewer.get(url + ".json").text


def test_long_boards_link_to_the_rest(login: Any, monkeypatch: Any) -> None:
    from mortem.web.routes import actions

    monkeypatch.setattr(actions, "PER_GROUP", 1)
    board = login("vic").get("/actions.json?group=team&status=all").json()
    platform = next(g for g in board["groups"] if g["name"] == "platform")
    assert platform["total"] == 2 and len(platform["items"]) == 1
    assert platform["more_url"] == "/actions?team=platform&status=all&group=team"


def test_every_page_has_a_title_of_its_own(login: Any, app: Any) -> None:
    import re

    from fastapi.testclient import TestClient

    def title(html: str) -> str:
        found = re.search(r"<title>(.*?)</title>", html, re.S)
        assert found is not None
        return found.group(1).strip()

    with TestClient(app) as anonymous:
        assert title(anonymous.get("/login").text) == "Sign in · mortem"
    admin = login("ada")
    pages = [
        "/",
        "/postmortems",
        "/postmortems?q=timeout",
        f"/postmortems/{CHECKOUT_ID}",
        f"/postmortems/{CHECKOUT_ID}/edit",
        f"/postmortems/{CHECKOUT_ID}/history",
        "/postmortems/new",
        "/actions",
        "/reviews",
        "/dashboard",
        "/account",
        "/admin/users",
    ]
    seen = {}
    for url in pages:
        response = admin.get(url)
        assert response.status_code == 200, url
        seen[url] = title(response.text)
    empty = [url for url, text in seen.items() if not text.removesuffix("mortem").strip(" ·")]
    assert empty == [], seen
