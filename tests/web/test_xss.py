"""Script in every field renders inert: checked in a real browser on every page.

The payloads sit in the title, narrative, timeline, whys, factors, action items, names,
services, tags, review notes, a user's name and an invalid file's source. On each page
no dialog may open, the payloads' marker may not be set, and none of the elements they
try to inject may exist.
"""

from __future__ import annotations

from typing import Any

import pytest
from webkit import PASSWORD, git

from mortem.users import UsersFile
from mortem.workspace import Workspace

pytestmark = pytest.mark.browser

P = '"><img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=1;alert(1)</script>'
Q = "'><svg onload=alert(1)><iframe src=javascript:alert(1)>"
VALID_ID = "2026-04-01-xss"
INVALID_ID = "2026-04-02-xss-invalid"
OTHER_ID = "2026-03-01-xss-earlier"


def quoted(text: str) -> str:
    """A YAML single-quoted scalar."""
    return "'" + text.replace("'", "''") + "'"


def payload_file() -> str:
    p, q = quoted(P), quoted(Q)
    return f"""\
---
title: {quoted("Checkout " + P)}
status: in-review
severity: SEV2
services: [{p}, {q}]
tags: [{p}]
authors: [{p}]
facilitator: {q}
responders: [{p}]
impact: {p}
incident_refs: [{q}]
started_at: 2026-04-01T10:00:00Z
detected_at: 2026-04-01T10:05:00Z
resolved_at: 2026-04-01T11:00:00Z
timeline:
  - at: 2026-04-01T10:00:00Z
    event: {p}
    kind: trigger
  - at: 2026-04-01T10:05:00Z
    event: {q}
whys:
  - why: {p}
    because: {q}
contributing_factors:
  - category: testing
    description: {p}
action_items:
  - id: A1
    title: {p}
    owner: {q}
    due: 2020-01-01
    status: open
    link: 'javascript:window.__xss=1'
    notes: {p}
reviews:
  - on: 2026-04-03
    kind: approval
    reviewers: [{q}]
    notes: {p}
---
# Checkout {P}

{P}

{Q}

<script>window.__xss=1;alert(1)</script>

<img src=x onerror="window.__xss=1;alert(1)">

[click me](javascript:window.__xss=1) and <a href="javascript:window.__xss=1">this</a>

<iframe src="javascript:alert(1)"></iframe>

| a | b |
|---|---|
| {P} | {Q} |
"""


# The narrative may hold images (sanitised: an <img> without its handlers stays there,
# harmless); anywhere else a payload's <img> would be an injection.
INJECTED = (
    "script:not([src]), iframe, img[src='x']:not(.prose img), [onerror], [onload], "
    "svg[onload], a[href^='javascript:'], a[href^='JAVASCRIPT:']"
)


def assert_inert(tab: Any, where: str) -> None:
    assert tab.evaluate("window.__xss") is None, where
    found = tab.evaluate(f"document.querySelectorAll({INJECTED!r}).length")
    assert found == 0, f"{where}: {found} injected element(s)"


def test_payloads_render_inert_on_every_page(chromium: Any, live: Any, repo: Workspace) -> None:
    folder = repo.store.folder
    (folder / f"{VALID_ID}.md").write_text(payload_file())
    # A second one like it, so that the related page lists a payload title.
    (folder / f"{OTHER_ID}.md").write_text(payload_file().replace("2026-04-01", "2026-03-01"))
    invalid = payload_file().replace("category: testing", f"category: {quoted(P)}")
    (folder / f"{INVALID_ID}.md").write_text(invalid)
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-qm", "payloads")
    assert repo.store.load(VALID_ID).problems() == []
    users = UsersFile(repo.root / ".mortem" / "users.json")
    users.add("mallory", PASSWORD, "admin", P, None)

    context = chromium.new_context(base_url=live.url)
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.goto("/login")
    tab.fill("input[name=username]", "mallory")
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url("**/")
    pages = [
        "/",
        "/postmortems",
        "/postmortems?q=checkout",
        "/postmortems?q=img",
        f"/postmortems/{VALID_ID}",
        f"/postmortems/{VALID_ID}/edit",
        f"/postmortems/{VALID_ID}/history",
        f"/postmortems/{VALID_ID}/related",
        f"/postmortems/{INVALID_ID}",
        "/postmortems/new",
        "/actions",
        "/actions?group=team&status=all",
        "/actions?group=postmortem",
        "/reviews?since=2020-01-01",
        "/dashboard",
        "/admin/users",
        "/account",
    ]
    for url in pages:
        response = tab.goto(url)
        assert response is not None and response.status == 200, url
        tab.wait_for_load_state("networkidle")
        assert tab.evaluate("window.__xss") is None, url
        found = tab.evaluate(f"document.querySelectorAll({INJECTED!r}).length")
        assert found == 0, f"{url}: {found} injected element(s)"
        # The payload is shown as text where the page shows that field.
        if url == f"/postmortems/{VALID_ID}":
            assert P in tab.locator(".pmtitle h1").inner_text()
            assert tab.locator("text=javascript:window.__xss=1").count() >= 1
        if url == f"/postmortems/{VALID_ID}/related":
            assert P in tab.locator("h1").inner_text()
            assert tab.locator(f".itemlist a[href='/postmortems/{OTHER_ID}']").inner_text() == (
                "Checkout " + P
            )

    # The new-postmortem form given back with the payloads in it and an error quoting one.
    tab.goto("/postmortems/new")
    tab.fill("input[name=title]", P)
    tab.fill("input[name=services]", Q)
    tab.fill("input[name=started_at]", P[:60])
    tab.fill("textarea[name=impact]", P)
    with tab.expect_response(lambda r: r.request.method == "POST") as posted:
        tab.click("button:has-text('Create draft')")
    assert posted.value.status == 422
    tab.wait_for_load_state("networkidle")
    assert tab.input_value("input[name=title]") == P
    assert "started at:" in tab.locator(".alert").inner_text()
    assert_inert(tab, "the new form given back")

    # The conflict page: someone saves while this person edits; theirs and the person's
    # own text (both payloads) are shown side by side.
    tab.goto(f"/postmortems/{VALID_ID}/edit")
    path = repo.store.path_for(VALID_ID)
    path.write_text(path.read_text().replace("severity: SEV2", "severity: SEV1"))
    git(repo.root, "commit", "-qam", "someone else saves first")
    tab.fill("textarea[name=impact]", Q + P)
    tab.fill("textarea[name=body]", P + "\n\n" + Q + "\n")
    with tab.expect_response(lambda r: r.request.method == "POST" and "lint" not in r.url) as saved:
        tab.click("button:has-text('Save')")
    assert saved.value.status == 409
    tab.wait_for_load_state("networkidle")
    assert "Someone else saved" in tab.locator("h1").inner_text()
    assert "+severity: SEV1" in tab.locator(".diff").first.inner_text()
    assert Q + P in tab.locator(".diff").last.inner_text()
    assert tab.input_value("textarea.narrative") == P + "\n\n" + Q + "\n"
    assert_inert(tab, "the conflict page")
    # The editor's live lint writes findings that quote the text: still inert.
    tab.goto(f"/postmortems/{VALID_ID}/edit")
    tab.fill("textarea[name=body]", P + "\n\nHuman error caused the outage.\n")
    tab.locator("#lint-results .finding").first.wait_for()
    assert tab.evaluate("window.__xss") is None
    assert tab.evaluate(f"document.querySelectorAll({INJECTED!r}).length") == 0
    assert dialogs == []
    context.close()
