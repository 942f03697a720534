"""Action items across a small fixed repository: listing, filters, summary, status edits.

Today is 2026-03-01. Roster: ana and ben (team red), cy (team blue).

  X 2026-01-05-x  A1 ana       due 02-01 open         prevent   overdue 28 days
                  A2 red       due 03-15 in-progress  detect
                  A3 cy        due 01-20 done 01-25   process   late
  Y 2026-02-10-y  A1 ben       no due    open         mitigate
                  A2 cy        due 02-20 done 02-18   prevent   on time
                  A3 blue      due 02-25 wont-do 02-22
                  A4 Zed Free  due 02-15 open                   overdue 14 days
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
from pathlib import Path

import pytest
import yaml

from helpers import run_cli
from mortem.actions import ActionFilter, list_actions, set_status, summarize
from mortem.errors import NotFoundError, UsageError
from mortem.git import Author
from mortem.workspace import Workspace

TODAY = dt.date(2026, 3, 1)
X, Y = "2026-01-05-x", "2026-02-10-y"

ROSTER = """
[people.ana]
name = "Ana Silva"
team = "red"
email = "ana@example.com"

[people.ben]
name = "Ben Okoro"
team = "red"

[people.cy]
name = "Cy Laine"
team = "blue"
"""

X_TEXT = """\
---
title: Queue stalled
status: published
services: [queue]
started_at: 2026-01-05T09:00:00Z
action_items:
  # the first one matters most
  - id: A1
    title: Alert when the queue stops moving for 5 minutes.
    owner: ana
    due: 2026-02-01
    status: open
    type: prevent
  - id: A2
    title: Add a consumer lag dashboard.
    owner: red
    due: 2026-03-15
    status: in-progress
    type: detect
  - id: A3
    title: Write the queue runbook.
    owner: cy
    due: 2026-01-20
    status: done
    type: process
    closed_on: 2026-01-25
---
# Summary

The queue stalled.
"""

Y_TEXT = """\
---
title: Checkout slow
status: draft
services: [checkout]
started_at: 2026-02-10T09:00:00Z
action_items:
  - id: A1
    title: Cache tax rates for 5 minutes.
    owner: ben
    status: open
    type: mitigate
  - id: A2
    title: Time out tax calls after 1 s.
    owner: cy
    due: 2026-02-20
    status: done
    type: prevent
    closed_on: 2026-02-18
  - id: A3
    title: Replace the tax provider.
    owner: blue
    due: 2026-02-25
    status: wont-do
    closed_on: 2026-02-22
    notes: The contract runs until 2028.
  - id: A4
    title: Ask the provider for a status page feed.
    owner: Zed Free
    due: 2026-02-15
    status: open
---
# Summary

Checkout was slow.
"""


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Workspace:
    root = tmp_path / "repo"
    Workspace.init(root)
    with (root / "mortem.toml").open("a", encoding="utf-8") as handle:
        handle.write(ROSTER)
    (root / "postmortems" / f"{X}.md").write_text(X_TEXT, encoding="utf-8")
    (root / "postmortems" / f"{Y}.md").write_text(Y_TEXT, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "two postmortems")
    return Workspace.open(root)


def refs(ws: Workspace, **where: object) -> list[str]:
    return [a.ref for a in list_actions(ws, TODAY, ActionFilter(**where))]  # type: ignore[arg-type]


def test_listing_is_sorted_by_due_date_with_undated_last(repo: Workspace) -> None:
    assert refs(repo) == [
        f"{X}/A3",
        f"{X}/A1",
        f"{Y}/A4",
        f"{Y}/A2",
        f"{Y}/A3",
        f"{X}/A2",
        f"{Y}/A1",
    ]
    items = {a.ref: a for a in list_actions(repo, TODAY)}
    assert items[f"{X}/A1"].days_overdue == 28 and items[f"{Y}/A4"].days_overdue == 14
    assert items[f"{X}/A2"].days_overdue is None  # due after today
    assert items[f"{X}/A3"].days_overdue is None  # done
    assert items[f"{X}/A2"].team == "red"  # an owner that is a team is its own team
    assert items[f"{Y}/A4"].team is None  # not on the roster


def test_filters(repo: Workspace) -> None:
    assert refs(repo, overdue=True) == [f"{X}/A1", f"{Y}/A4"]
    assert refs(repo, team="red") == [f"{X}/A1", f"{X}/A2", f"{Y}/A1"]
    assert refs(repo, team="blue") == [f"{X}/A3", f"{Y}/A2", f"{Y}/A3"]
    assert refs(repo, owner="cy") == [f"{X}/A3", f"{Y}/A2"]
    assert refs(repo, postmortem=Y, statuses=("open",)) == [f"{Y}/A4", f"{Y}/A1"]
    assert refs(repo, type="prevent") == [f"{X}/A1", f"{Y}/A2"]
    assert refs(repo, statuses=("done",)) == [f"{X}/A3", f"{Y}/A2"]
    # Due bounds are inclusive and never match an undated item.
    assert refs(repo, due_before=dt.date(2026, 2, 15)) == [f"{X}/A3", f"{X}/A1", f"{Y}/A4"]
    assert refs(repo, due_after=dt.date(2026, 2, 20)) == [f"{Y}/A2", f"{Y}/A3", f"{X}/A2"]
    with pytest.raises(UsageError, match="unknown status 'closed'"):
        refs(repo, statuses=("closed",))
    with pytest.raises(UsageError, match="unknown type 'fix'"):
        refs(repo, type="fix")


def test_summary_counts_in_all_per_owner_and_per_team(repo: Workspace) -> None:
    result = summarize(list_actions(repo, TODAY))
    assert result.total.as_dict() == {
        "total": 7,
        "open": 4,
        "overdue": 2,
        "done": 2,
        "done_on_time": 1,
        "done_late": 1,
        "wont_do": 1,
    }
    teams = {name: c.as_dict() for name, c in result.by_team.items()}
    assert teams["red"] == {**dict.fromkeys(teams["red"], 0), "total": 3, "open": 3, "overdue": 1}
    assert teams["blue"] == {
        "total": 3,
        "open": 0,
        "overdue": 0,
        "done": 2,
        "done_on_time": 1,
        "done_late": 1,
        "wont_do": 1,
    }
    assert teams["(no team)"]["overdue"] == 1
    owners = result.by_owner
    assert set(owners) == {"ana", "ben", "blue", "cy", "red", "Zed Free"}
    assert (owners["cy"].done_on_time, owners["cy"].done_late) == (1, 1)
    assert [i.ref for i in result.oldest_overdue] == [f"{X}/A1", f"{Y}/A4"]
    assert [(e.subject, e.reason) for e in result.excluded] == [
        (f"{Y}/A1", "open without a due date")
    ]


def test_done_edits_only_the_item_and_commits_as_the_actor(repo: Workspace) -> None:
    root = repo.root
    result = run_cli(
        "--author", "ana", "actions", "done", f"{X}/A1", "--note", "Alert live.",
        "--today", "2026-03-01", cwd=root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "closed on 2026-03-01" in result.stderr
    diff = git(root, "diff", "HEAD~1", "-U0", "--", f"postmortems/{X}.md")
    changed = [
        line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed == [
        "-    status: open",
        "+    status: done",
        "+    closed_on: 2026-03-01",
        "+    notes: Alert live.",
    ]
    assert git(root, "log", "-1", "--format=%an <%ae>|%s").strip() == (
        f"Ana Silva <ana@example.com>|Close action item {X}/A1 (done)"
    )
    assert "# the first one matters most" in (root / "postmortems" / f"{X}.md").read_text()
    listed = json.loads(
        run_cli("actions", "--overdue", "-f", "json", "--today", "2026-03-01", cwd=root).stdout
    )
    assert [r["ref"] for r in listed] == [f"{Y}/A4"]


def test_start_reopen_and_wont_do(repo: Workspace) -> None:
    author = Author("Cy Laine", "cy@example.com")
    set_status(repo, f"{Y}/A1", "in-progress", author, TODAY)
    set_status(repo, f"{X}/A3", "open", author, TODAY, note="The runbook is out of date.")
    set_status(
        repo, f"{Y}/A4", "wont-do", author, TODAY, on=dt.date(2026, 2, 28), note="No feed exists."
    )
    front = yaml.safe_load((repo.root / "postmortems" / f"{X}.md").read_text().split("---")[1])
    a3 = front["action_items"][2]
    assert (a3["status"], a3["closed_on"], a3["notes"]) == (
        "open",
        None,
        "The runbook is out of date.",
    )
    front = yaml.safe_load((repo.root / "postmortems" / f"{Y}.md").read_text().split("---")[1])
    assert front["action_items"][0]["status"] == "in-progress"
    assert "closed_on" not in front["action_items"][0]  # never closed: no key added
    a4 = front["action_items"][3]
    assert (a4["status"], a4["closed_on"], a4["notes"]) == (
        "wont-do",
        dt.date(2026, 2, 28),
        "No feed exists.",
    )
    subjects = git(repo.root, "log", "-3", "--format=%s").splitlines()
    assert subjects == [
        f"Drop action item {Y}/A4 (wont-do)",
        f"Reopen action item {X}/A3 (open)",
        f"Start action item {Y}/A1 (in-progress)",
    ]
    with pytest.raises(UsageError, match="needs a reason"):
        set_status(repo, f"{Y}/A1", "wont-do", author, TODAY)
    with pytest.raises(UsageError, match="--on only applies"):
        set_status(repo, f"{Y}/A1", "open", author, TODAY, on=TODAY)


def test_unknown_ids_are_clear_errors(repo: Workspace) -> None:
    root = repo.root
    with pytest.raises(NotFoundError, match=r"has no action item 'A9' \(it has: A1, A2, A3\)"):
        set_status(repo, f"{X}/A9", "done", None, TODAY)
    missing = run_cli("actions", "done", "2026-01-01-nope/A1", cwd=root)
    assert missing.returncode == 1
    assert "no postmortem '2026-01-01-nope'" in missing.stderr and "Traceback" not in missing.stderr
    bad = run_cli("actions", "start", "just-an-id", cwd=root)
    assert bad.returncode == 2 and "use POSTMORTEM-ID/A1" in bad.stderr
    no_reason = run_cli("actions", "wont-do", f"{X}/A1", cwd=root)
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr
    assert git(root, "status", "--porcelain") == ""


def test_cli_list_formats_and_summary(repo: Workspace) -> None:
    root = repo.root
    rows = list(
        csv.DictReader(
            io.StringIO(
                run_cli(
                    "actions", "--team", "blue", "-f", "csv", "--today", "2026-03-01", cwd=root
                ).stdout
            )
        )
    )
    assert [r["ref"] for r in rows] == [f"{X}/A3", f"{Y}/A2", f"{Y}/A3"]
    assert rows[0]["status"] == "done" and rows[0]["team"] == "blue"
    table = run_cli("actions", "--open", "--today", "2026-03-01", cwd=root)
    assert table.returncode == 0 and f"{X}/A1" in table.stdout and f"{X}/A3" not in table.stdout
    summary = json.loads(
        run_cli("actions", "summary", "-f", "json", "--today", "2026-03-01", cwd=root).stdout
    )
    first = summary["groups"][0]
    assert (first["by"], first["total"], first["overdue"], first["done_late"]) == ("all", 7, 2, 1)
    assert [i["ref"] for i in summary["oldest_overdue"]] == [f"{X}/A1", f"{Y}/A4"]
    assert summary["excluded"] == [
        {"subject": f"{Y}/A1", "figure": "overdue", "reason": "open without a due date"}
    ]
    text = run_cli("actions", "summary", "--today", "2026-03-01", cwd=root)
    assert text.returncode == 0 and "Zed Free" in text.stdout
    bad_date = run_cli("actions", "--due-before", "soon", cwd=root)
    assert bad_date.returncode == 2 and "--due-before: 'soon' is not a date" in bad_date.stderr


def test_cli_checks_teams_and_matches_owner_names_to_the_roster(repo: Workspace) -> None:
    root = repo.root
    unknown = run_cli("actions", "--team", "green", cwd=root)
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == (
        "error: --team 'green' is not a team of the roster (teams: blue, red)"
    )

    def listed(*args: str) -> list[str]:
        out = run_cli("actions", *args, "-f", "json", "--today", "2026-03-01", cwd=root)
        assert out.returncode == 0, out.stderr
        return [r["ref"] for r in json.loads(out.stdout)]

    # A full name (any case) or an e-mail finds the roster key the files use.
    assert listed("--owner", "Ana Silva") == listed("--owner", "ana") == [f"{X}/A1"]
    assert listed("--owner", "ana@example.com") == [f"{X}/A1"]
    # Owners need not be on the roster: a free name is kept as given.
    assert listed("--owner", "Zed Free") == [f"{Y}/A4"]
    assert listed("--team", "Blue") == [f"{X}/A3", f"{Y}/A2", f"{Y}/A3"]
    negative = run_cli("actions", "summary", "--oldest", "-1", cwd=root)
    assert negative.returncode == 2 and "--oldest -1" in negative.stderr
