"""Jira export: a CSV that Jira's importer reads, one row per open action item."""

from __future__ import annotations

import csv
import io

from mortem.exporters.jira import COLUMNS
from mortem.workspace import Workspace
from pm_files import commit_all, run_cli_env, write_pm


def make_repo(ws: Workspace) -> Workspace:
    (ws.root / "mortem.toml").write_text(
        (ws.root / "mortem.toml").read_text()
        + '\n[people.priya]\nname = "Priya Raman"\nemail = "priya@example.com"\nteam = "payments"\n'
        '\n[export]\nlink_base = "https://pm.example.com/pm"\n'
        '[export.jira]\nissue_type = "Story"\npriorities = {SEV2 = "Major"}\n',
        encoding="utf-8",
    )
    write_pm(
        ws,
        "pool",
        title='Pool "exhausted", again',
        severity="SEV2",
        action_items=[
            {
                "id": "A1",
                "title": "Add a pool alert, paging",
                "owner": "priya",
                "due": "2026-03-01",
            },
            {"id": "A2", "title": "Write\nthe runbook", "owner": "someone", "type": "process"},
            {"id": "A3", "title": "Closed", "status": "done", "closed_on": "2026-01-01"},
            {"id": "A4", "title": "Filed", "link": "https://jira/X-1"},
        ],
    )
    write_pm(
        ws,
        "dns",
        title="DNS",
        severity="SEV1",
        action_items=[{"id": "A1", "title": "Scale CoreDNS", "status": "in-progress"}],
    )
    commit_all(ws)
    return Workspace.open(ws.root)


def test_jira_csv_rows(ws: Workspace) -> None:
    repo = make_repo(ws)
    result = run_cli_env("export", "jira", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("Summary,Issue Type,Priority,Assignee,Due Date,Labels,Description\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(COLUMNS)
    # Every row has every column, even when most are empty.
    assert all(len(r) == len(COLUMNS) for r in rows)
    by_summary = {r[0]: dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]}
    # Open and in-progress items only; the one with a link was exported already.
    assert set(by_summary) == {"Add a pool alert, paging", "Write the runbook", "Scale CoreDNS"}
    a1 = by_summary["Add a pool alert, paging"]
    assert a1["Issue Type"] == "Story"
    assert a1["Priority"] == "Major"
    assert a1["Assignee"] == "priya@example.com"
    assert a1["Due Date"] == "2026-03-01"
    assert a1["Labels"] == "postmortem"
    assert 'of the postmortem "Pool "exhausted", again" (pool)' in a1["Description"]
    assert "Postmortem: https://pm.example.com/pm/pool" in a1["Description"]
    assert "mortem reference: pool/A1" in a1["Description"]
    a2 = by_summary["Write the runbook"]
    assert a2["Assignee"] == "" and "Owner in the postmortem: someone" in a2["Description"]
    assert by_summary["Scale CoreDNS"]["Priority"] == "Highest"
    # Quotes are doubled, the comma-bearing summary is quoted, the description spans lines.
    assert '"Add a pool alert, paging"' in text and '""exhausted""' in text


def test_jira_to_file_with_file_links_and_filters(ws: Workspace) -> None:
    repo = make_repo(ws)
    (repo.root / "mortem.toml").write_text(
        (repo.root / "mortem.toml")
        .read_text()
        .replace('link_base = "https://pm.example.com/pm"', ""),
        encoding="utf-8",
    )
    out = repo.root.parent / "actions.csv"
    result = run_cli_env("export", "jira", "-o", str(out), "--owner", "priya", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    assert "wrote 1 action item(s)" in result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"Summary,") and raw.count(b"\r\n") >= 2  # Excel line ends
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert [r["Summary"] for r in rows] == ["Add a pool alert, paging"]
    assert "Postmortem: postmortems/pool.md" in rows[0]["Description"]
    linked = run_cli_env("export", "jira", "--include-linked", cwd=repo.root)
    assert "Filed" in linked.stdout
