"""The review workflow, follow-up reviews and the meeting agenda, on real repositories.

Roster: ana (author), ben and cy (reviewers); `[reviews] approvals = 2`, follow-ups
after 30 and 90 days.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
import yaml

from helpers import run_cli
from mortem.config import Settings
from mortem.document import YAML12Loader as YAML12
from mortem.errors import NotFoundError, UsageError
from mortem.git import Author
from mortem.metrics_facts import incident_from
from mortem.reviews import (
    NotPublishableError,
    agenda,
    approve,
    follow_up_schedule,
    publish,
    record_follow_up,
    request_review,
)
from mortem.workspace import Workspace

DOC = "2026-03-01-queue-stall"

ROSTER = """
[people.ana]
name = "Ana Silva"
team = "red"
email = "ana@example.com"

[people.ben]
name = "Ben Okoro"
team = "red"
email = "ben@example.com"

[people.cy]
name = "Cy Laine"
team = "blue"
email = "cy@example.com"
"""


def front(title: str, started: str, status: str = "draft", extra: str = "") -> str:
    return f"""\
---
title: {title}
status: {status}
severity: SEV2
services: [queue]
authors: [ana]
impact: Orders waited up to 20 minutes to be confirmed.
started_at: {started}
detected_at: {started[:11]}09:05:00Z
resolved_at: {started[:11]}09:40:00Z
contributing_factors:
  - category: capacity
    description: Consumers were at their limit.
action_items:
  - id: A1
    title: Add two consumers.
    owner: ben
    due: 2026-03-20
    status: open
  - id: A2
    title: Alert on consumer lag over 5 minutes.
    owner: cy
    due: 2026-03-05
    status: open
{extra}---
# Summary

The queue stalled.
"""


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def load(ws: Workspace, doc_id: str) -> dict:  # type: ignore[type-arg]
    text = (ws.root / "postmortems" / f"{doc_id}.md").read_text(encoding="utf-8")
    # YAML 1.2, as mortem reads it: `on:` is a key, not the boolean true.
    return yaml.load(text.split("---\n")[1], Loader=YAML12)  # type: ignore[no-any-return]


@pytest.fixture
def repo(tmp_path: Path) -> Workspace:
    root = tmp_path / "repo"
    Workspace.init(root)
    config = root / "mortem.toml"
    config.write_text(
        config.read_text().replace("approvals = 1", "approvals = 2") + ROSTER, encoding="utf-8"
    )
    (root / "postmortems" / f"{DOC}.md").write_text(
        front("Queue stalled", "2026-03-01T09:00:00Z"), encoding="utf-8"
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "a draft")
    return Workspace.open(root)


def test_the_workflow_from_draft_to_published(repo: Workspace) -> None:
    day = dt.date(2026, 3, 2)
    with pytest.raises(NotPublishableError) as refused:
        publish(repo, DOC, None, day)
    assert "it is a draft" in str(refused.value) and "0 of the 2 approvals" in str(refused.value)

    request_review(repo, DOC, ["ben", "cy", "ben"], None, day)
    data = load(repo, DOC)
    assert data["status"] == "in-review"
    assert data["reviews"] == [{"on": day, "kind": "request", "reviewers": ["ben", "cy"]}]
    assert "reviewers: [ben, cy]" in (repo.store.path_for(DOC)).read_text()

    with pytest.raises(UsageError, match="authors cannot approve"):
        approve(repo, DOC, "ana", None, day)
    approve(
        repo,
        DOC,
        "ben",
        Author("Ben Okoro", "ben@example.com"),
        dt.date(2026, 3, 3),
        notes="Clear timeline.",
    )
    with pytest.raises(UsageError, match="ben has already approved"):
        approve(repo, DOC, "ben", None, day)
    with pytest.raises(NotPublishableError, match="1 of the 2 approvals"):
        publish(repo, DOC, None, day)

    # `mortem status ID published` goes through the same check.
    via_status = run_cli("status", DOC, "published", cwd=repo.root)
    assert via_status.returncode == 1 and "1 of the 2 approvals" in via_status.stderr
    assert load(repo, DOC)["status"] == "in-review"

    approved = run_cli(
        "--author", "cy", "review", "approve", DOC, "--today", "2026-03-04", cwd=repo.root
    )
    assert approved.returncode == 0, approved.stderr
    assert "approved by cy (2 approvals, 2 needed)" in approved.stderr
    assert git(repo.root, "log", "-1", "--format=%an|%s").strip() == f"Cy Laine|Approve {DOC} (cy)"

    published = run_cli("--author", "ana", "publish", DOC, "--today", "2026-03-10", cwd=repo.root)
    assert published.returncode == 0, published.stderr
    assert "published on 2026-03-10 by ana" in published.stderr
    data = load(repo, DOC)
    assert (data["status"], data["published_on"]) == ("published", dt.date(2026, 3, 10))
    # Who published is recorded with the rest of the review history.
    assert [(r["kind"], r["reviewers"], r["on"]) for r in data["reviews"]] == [
        ("request", ["ben", "cy"], dt.date(2026, 3, 2)),
        ("approval", ["ben"], dt.date(2026, 3, 3)),
        ("approval", ["cy"], dt.date(2026, 3, 4)),
        ("publish", ["ana"], dt.date(2026, 3, 10)),
    ]
    assert data["reviews"][1]["notes"] == "Clear timeline."
    diff = git(repo.root, "diff", "HEAD~1", "-U0")
    changed = [x for x in diff.splitlines() if x[:1] in "+-" and x[:3] not in ("+++", "---")]
    assert changed == [
        "-status: in-review",
        "+status: published",
        "+  - on: 2026-03-10",
        "+    kind: publish",
        "+    reviewers: [ana]",
        "+published_on: 2026-03-10",
    ]
    assert git(repo.root, "log", "-1", "--format=%an|%s").strip() == f"Ana Silva|Publish {DOC}"
    shown = run_cli("show", DOC, cwd=repo.root).stdout
    assert "published 2026-03-10 by ana" in " ".join(shown.split())
    history = [
        " ".join(line.replace("│", " ").split()) for line in shown.split("Reviews")[1].splitlines()
    ]
    assert any("2026-03-04 approval approved by cy" in line for line in history)
    assert any("2026-03-10 publish published by ana" in line for line in history)
    again = run_cli("publish", DOC, cwd=repo.root)
    assert again.returncode == 2 and "already published" in again.stderr


def test_status_published_succeeds_once_approved(repo: Workspace) -> None:
    day = dt.date(2026, 3, 2)
    request_review(repo, DOC, ["ben", "cy"], None, day)
    approve(repo, DOC, "ben", None, day)
    approve(repo, DOC, "cy", None, day)
    result = run_cli(
        "--author", "Ben Okoro <ben@example.com>", "status", DOC, "published", cwd=repo.root
    )
    assert result.returncode == 0, result.stderr
    data = load(repo, DOC)
    assert data["status"] == "published" and data["published_on"] == dt.date.today()
    # The acting identity, matched to the roster by e-mail, is recorded as the publisher.
    assert data["reviews"][-1] == {"on": dt.date.today(), "kind": "publish", "reviewers": ["ben"]}


def test_an_invalid_postmortem_cannot_be_published(repo: Workspace) -> None:
    broken = "2026-03-02-broken"
    text = front("Broken", "2026-03-02T09:00:00Z", "in-review").replace("SEV2", "P1")
    (repo.root / "postmortems" / f"{broken}.md").write_text(text, encoding="utf-8")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "broken")
    with pytest.raises(NotPublishableError) as refused:
        publish(repo, broken, None, dt.date(2026, 3, 3))
    message = str(refused.value)
    assert message.startswith(f"postmortems/{broken}.md: cannot publish:")
    assert "severity" in message and "'P1'" in message
    assert "0 of the 2 approvals" in message


def test_lint_errors_block_publishing(repo: Workspace) -> None:
    pytest.importorskip("mortem.lint.engine")
    day = dt.date(2026, 3, 2)
    path = repo.store.path_for(DOC)
    text = path.read_text(encoding="utf-8")
    blaming = text.replace("The queue stalled.", "The outage was caused by human error.")
    path.write_text(blaming, encoding="utf-8")
    git(repo.root, "commit", "-q", "-am", "blame")
    request_review(repo, DOC, ["ben", "cy"], None, day)
    approve(repo, DOC, "ben", None, day)
    approve(repo, DOC, "cy", None, day)
    with pytest.raises(NotPublishableError, match=r"postmortems/.*\.md:\d+: B104"):
        publish(repo, DOC, None, day)
    assert load(repo, DOC)["status"] == "in-review"


def test_request_and_approve_refuse_the_wrong_status(repo: Workspace) -> None:
    with pytest.raises(UsageError, match="is draft, not in-review"):
        approve(repo, DOC, "ben", None, dt.date(2026, 3, 2))
    with pytest.raises(UsageError, match="at least one reviewer"):
        request_review(repo, DOC, [" "], None, dt.date(2026, 3, 2))
    with pytest.raises(NotFoundError, match="no postmortem"):
        request_review(repo, "2026-01-01-nope", ["ben"], None, dt.date(2026, 3, 2))


def _published(repo: Workspace) -> None:
    day = dt.date(2026, 3, 2)
    request_review(repo, DOC, ["ben", "cy"], None, day)
    approve(repo, DOC, "ben", None, day)
    approve(repo, DOC, "cy", None, day)
    publish(repo, DOC, None, dt.date(2026, 3, 10))


def due(repo: Workspace, today: str, *extra: str) -> list[dict]:  # type: ignore[type-arg]
    result = run_cli("review", "due", "-f", "json", "--today", today, *extra, cwd=repo.root)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_follow_ups_come_due_and_are_recorded(repo: Workspace) -> None:
    _published(repo)
    # Published 2026-03-10: follow-ups due 2026-04-09 (30 days) and 2026-06-08 (90 days).
    assert due(repo, "2026-04-08") == []
    [first] = due(repo, "2026-04-09")
    assert (first["number"], first["due"], first["state"], first["days_late"]) == (
        1,
        "2026-04-09",
        "due",
        0,
    )
    [late] = due(repo, "2026-04-20")
    assert (late["state"], late["days_late"], late["when"]) == ("overdue", 11, "11 days late")
    both = due(repo, "2026-04-20", "--within", "60")
    assert [(f["number"], f["due"], f["state"]) for f in both] == [
        (1, "2026-04-09", "overdue"),
        (2, "2026-06-08", "upcoming"),
    ]
    # Not due yet: how many days until it is, never "0 days late".
    assert (both[1]["days_late"], both[1]["days_until_due"]) == (None, 49)
    table = run_cli("review", "due", "--within", "60", "--today", "2026-04-20", cwd=repo.root)
    assert "11 days late" in table.stdout and "due in 49 days" in table.stdout
    assert "days late" not in table.stdout.splitlines()[0]
    bad = run_cli("review", "due", "--within", "-1", cwd=repo.root)
    assert bad.returncode == 2 and "--within -1" in bad.stderr

    recorded = run_cli(
        "--author", "cy", "review", "record", DOC, "--outcome", "partly", "--worked", "A1",
        "--notes", "Lag alert still missing.", "--today", "2026-04-21", cwd=repo.root,
    )  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    entry = load(repo, DOC)["reviews"][-1]
    assert entry == {
        "on": dt.date(2026, 4, 21),
        "kind": "follow-up",
        "reviewers": ["cy"],
        "outcome": "partly",
        "effective_actions": ["A1"],
        "notes": "Lag alert still missing.",
    }
    assert due(repo, "2026-04-21") == []
    [second] = due(repo, "2026-06-09")
    assert (second["number"], second["state"]) == (2, "overdue")

    with pytest.raises(NotFoundError, match=r"no action item A7 \(it has: A1, A2\)"):
        record_follow_up(repo, DOC, "effective", ["cy"], None, dt.date(2026, 6, 9), worked=["A7"])
    with pytest.raises(UsageError, match="unknown outcome 'great'"):
        record_follow_up(repo, DOC, "great", ["cy"], None, dt.date(2026, 6, 9))


def test_follow_ups_need_a_published_postmortem(repo: Workspace) -> None:
    result = run_cli(
        "review", "record", DOC, "--outcome", "effective", "--author", "cy", cwd=repo.root
    )
    assert result.returncode == 2
    outcome = run_cli(
        "--author", "cy", "review", "record", DOC, "--outcome", "effective", cwd=repo.root
    )
    assert outcome.returncode == 2 and "is not published" in outcome.stderr


def test_files_published_before_mortem_count_from_their_last_approval() -> None:
    legacy = incident_from(
        "old",
        {
            "title": "old",
            "status": "published",
            "reviews": [
                {"on": "2025-01-10", "kind": "approval", "reviewers": ["a"]},
                {"on": "2025-01-12", "kind": "approval", "reviewers": ["b"]},
                {"on": "2025-03-01", "kind": "follow-up", "reviewers": ["a"]},
            ],
        },
    )
    unknown = incident_from("unknown", {"title": "u", "status": "published"})
    # A publish entry without published_on (added by hand, say) dates the publishing.
    by_entry = incident_from(
        "entry",
        {
            "title": "e",
            "status": "published",
            "reviews": [
                {"on": "2025-01-10", "kind": "approval", "reviewers": ["a"]},
                {"on": "2025-01-20", "kind": "publish", "reviewers": ["b"]},
            ],
        },
    )
    assert by_entry.publish_date() == dt.date(2025, 1, 20)
    schedule, excluded = follow_up_schedule([legacy, unknown], Settings())
    assert [(f.number, f.due, f.held_on) for f in schedule] == [
        (1, dt.date(2025, 2, 11), dt.date(2025, 3, 1)),
        (2, dt.date(2025, 4, 12), None),
    ]
    assert [(e.subject, e.reason) for e in excluded] == [
        ("unknown", "published, but no published_on or approval")
    ]


def test_agenda_of_the_review_meeting(repo: Workspace) -> None:
    _published(repo)
    other = "2026-03-05-queue-stall-again"
    waiting = front("Queue <stalled> again", "2026-03-05T09:00:00Z", "in-review")
    (repo.root / "postmortems" / f"{other}.md").write_text(waiting, encoding="utf-8")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "another")

    found = agenda(repo, dt.date(2026, 4, 12), dt.date(2026, 3, 1))
    assert [(i.id, d) for i, d in found.published] == [(DOC, dt.date(2026, 3, 10))]
    assert [(i.id, n) for i, n in found.in_review] == [(other, 0)]
    assert [(f.pm_id, f.number) for f in found.follow_ups] == [(DOC, 1)]
    # A2 of both files (due 03-05) and A1 of both (due 03-20) are overdue on 04-12.
    assert {o: [i.ref for i in items] for o, items in found.overdue.items()} == {
        "ben": [f"{DOC}/A1", f"{other}/A1"],
        "cy": [f"{DOC}/A2", f"{other}/A2"],
    }
    assert [(p.service, p.category, p.postmortems) for p in found.patterns] == [
        ("queue", "capacity", (DOC, other))
    ]
    # The default "since" is one meeting interval (14 days) ago: nothing published then.
    assert agenda(repo, dt.date(2026, 4, 12)).published == []

    md = run_cli(
        "review", "agenda", "--since", "2026-03-01", "--today", "2026-04-12", cwd=repo.root
    )
    assert md.returncode == 0, md.stderr
    text = md.stdout
    assert text.startswith("# Postmortem review meeting, 2026-04-12")
    # The header names both windows: the meeting's, and the repeat patterns' 90 days.
    assert "Covers 2026-03-01 to 2026-04-12" in text
    assert "repeat patterns look at incidents started 2026-01-12 to 2026-04-12" in text
    assert "## Published since the last meeting (1)" in text
    assert f"| {DOC} | Queue stalled | SEV2 | 2026-03-10 |" in text
    assert f"| {DOC} | #1 (30 days) | 2026-04-09 | 3 |" in text
    assert f"| ben | {DOC}/A1 | Add two consumers. | 2026-03-20 | 23 |" in text
    assert "| queue | capacity |" in text

    out = repo.root / "agenda.html"
    page = run_cli(
        "review", "agenda", "-f", "html", "-o", str(out), "--since", "2026-03-01",
        "--today", "2026-04-12", cwd=repo.root,
    )  # fmt: skip
    assert page.returncode == 0, page.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Queue &lt;stalled&gt; again" in html
    assert "<stalled>" not in html and "http" not in html.replace("http-equiv", "")
    bad = run_cli("review", "agenda", "-f", "pdf", cwd=repo.root)
    assert bad.returncode == 2 and "use md or html" in bad.stderr
    negative = run_cli("review", "agenda", "--pattern-days", "-5", cwd=repo.root)
    assert negative.returncode == 2 and "--pattern-days -5" in negative.stderr


def test_reviewers_are_checked_against_the_roster(repo: Workspace, tmp_path: Path) -> None:
    root = repo.root
    unknown = run_cli("review", "request", DOC, "-r", "ben", "-r", "zoe", cwd=root)
    assert unknown.returncode == 2
    assert "--reviewer 'zoe' is not on the roster (people: ana, ben, cy)" in unknown.stderr
    assert load(repo, DOC)["status"] == "draft"
    # A full name or an e-mail is matched to its roster key.
    named = run_cli("review", "request", DOC, "-r", "Ben Okoro", "-r", "cy@example.com", cwd=root)
    assert named.returncode == 0, named.stderr
    assert load(repo, DOC)["reviews"][0]["reviewers"] == ["ben", "cy"]

    # With no roster at all, names are kept as given, with a warning.
    bare = Workspace.init(tmp_path / "bare")
    (bare.root / "postmortems" / f"{DOC}.md").write_text(
        front("Queue stalled", "2026-03-01T09:00:00Z"), encoding="utf-8"
    )
    git(bare.root, "add", "-A")
    git(bare.root, "commit", "-q", "-m", "a draft")
    kept = run_cli("review", "request", DOC, "-r", "Zoe Free", cwd=bare.root)
    assert kept.returncode == 0, kept.stderr
    assert "warning: the roster is empty" in kept.stderr
    assert load(bare, DOC)["reviews"][0]["reviewers"] == ["Zoe Free"]
