"""A real browser (Debian's chromium through playwright) against the real server.

One person writes a postmortem from a template, sees the linter object and fixes the
text, saves, asks for a review; a reviewer approves and publishes; the action item is
closed in one click and the dashboard moves. Screenshots of the main pages are saved
in tests/web/screenshots/ (ignored by git) for people to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from webkit import CHECKOUT_ID, LAG_PNG, PASSWORD, SCREENSHOTS, LiveServer, git

from mortem.workspace import Workspace

pytestmark = pytest.mark.browser

NEW_ID = "2026-05-04-queue-consumers-stalled-after-a-broker-failover"


@pytest.fixture
def page(chromium: Any, live: LiveServer) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, base_url=live.url)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield tab
    context.close()
    assert not errors, f"the page logged errors: {errors}"


def sign_in(tab: Any, user: str) -> None:
    tab.goto("/login")
    tab.fill("input[name=username]", user)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url("**/")


def sign_out(tab: Any) -> None:
    tab.click("button:has-text('Sign out')")
    tab.wait_for_url("**/login")


def shot(tab: Any, name: str, full_page: bool = True) -> None:
    """Save a screenshot; `full_page=False` for pages with sticky parts, which a full-page
    capture draws where the viewport happened to be (mid-page) instead of at the top."""
    SCREENSHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def figure(tab: Any, label: str) -> str:
    card = tab.locator(".figure", has=tab.locator(".label", has_text=label)).first
    return str(card.locator(".value").inner_text())


def test_write_review_publish_and_close(page: Any, repo: Workspace) -> None:
    tab = page
    sign_in(tab, "priya")
    shot(tab, "home")
    tab.goto("/dashboard")
    done_before = figure(tab, "actions completed")

    # A new postmortem from a template.
    tab.goto("/")
    tab.click("text=New postmortem")
    tab.fill("input[name=title]", "Queue consumers stalled after a broker failover")
    tab.check("input[name=template][value=default]")
    tab.select_option("select[name=severity]", "SEV2")
    tab.fill("input[name=services]", "orders-api")
    tab.fill("input[name=started_at]", "2026-05-04T10:00:00Z")
    shot(tab, "new")
    tab.click("button:has-text('Create draft')")
    tab.wait_for_url(f"**/postmortems/{NEW_ID}/edit")

    tab.fill("input[name=detected_at]", "2026-05-04T10:07:00Z")
    tab.fill("input[name=mitigated_at]", "2026-05-04T10:31:00Z")
    tab.fill("input[name=resolved_at]", "2026-05-04T10:52:00Z")
    tab.fill("textarea[name=impact]", "Orders waited up to 50 minutes to be confirmed.")
    # Two timeline rows: the blank one, then one more added with the button.
    timeline = tab.locator("fieldset[data-table=timeline]")
    rows = timeline.locator(".row")
    first_blank = rows.count() - 1
    rows.nth(first_blank).locator("input[name=timeline-at]").fill("2026-05-04T10:00:00Z")
    rows.nth(first_blank).locator("textarea[name=timeline-event]").fill(
        "The broker fails over to its standby."
    )
    rows.nth(first_blank).locator("select[name=timeline-kind]").select_option("trigger")
    timeline.locator("button:has-text('Add row')").click()
    rows.last.locator("input[name=timeline-at]").fill("2026-05-04T10:07:00Z")
    rows.last.locator("textarea[name=timeline-event]").fill(
        "The consumer lag alert pages the on-call engineer."
    )
    rows.last.locator("select[name=timeline-kind]").select_option("detection")
    whys = tab.locator("fieldset[data-table=whys] .row")
    whys.nth(0).locator("textarea[name=whys-why]").fill("Why did orders wait?")
    whys.nth(0).locator("textarea[name=whys-because]").fill(
        "The consumers stopped reading after the failover."
    )
    add_why = tab.locator("fieldset[data-table=whys] button:has-text('Add row')")
    # A row added by mistake, filled in, then taken out with its Remove button.
    add_why.click()
    whys.nth(1).locator("textarea[name=whys-why]").fill("Why was this row added?")
    whys.nth(1).locator("textarea[name=whys-because]").fill("By mistake.")
    add_why.click()
    assert whys.count() == 3
    whys.nth(1).locator("button:has-text('Remove')").click()
    assert whys.count() == 2
    whys.nth(1).locator("textarea[name=whys-why]").fill("Why did they stop?")
    whys.nth(1).locator("textarea[name=whys-because]").fill(
        "Their client does not reconnect to a new broker address."
    )
    factor = tab.locator("fieldset[data-table=factors] .row").first
    factor.locator("select[name=factors-category]").select_option("dependency")
    factor.locator("textarea[name=factors-description]").fill(
        "The broker client library has no reconnect."
    )
    action = tab.locator("fieldset[data-table=actions] .row").first
    action.locator("textarea[name=actions-title]").fill(
        "Reconnect consumers when the broker address changes."
    )
    action.locator("input[name=actions-owner]").fill("priya")
    action.locator("input[name=actions-due]").fill("2026-06-01")
    action.locator("select[name=actions-type]").select_option("prevent")

    # The linter objects while typing, before anything is saved...
    body = tab.locator("textarea[name=body]")
    text = body.input_value().replace(
        "<!-- Two or three sentences: what broke, for whom, for how long, and how it was fixed. -->",
        "Human error caused the outage.",
    )
    body.fill(text)
    finding = tab.locator("#lint-results .finding", has_text="Human error")
    finding.first.wait_for()
    # The narrative from its first line, with the lint panel beside it.
    body.evaluate("area => { area.scrollTop = 0; area.scrollIntoView({block: 'center'}); }")
    # The lint panel stays in view, its heading below the sticky header, not under it.
    header = tab.locator(".pmhead.sticky").bounding_box()
    heading = tab.locator("#lint-panel h2").bounding_box()
    assert header["y"] + header["height"] <= heading["y"] < 900 - heading["height"]
    shot(tab, "edit-lint", full_page=False)
    # ...and is satisfied once the text says what the system did.
    body.fill(
        text.replace(
            "Human error caused the outage.",
            "Consumers stopped reading after a broker failover; orders waited for 50 minutes.",
        )
    )
    finding.first.wait_for(state="detached")
    # A screenshot of the lag graph, uploaded while editing: committed at once, linked
    # in the narrative being edited, shown inline once saved.
    tab.set_input_files(
        "#upload-file",
        files=[{"name": "Consumer Lag.png", "mimeType": "image/png", "buffer": LAG_PNG}],
    )
    tab.click("#upload-panel button:has-text('Upload')")
    tab.locator("#upload-state", has_text="Attached consumer-lag.png").wait_for()
    # Linked as the server links it in the file: under an Evidence heading at the end.
    assert body.input_value().endswith(
        f"\n\n## Evidence\n\n- ![consumer-lag.png]({NEW_ID}/consumer-lag.png)\n"
    )
    tab.click("button:has-text('Save')")
    tab.wait_for_url(f"**/postmortems/{NEW_ID}")
    assert "Saved." in tab.locator(".flash").inner_text()
    image = tab.locator(f"article.prose img[src='/postmortems/{NEW_ID}/consumer-lag.png']")
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 480
    pm = repo.store.load(NEW_ID).model()
    assert [e.kind for e in pm.timeline] == ["trigger", "detection"]
    assert [w.why for w in pm.whys] == ["Why did orders wait?", "Why did they stop?"]
    assert pm.action_items[0].title == "Reconnect consumers when the broker address changes."
    assert git(repo.root, "log", "-1", "--format=%an|%s").strip() == f"Priya Raman|Edit {NEW_ID}"
    shot(tab, "postmortem-draft")

    tab.fill("input[name=reviewers]", "lee")
    tab.click("button:has-text('Request review')")
    tab.wait_for_url(f"**/postmortems/{NEW_ID}")
    assert tab.locator(".reviewpanel").inner_text().startswith("In review")
    sign_out(tab)

    sign_in(tab, "lee")
    tab.goto("/reviews")
    shot(tab, "reviews")
    tab.click(f"a[href='/postmortems/{NEW_ID}']")
    tab.click("button:has-text('Approve')")
    tab.wait_for_url(f"**/postmortems/{NEW_ID}")
    tab.click("button:has-text('Publish')")
    tab.wait_for_url(f"**/postmortems/{NEW_ID}")
    assert "Published" in tab.locator(".flash").inner_text()
    assert repo.store.load(NEW_ID).model().status == "published"
    shot(tab, "postmortem")
    sign_out(tab)

    sign_in(tab, "priya")
    tab.goto("/actions?owner=priya")
    row = tab.locator("tr", has_text="Reconnect consumers when the broker address changes.")
    row.locator("button:has-text('Mark done')").click()
    tab.wait_for_url("**/actions?owner=priya")
    assert "is now done" in tab.locator(".flash").inner_text()
    assert repo.store.load(NEW_ID).model().action_items[0].status == "done"
    shot(tab, "actions")
    tab.goto("/dashboard")
    done_after = figure(tab, "actions completed")
    assert done_after != done_before
    assert int(done_after.rstrip("%")) > int(done_before.rstrip("%"))
    shot(tab, "dashboard")
    tab.goto("/postmortems")
    shot(tab, "list")
    tab.goto(f"/postmortems/{NEW_ID}/edit")
    shot(tab, "edit", full_page=False)


def test_editing_without_javascript(chromium: Any, live: LiveServer, repo: Workspace) -> None:
    context = chromium.new_context(java_script_enabled=False, base_url=live.url)
    tab = context.new_page()
    sign_in(tab, "priya")
    tab.goto(f"/postmortems/{CHECKOUT_ID}/edit")
    spare = tab.locator("fieldset[data-table=whys] .row").last
    spare.locator("textarea[name=whys-why]").fill("Why did nobody see the burst coming?")
    spare.locator("textarea[name=whys-because]").fill("Traffic by source address was not graphed.")
    tab.check("fieldset[data-table=timeline] input[name=timeline-remove][value=o1]")
    tab.click("button:has-text('Save')")
    tab.wait_for_url(f"**/postmortems/{CHECKOUT_ID}")
    pm = repo.store.load(CHECKOUT_ID).model()
    assert pm.whys[-1].because == "Traffic by source address was not graphed."
    assert [e.kind for e in pm.timeline] == ["trigger"]
    context.close()


def test_small_screens(chromium: Any, live: LiveServer) -> None:
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, base_url=live.url, device_scale_factor=2
    )
    tab = context.new_page()
    sign_in(tab, "priya")
    tab.goto(f"/postmortems/{CHECKOUT_ID}")
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px on a phone"
    shot(tab, "phone-postmortem")
    context.close()


def test_live_lint_needs_no_save(page: Any, repo: Workspace) -> None:
    sign_in(page, "priya")
    before = repo.store.path_for(CHECKOUT_ID).read_bytes()
    page.goto(f"/postmortems/{CHECKOUT_ID}/edit")
    page.fill("input[name=resolved_at]", "2026-03-13T00:00:00Z")
    page.locator(
        "#lint-results .finding", has_text=re.compile("before started_at")
    ).first.wait_for()
    assert repo.store.path_for(CHECKOUT_ID).read_bytes() == before


def test_removing_a_saved_row_with_its_button(page: Any, repo: Workspace) -> None:
    sign_in(page, "priya")
    page.goto(f"/postmortems/{CHECKOUT_ID}/edit")
    rows = page.locator("fieldset[data-table=timeline] .row")
    saved = rows.count() - 1  # and the spare blank row
    assert saved == 2
    # With JavaScript the Remove box of each saved row is a button.
    assert page.locator("fieldset[data-table=timeline] input[name=timeline-remove]").count() == 0
    rows.nth(0).locator("button:has-text('Remove')").click()
    assert rows.count() == saved
    page.click("button:has-text('Save')")
    page.wait_for_url(f"**/postmortems/{CHECKOUT_ID}")
    pm = repo.store.load(CHECKOUT_ID).model()
    assert [e.kind for e in pm.timeline] == ["detection"]
    assert git(repo.root, "log", "-1", "--format=%an|%s").strip() == (
        f"Priya Raman|Edit {CHECKOUT_ID}"
    )
