"""`mortem import`: drafts created or timelines merged, in UTC, committed, never twice."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from mortem.workspace import Workspace
from pm_files import git, run_cli_env, write_pm

DATA = Path(__file__).parent / "importers" / "data"
PD_FILE = DATA / "pagerduty" / "incident_Q3CHK.json"
OG_FILE = DATA / "opsgenie" / "alert_checkout.json"


def commits(ws: Workspace) -> int:
    return int(git(ws.root, "rev-list", "--count", "HEAD"))


def only(ws: Workspace) -> str:
    [doc_id] = ws.store.ids()
    return doc_id


def test_pagerduty_file_creates_a_draft_then_adds_nothing_twice(ws: Workspace) -> None:
    config = ws.root / "mortem.toml"
    config.write_text(config.read_text() + '\n[import.severities]\nP2 = "SEV2"\n')
    before = commits(ws)
    first = run_cli_env("import", "pagerduty", str(PD_FILE), cwd=ws.root)
    assert first.returncode == 0, first.stderr
    doc_id = only(ws)
    assert doc_id == "2026-03-14-checkout-p99-latency-above-2s"
    assert commits(ws) == before + 2  # the draft, then the imported timeline
    assert "created 2026-03-14-checkout-p99-latency-above-2s: 7 event(s) added" in first.stderr
    assert "skipped notify_log_entry R02NOTIFY" in first.stderr
    assert "notification sent to a responder" in first.stderr
    pm = ws.store.load(doc_id).model()
    assert pm.severity == "SEV2" and pm.services == ["payments-api"]
    assert pm.incident_refs == ["pagerduty:Q3CHKOUT7"]
    assert [e.source for e in pm.timeline][:2] == ["pagerduty:R01TRIGGER", "pagerduty:R03ACK"]
    assert pm.detected_at is not None and pm.detected_at.isoformat() == "2026-03-14T02:51:30+00:00"
    text = ws.store.path_for(doc_id).read_text()
    assert "- at: 2026-03-14T02:47:10Z" in text and "&id" not in text
    # The same incident again: found by its reference, nothing added, no commit.
    again = run_cli_env("import", "pagerduty", str(PD_FILE), "-f", "json", cwd=ws.root)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["postmortem"] == doc_id and report["created"] is False
    assert report["events_added"] == 0 and report["events_already_there"] == 7
    assert commits(ws) == before + 2 and ws.store.ids() == [doc_id]


def test_opsgenie_into_an_existing_postmortem_keeps_its_lines(ws: Workspace) -> None:
    path = write_pm(
        ws,
        "checkout",
        "# Summary\nText.\n",
        title="Checkout slow",
        detected_at="2026-03-14T02:50:00Z",
        timeline=[{"at": "2026-03-14T03:00:00Z", "event": "Written by hand, kept as is"}],
    )
    git(ws.root, "add", "-A")
    git(ws.root, "commit", "-qm", "hand-written")
    original = path.read_text()
    result = run_cli_env("import", "opsgenie", str(OG_FILE), "--into", "checkout", cwd=ws.root)
    assert result.returncode == 0, result.stderr
    assert "updated checkout: 7 event(s) added" in result.stderr
    assert "kept detected_at as written" in result.stderr
    diff = git(ws.root, "show", "HEAD", "--format=", "--unified=0")
    removed = [s for s in diff.splitlines() if s.startswith("-") and not s.startswith("---")]
    assert removed == []  # only additions: the person's lines are untouched
    pm = ws.store.load("checkout").model()
    assert [e.at for e in pm.timeline] == sorted(e.at for e in pm.timeline)
    assert "Written by hand, kept as is" in [e.event for e in pm.timeline]
    assert pm.detected_at is not None and pm.detected_at.minute == 50  # not overwritten
    assert pm.incident_refs == ["opsgenie:70413a06-38d6-4c85-92b8-5ebc900d42e2"]
    assert path.read_text().startswith(original.split("timeline:")[0].rstrip("\n"))
    missing = run_cli_env("import", "opsgenie", str(OG_FILE), "--into", "nope", cwd=ws.root)
    assert missing.returncode == 1 and "no postmortem 'nope'" in missing.stderr


def test_csv_times_become_utc(ws: Workspace, tmp_path: Path) -> None:
    sheet = tmp_path / "timeline.csv"
    sheet.write_text(
        "time,event,kind\n2026-07-01 09:15,Deploy starts,trigger\n2026-07-01 09:20,Alert,detection\n"
    )
    result = run_cli_env(
        "import", "csv", str(sheet), "--tz", "Europe/Copenhagen", "--title", "Deploy broke login",
        cwd=ws.root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    doc_id = only(ws)
    assert doc_id == "2026-07-01-deploy-broke-login"
    text = ws.store.path_for(doc_id).read_text()
    # Copenhagen is UTC+2 in July.
    assert "- at: 2026-07-01T07:15:00Z" in text and "- at: 2026-07-01T07:20:00Z" in text
    again = run_cli_env("import", "csv", str(sheet), "--tz", "Europe/Copenhagen", cwd=ws.root)
    assert "0 event(s) added, 2 already there" in again.stderr and ws.store.ids() == [doc_id]


def test_slack_channel(ws: Workspace) -> None:
    export = DATA / "slack_export"
    result = run_cli_env("import", "slack", str(export), "--channel", "inc-checkout", cwd=ws.root)
    assert result.returncode == 0, result.stderr
    doc_id = only(ws)
    pm = ws.store.load(doc_id).model()
    assert pm.title == "Incident in #inc-checkout"
    assert pm.timeline and all(e.source and e.source.startswith("slack:") for e in pm.timeline)
    assert "skipped" in result.stderr and "channel housekeeping" in result.stderr
    again = run_cli_env("import", "slack", str(export), "--channel", "inc-checkout", cwd=ws.root)
    assert f"updated {doc_id}: 0 event(s) added" in again.stderr
    wrong = run_cli_env("import", "slack", str(export), "--channel", "nope", cwd=ws.root)
    assert wrong.returncode != 0 and "nope" in wrong.stderr and "Traceback" not in wrong.stderr


def test_markdown_folder(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    for name in ("PM2020-004_CoreDNS_upgrade_issue.md", "PM2021-011_Log4Shell.md", "LICENSE"):
        shutil.copy(DATA / "dfds" / name, folder / name)
    result = run_cli_env("import", "markdown", str(folder), "-f", "json", cwd=ws.root)
    assert result.returncode == 0, result.stderr
    report = {r["file"]: r for r in json.loads(result.stdout)}
    assert set(report) == {"PM2020-004_CoreDNS_upgrade_issue.md", "PM2021-011_Log4Shell.md"}
    core = report["PM2020-004_CoreDNS_upgrade_issue.md"]
    assert core["status"] == "created" and core["problems"] == []
    assert any(line.startswith("timeline: 3 row(s)") for line in core["report"])
    pm = ws.store.load(core["postmortem"]).model()
    assert pm.title == "CoreDNS upgrade issue" and pm.status == "draft"
    # 11:21 CET in the file is 10:21 UTC in mortem.
    assert pm.started_at is not None and pm.started_at.isoformat() == "2020-02-03T10:21:00+00:00"
    text = ws.store.path_for(core["postmortem"]).read_text()
    assert "imported_from: PM2020-004_CoreDNS_upgrade_issue.md" in text
    assert "\nsummary:" not in text and "## Summary" in text  # once, in the body
    assert run_cli_env("validate", cwd=ws.root).returncode == 0
    again = run_cli_env("import", "markdown", str(folder), cwd=ws.root)
    assert "PM2021-011_Log4Shell.md: already-imported as" in again.stdout
    assert "0 of 2 file(s) imported" in again.stderr


@pytest.fixture
def pagerduty_api() -> Iterator[tuple[str, list[str]]]:
    data = json.loads(PD_FILE.read_text())
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            seen.append(self.path)
            url = urlparse(self.path)
            if self.headers.get("Authorization") != "Token token=pd-secret":
                body, status = {"error": {"message": "Unauthorized"}}, 401
            elif url.path == "/incidents/Q3CHKOUT7":
                body, status = {"incident": data["incident"]}, 200
            elif url.path == "/incidents/Q3CHKOUT7/log_entries":
                offset = int(parse_qs(url.query)["offset"][0])
                page = data["log_entries"][offset : offset + 4]
                more = offset + 4 < len(data["log_entries"])
                body, status = {"log_entries": page, "more": more}, 200
            else:
                body, status = {"error": {"message": "Not Found"}}, 404
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(raw)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_pagerduty_api(ws: Workspace, pagerduty_api: tuple[str, list[str]]) -> None:
    url, seen = pagerduty_api
    args = ["import", "pagerduty", "--api-url", url, "--incident", "Q3CHKOUT7"]
    result = run_cli_env(*args, cwd=ws.root, env={"PAGERDUTY_TOKEN": "pd-secret"})
    assert result.returncode == 0, result.stderr
    assert "7 event(s) added" in result.stderr
    assert len([p for p in seen if "log_entries" in p]) == 3  # 9 entries, pages of 4
    bad = run_cli_env(*args, cwd=ws.root, env={"PAGERDUTY_TOKEN": "wrong"})
    assert bad.returncode == 1 and "HTTP 401" in bad.stderr and "wrong" not in bad.stderr
    both = run_cli_env("import", "pagerduty", str(PD_FILE), "--api-url", url, cwd=ws.root)
    assert both.returncode == 2 and "either a FILE or --api-url" in both.stderr


def test_connect_commands_have_help_with_an_example(tmp_path: Path) -> None:
    commands = [
        ["search"], ["related"], ["site"], ["remind"], ["coverage"],
        ["export", "jira"], ["export", "github"],
        ["import", "pagerduty"], ["import", "slack"], ["import", "opsgenie"],
        ["import", "csv"], ["import", "markdown"],
    ]  # fmt: skip
    top = run_cli_env("--help", cwd=tmp_path).stdout
    for command in commands:
        assert command[0] in top
        helped = run_cli_env(*command, "--help", cwd=tmp_path)
        assert helped.returncode == 0 and "Example:" in helped.stdout, command
