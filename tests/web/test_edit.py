"""Creating and editing through the page's real forms: round trips, commits, conflicts."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from formparse import form_fields, replace
from webkit import CHECKOUT_ID, SEARCH_ID, git

from mortem.workspace import Workspace


def edit_form(browser: Any, doc_id: str) -> list[tuple[str, str]]:
    page = browser.get(f"/postmortems/{doc_id}/edit")
    assert page.status_code == 200
    return form_fields(page.text, "editor")


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def submit(browser: Any, doc_id: str, fields: list[tuple[str, str]]) -> Any:
    """Post the fields as a browser posts a form (repeated names in order)."""
    return browser.client.post(
        f"/postmortems/{doc_id}", content=urlencode(fields), headers=FORM, follow_redirects=False
    )


def lint(browser: Any, doc_id: str, fields: list[tuple[str, str]]) -> Any:
    return browser.api(
        "POST", f"/postmortems/{doc_id}/lint", content=urlencode(fields), headers=FORM
    ).json()


def test_saving_an_untouched_form_changes_nothing(login: Any, repo: Workspace) -> None:
    editor = login("priya")
    before = repo.store.path_for(CHECKOUT_ID).read_bytes()
    head = git(repo.root, "rev-parse", "HEAD")
    response = submit(editor, CHECKOUT_ID, edit_form(editor, CHECKOUT_ID))
    assert response.status_code == 303, response.text
    assert repo.store.path_for(CHECKOUT_ID).read_bytes() == before
    assert git(repo.root, "rev-parse", "HEAD") == head
    assert "No changes" in editor.get(f"/postmortems/{CHECKOUT_ID}").text


def test_an_edit_changes_only_its_lines_and_commits_as_the_person(
    login: Any, repo: Workspace
) -> None:
    editor = login("priya")
    fields = edit_form(editor, CHECKOUT_ID)
    fields = replace(fields, "severity", "SEV1")
    fields = replace(fields, "actions-title", "Count requests per client id, not per address.", 0)
    # The first spare timeline row (after the two existing ones) becomes a new event.
    fields = replace(fields, "timeline-at", "2026-03-14T03:05:00Z", 2)
    fields = replace(fields, "timeline-event", "Rate limit switched to client ids.", 2)
    fields = replace(fields, "timeline-kind", "mitigation", 2)
    fields.append(("whys-remove", "o1"))  # the second why
    response = submit(editor, CHECKOUT_ID, fields)
    assert response.status_code == 303, response.text
    diff = git(repo.root, "show", "--format=%an <%ae>|%s", "-U0", "HEAD")
    header, _, body = diff.partition("\n")
    assert header == f"Priya Raman <priya@example.com>|Edit {CHECKOUT_ID}"
    removed = sorted(
        line for line in body.splitlines() if line.startswith("-") and not line.startswith("---")
    )
    added = sorted(
        line for line in body.splitlines() if line.startswith("+") and not line.startswith("+++")
    )
    assert removed == sorted(
        [
            "-severity: SEV2",
            "-    title: Count requests per client id in the rate limiter.",
            "-  - why: Why was the pool exhausted?",
            "-    because: The rate limiter counted per address, so the burst passed it.",
        ]
    )
    assert added == sorted(
        [
            "+severity: SEV1",
            "+    title: Count requests per client id, not per address.",
            "+  - at: 2026-03-14T03:05:00Z",
            "+    event: Rate limit switched to client ids.",
            "+    kind: mitigation",
        ]
    )
    pm = repo.store.load(CHECKOUT_ID).model()
    assert [w.why for w in pm.whys] == ["Why did checkout time out?"]
    assert pm.timeline[-1].kind == "mitigation"


def test_adding_an_action_item_and_closing_one(login: Any, repo: Workspace) -> None:
    editor = login("priya")
    fields = edit_form(editor, SEARCH_ID)
    fields = replace(fields, "actions-status", "done", 0)
    fields = replace(fields, "actions-title", "Alert when the index is older than 2 hours.", 1)
    fields = replace(fields, "actions-owner", "sam", 1)
    fields = replace(fields, "actions-due", "2026-03-01", 1)
    fields = replace(fields, "actions-type", "detect", 1)
    assert submit(editor, SEARCH_ID, fields).status_code == 303
    items = repo.store.load(SEARCH_ID).model().action_items
    today = dt.datetime.now(dt.UTC).date()
    assert [(a.id, a.status, a.closed_on) for a in items] == [
        ("A1", "done", today),
        ("A2", "open", None),
    ]
    assert (items[1].owner, items[1].due, items[1].type) == ("sam", dt.date(2026, 3, 1), "detect")


def test_a_stale_save_is_refused_with_what_changed(login: Any, repo: Workspace) -> None:
    first, second = login("priya"), login("ada")
    mine = edit_form(first, CHECKOUT_ID)
    theirs = replace(
        edit_form(second, CHECKOUT_ID), "impact", "4,100 checkouts failed; 37 merchants wrote in."
    )
    assert submit(second, CHECKOUT_ID, theirs).status_code == 303
    after_theirs = repo.store.path_for(CHECKOUT_ID).read_bytes()
    head = git(repo.root, "rev-parse", "HEAD")
    mine = replace(mine, "impact", "About 4,100 checkouts failed over 25 minutes.")
    refused = submit(first, CHECKOUT_ID, mine)
    assert refused.status_code == 409
    assert "changed by someone else" in refused.text
    assert "+impact: 4,100 checkouts failed; 37 merchants wrote in." in refused.text
    assert "-impact: 4,100 checkouts failed over 25 minutes." in refused.text
    assert "About 4,100 checkouts failed over 25 minutes." in refused.text  # theirs is kept too
    assert repo.store.path_for(CHECKOUT_ID).read_bytes() == after_theirs
    assert git(repo.root, "rev-parse", "HEAD") == head


def test_form_errors_keep_the_input_and_write_nothing(login: Any, repo: Workspace) -> None:
    editor = login("priya")
    before = repo.store.path_for(CHECKOUT_ID).read_bytes()
    fields = replace(edit_form(editor, CHECKOUT_ID), "detected_at", "2026-03-14 02:51")
    fields = replace(fields, "whys-because", "", 0)
    fields = replace(fields, "timeline-at", "2206-03-14T02:47:00Z", 0)
    response = submit(editor, CHECKOUT_ID, fields)
    assert response.status_code == 422
    assert "has no timezone" in response.text
    assert "5 whys, row 1" in response.text and "fill in because" in response.text
    assert 'value="2026-03-14 02:51"' in response.text
    assert "is in the future: check the year" in response.text
    assert repo.store.path_for(CHECKOUT_ID).read_bytes() == before


def test_problems_of_the_file_are_refused(login: Any, repo: Workspace) -> None:
    editor = login("priya")
    before = repo.store.path_for(CHECKOUT_ID).read_bytes()
    fields = replace(edit_form(editor, CHECKOUT_ID), "resolved_at", "2026-03-13T00:00:00Z")
    response = submit(editor, CHECKOUT_ID, fields)
    assert response.status_code == 422
    assert "resolved_at" in response.text and "before started_at" in response.text
    assert repo.store.path_for(CHECKOUT_ID).read_bytes() == before


def test_narrative_edits_keep_the_front_matter(login: Any, repo: Workspace) -> None:
    editor = login("priya")
    doc = repo.store.load(CHECKOUT_ID)
    front = doc.text[: len(doc.text) - len(doc.body)]
    new_body = (
        doc.body.replace("25 minutes", "twenty-five minutes")
        + "\n## Lessons learned\n\nLimit by client.\n"
    )
    fields = replace(edit_form(editor, CHECKOUT_ID), "body", new_body.replace("\n", "\r\n"))
    assert submit(editor, CHECKOUT_ID, fields).status_code == 303
    text = repo.store.path_for(CHECKOUT_ID).read_text()
    assert text.startswith(front) and "\r" not in text
    assert text.endswith("Limit by client.\n") and "twenty-five minutes" in text


def test_create_from_a_template(login: Any, repo: Workspace) -> None:
    editor = login("priya")
    form = editor.get("/postmortems/new")
    assert 'value="google-sre"' in form.text
    response = editor.post(
        "/postmortems",
        {
            "title": "Webhooks were delivered twice",
            "template": "google-sre",
            "severity": "SEV3",
            "services": "webhooks, payments-api",
            "started_at": "2026-04-02T08:15:00Z",
        },
    )
    doc_id = "2026-04-02-webhooks-were-delivered-twice"
    assert (
        response.status_code == 303
        and response.headers["location"] == f"/postmortems/{doc_id}/edit"
    )
    doc = repo.store.load(doc_id)
    pm = doc.model()
    assert (pm.status, pm.severity, pm.services, pm.authors) == (
        "draft",
        "SEV3",
        ["webhooks", "payments-api"],
        ["priya"],
    )
    assert (
        git(repo.root, "log", "-1", "--format=%an|%s").strip()
        == f"Priya Raman|Create postmortem {doc_id}"
    )
    bad = editor.post("/postmortems", {"title": "x", "started_at": "yesterday"})
    assert bad.status_code == 422 and "not a time" in bad.text


def test_lint_endpoint_checks_the_form_before_saving(login: Any, repo: Workspace) -> None:
    editor = login("priya")
    fields = edit_form(editor, CHECKOUT_ID)
    ok = lint(editor, CHECKOUT_ID, fields)
    assert ok["errors"] == [] and ok["problems"] == [] and ok["stale"] is False
    bad_time = replace(fields, "started_at", "soon")
    result = lint(editor, CHECKOUT_ID, bad_time)
    assert result["errors"][0]["field"] == "started_at"
    late = replace(fields, "resolved_at", "2026-03-13T00:00:00Z")
    result = lint(editor, CHECKOUT_ID, late)
    assert any("before started_at" in p["message"] for p in result["problems"])
    assert repo.store.load(CHECKOUT_ID).model().resolved_at == dt.datetime(
        2026, 3, 14, 3, 12, tzinfo=dt.UTC
    )


def test_unknown_keys_and_comments_survive_an_edit(login: Any, repo: Workspace) -> None:
    path = repo.store.path_for(SEARCH_ID)
    text = path.read_text().replace(
        "severity: SEV3\n", "severity: SEV3   # guessed\nrunbook: https://example.com/rb\n"
    )
    text = text.replace("    owner: sam\n", "    owner: sam\n    jira: SRCH-12\n")
    path.write_text(text)
    git(repo.root, "commit", "-qam", "hand edit")
    editor = login("priya")
    fields = replace(
        edit_form(editor, SEARCH_ID), "actions-title", "Rebuild the search index every night.", 0
    )
    assert submit(editor, SEARCH_ID, fields).status_code == 303
    after = path.read_text()
    assert "severity: SEV3   # guessed\nrunbook: https://example.com/rb\n" in after
    assert "jira: SRCH-12" in after and "Rebuild the search index every night." in after


def test_the_forms_take_no_more_text_than_the_api(login: Any, repo: Workspace) -> None:
    editor = login("priya")
    head = git(repo.root, "rev-parse", "HEAD")
    files = sorted(repo.store.folder.iterdir())
    # The new-postmortem form: the API's 300 characters for a title.
    page = editor.get("/postmortems/new").text
    assert 'name="title" value="" maxlength="300"' in page
    made = editor.post("/postmortems", {"title": "T" * 100_000, "template": "default"})
    assert made.status_code == 422
    assert "title: 100,000 characters: at most 300" in made.text
    made = editor.post("/postmortems", {"title": "Short", "impact": "i" * 5001})
    assert made.status_code == 422 and "impact: 5,001 characters: at most 5,000" in made.text
    assert sorted(repo.store.folder.iterdir()) == files

    # The edit form: every free-text field, rows included.
    fields = edit_form(editor, CHECKOUT_ID)
    page = editor.get(f"/postmortems/{CHECKOUT_ID}/edit").text
    assert 'maxlength="300"' in page and 'maxlength="2000"' in page
    long = replace(fields, "title", "T" * 100_000)
    long = replace(long, "timeline-event", "E" * 2001, 0)
    long = replace(long, "actions-notes", "N" * 5001, 0)
    refused = submit(editor, CHECKOUT_ID, long)
    assert refused.status_code == 422
    assert "100,000 characters: at most 300" in refused.text
    assert "Timeline, row 1, event</strong>: 2,001 characters: at most 2,000" in refused.text
    assert "Action items, row 1, notes</strong>: 5,001 characters: at most 5,000" in refused.text
    # The live lint says the same before a save is tried.
    errors = lint(editor, CHECKOUT_ID, long)["errors"]
    assert {"field": "title", "message": "100,000 characters: at most 300"} in errors
    # A row position the form never made cannot become a huge number either.
    bad_row = [(k, "9" * 5000 if k == "whys-orig" else v) for k, v in fields]
    assert submit(editor, CHECKOUT_ID, bad_row).status_code == 422
    # Exactly at the limit is fine.
    assert submit(editor, CHECKOUT_ID, replace(fields, "title", "T" * 300)).status_code == 303
    assert repo.store.load(CHECKOUT_ID).data["title"] == "T" * 300
    assert git(repo.root, "rev-list", "--count", f"{head.strip()}..HEAD").strip() == "1"

    # Review and status notes: the API's limits too.
    reviewer = login("lee")
    note = reviewer.post(f"/postmortems/{SEARCH_ID}/review/approve", {"notes": "n" * 5001})
    assert note.status_code == 400 and "notes: 5,001 characters" in note.text
    status = editor.post(
        f"/actions/{SEARCH_ID}/A1/status", {"status": "wont-do", "note": "w" * 2001}
    )
    assert status.status_code == 400 and "note: 2,001 characters: at most 2,000" in status.text
    assert repo.store.load(SEARCH_ID).model().action_items[0].status == "open"


def test_a_long_field_written_elsewhere_does_not_block_other_edits(
    login: Any, repo: Workspace
) -> None:
    path = repo.store.path_for(CHECKOUT_ID)
    long_impact = "Checkouts failed. " * 400  # 7,200 characters, over the form's 5,000
    path.write_text(
        path.read_text().replace(
            "impact: 4,100 checkouts failed over 25 minutes.", "impact: " + long_impact.strip()
        )
    )
    git(repo.root, "commit", "-qam", "A long impact from an import")
    editor = login("priya")
    fields = replace(edit_form(editor, CHECKOUT_ID), "severity", "SEV1")
    assert submit(editor, CHECKOUT_ID, fields).status_code == 303
    data = repo.store.load(CHECKOUT_ID).data
    assert data["severity"] == "SEV1" and data["impact"] == long_impact.strip()
