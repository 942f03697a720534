"""`mortem coverage`: serious incidents without a postmortem, and the share per month."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from mortem.coverage import Rule, coverage, fetch_incidents, incidents_in
from mortem.errors import ParseError
from mortem.workspace import Workspace
from pm_files import run_cli_env, write_pm


def pd(
    id_: str, number: int, created: str, priority: str | None = None, urgency: str = "high"
) -> dict[str, Any]:
    return {
        "id": id_,
        "incident_number": number,
        "title": f"Incident {number}",
        "created_at": created,
        "urgency": urgency,
        "priority": {"summary": priority} if priority else None,
        "html_url": f"https://acme.pagerduty.com/incidents/{id_}",
    }


INCIDENTS = [
    pd("PA", 101, "2026-01-05T10:00:00Z", "P1"),  # covered by id
    pd("PB", 102, "2026-01-20T10:00:00Z", "P2"),  # not covered
    pd("PC", 103, "2026-01-25T10:00:00Z", "P3"),  # below the bar
    pd("PD", 104, "2026-03-02T10:00:00Z", None, "high"),  # no priority, high: covered by number
    pd("PE", 105, "2026-03-09T10:00:00Z", None, "low"),  # no priority, low: below the bar
    pd("PF", 106, "2026-04-30T23:30:00-02:00", "P1"),  # 05-01 01:30 UTC: May; covered by URL
]


@pytest.fixture
def repo(ws: Workspace) -> Workspace:
    write_pm(ws, "a", incident_refs=["pagerduty:PA"])
    write_pm(ws, "d", incident_refs=["#104"])
    write_pm(ws, "f", incident_refs=["https://acme.pagerduty.com/incidents/PF/"])
    write_pm(ws, "unrelated", incident_refs=["opsgenie:PB"])  # another system's PB
    return ws


def test_coverage_by_rule_and_month(repo: Workspace) -> None:
    result = coverage(repo, incidents_in(INCIDENTS, "x"), Rule())
    assert result.considered == 6 and result.qualifying == 4 and result.covered == 3
    assert [i.id for i in result.uncovered] == ["PB"]
    assert result.links == {"PA": ["a"], "PD": ["d"], "PF": ["f"]}
    # Months from the first to the last qualifying incident, empty months included.
    assert [m.as_dict() for m in result.months] == [
        {"month": "2026-01", "incidents": 2, "covered": 1, "share": 0.5},
        {"month": "2026-02", "incidents": 0, "covered": 0, "share": None},
        {"month": "2026-03", "incidents": 1, "covered": 1, "share": 1.0},
        {"month": "2026-04", "incidents": 0, "covered": 0, "share": None},
        {"month": "2026-05", "incidents": 1, "covered": 1, "share": 1.0},
    ]
    strict = coverage(repo, incidents_in(INCIDENTS, "x"), Rule(min_priority=1, urgencies=()))
    assert strict.qualifying == 2 and strict.covered == 2
    window = coverage(
        repo,
        incidents_in(INCIDENTS, "x"),
        Rule(),
        since=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
    )
    assert window.considered == 3 and window.qualifying == 2


def test_shapes_and_errors() -> None:
    wrapped = incidents_in({"incidents": INCIDENTS[:2], "more": False}, "x")
    pages = incidents_in([{"incidents": INCIDENTS[:2]}, {"incidents": INCIDENTS[2:3]}], "x")
    assert [i.id for i in wrapped] == ["PA", "PB"] and len(pages) == 3
    opsgenie = incidents_in(
        {"data": [{"id": "og-1", "tinyId": "17", "message": "DB down", "priority": "P1",
                   "createdAt": "2026-01-01T00:00:00Z"}]},
        "x",
    )  # fmt: skip
    assert opsgenie[0].system == "opsgenie" and "opsgenie:17" in opsgenie[0].refs()
    with pytest.raises(ParseError, match="neither a PagerDuty"):
        incidents_in([{"id": "x"}], "f.json")
    with pytest.raises(ParseError, match="timestamp with a zone"):
        incidents_in([{"id": "x", "created_at": "2026-01-01T00:00:00"}], "f.json")


def test_cli_with_configured_rule(repo: Workspace, tmp_path: Path) -> None:
    config = repo.root / "mortem.toml"
    config.write_text(config.read_text() + '\n[coverage]\nmin_priority = "P3"\nurgencies = []\n')
    export = tmp_path / "incidents.json"
    export.write_text(json.dumps(INCIDENTS))
    result = run_cli_env("coverage", str(export), "-f", "json", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    # P1..P3 count now; the two without a priority do not.
    assert data["needing_postmortem"] == 4 and data["covered"] == 2
    assert [i["id"] for i in data["uncovered"]] == ["PB", "PC"]
    assert data["rule"] == "priority P3 or higher; without a priority, urgency none"
    table = run_cli_env("coverage", str(export), cwd=repo.root)
    assert "Incident 102" in table.stdout and "2026-01" in table.stdout
    assert "2 of 4 incidents needing a postmortem have one (50%)" in table.stderr
    config.write_text(config.read_text().replace('min_priority = "P3"', 'min_priority = "high"'))
    bad = run_cli_env("coverage", str(export), cwd=repo.root)
    assert bad.returncode == 2 and "min_priority must be P1..P5" in bad.stderr


@pytest.fixture
def api() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            seen.append(self.path)
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path == "/incidents":
                assert self.headers["Authorization"] == "Token token=pd-key"
                offset = int(query["offset"][0])
                body: Any = {"incidents": INCIDENTS[offset : offset + 4], "more": offset + 4 < 6}
            elif url.path == "/v1/incidents":
                assert self.headers["Authorization"] == "GenieKey og-key"
                body = {"data": [{"id": "og-1", "tinyId": "9", "message": "m", "priority": "P1",
                                  "createdAt": "2026-01-01T00:00:00Z"}], "paging": {}}  # fmt: skip
            else:
                body = {}
            raw = json.dumps(body).encode()
            self.send_response(200)
            self.end_headers()
            self.wfile.write(raw)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_from_the_apis(repo: Workspace, api: tuple[str, list[str]]) -> None:
    url, seen = api
    since = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    found = fetch_incidents("pagerduty", url, "pd-key", since, None)
    assert [i.id for i in found] == ["PA", "PB", "PC", "PD", "PE", "PF"]
    assert len(seen) == 2 and "since=2026-01-01T00%3A00%3A00%2B00%3A00" in seen[0]
    assert [i.id for i in fetch_incidents("opsgenie", url, "og-key", None, None)] == ["og-1"]
    result = run_cli_env(
        "coverage", "--api", "pagerduty", "--api-url", url, "-f", "json",
        cwd=repo.root, env={"PAGERDUTY_TOKEN": "pd-key"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["covered"] == 3
