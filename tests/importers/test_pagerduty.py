"""PagerDuty: parsing log entries, saved files, and the REST API over real HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import pytest

from mortem.errors import NotFoundError, ParseError
from mortem.importers import FetchError, merge_events
from mortem.importers.pagerduty import fetch_pagerduty, load_pagerduty_file, parse_pagerduty

FIXTURE = Path(__file__).parent / "data" / "pagerduty" / "incident_Q3CHK.json"
TOKEN = "u+test-token-123"


def fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 3, 14, hour, minute, second, tzinfo=UTC)


def test_log_entries_become_events_with_kinds_and_fields() -> None:
    data = fixture()
    result = parse_pagerduty(data["incident"], data["log_entries"])
    kinds = [(e.at, e.kind, e.source) for e in result.events]
    assert kinds == [
        (at(2, 47, 10), "trigger", "pagerduty:R01TRIGGER"),
        (at(2, 51, 30), "detection", "pagerduty:R03ACK"),  # +01:00 in the payload
        (at(2, 56), "action", "pagerduty:R04ESC"),
        (at(2, 58, 20), "action", "pagerduty:R05NOTE"),
        (at(3, 0, 5), "action", "pagerduty:R06ACK2"),  # a second ack is not a detection
        (at(3, 5, 45), "action", "pagerduty:R08NOTE2"),
        (at(3, 12, 40), "resolution", "pagerduty:R09RESOLVE"),
    ]
    texts = {e.source: e.event for e in result.events}
    assert (
        texts["pagerduty:R05NOTE"]
        == "Note by Dana Diaz: Build 4411 halved the DB pool; rolling back."
    )
    assert texts["pagerduty:R08NOTE2"] == "Note by Lee Park: Rollback complete, latency falling."
    assert "Lee Park" in texts["pagerduty:R04ESC"]
    assert (
        texts["pagerduty:R01TRIGGER"] == "Triggered through the API: p99 latency 4.1s on /checkout"
    )
    assert all(e.at.utcoffset() == timedelta(0) for e in result.events)
    assert result.fields == {
        "incident_refs": ["pagerduty:Q3CHKOUT7"],
        "title": "Checkout p99 latency above 2s",
        "started_at": at(2, 47, 10),
        "detected_at": at(2, 51, 30),
        "resolved_at": at(3, 12, 40),
        "services": ["payments-api"],
        "severity": "P2",
    }
    assert result.source == "pagerduty:Q3CHKOUT7"
    skipped = {s.item.split()[1]: s.reason for s in result.skipped}
    assert set(skipped) == {"R02NOTIFY", "R07FIELD"}
    assert "notification" in skipped["R02NOTIFY"]


def test_incident_created_before_the_trigger_sets_started_at() -> None:
    data = fixture()
    data["incident"]["created_at"] = "2026-03-14T02:40:00Z"
    result = parse_pagerduty(data["incident"], data["log_entries"])
    assert result.fields["started_at"] == at(2, 40)


def test_file_in_the_api_envelope_shapes(tmp_path: Path) -> None:
    data = fixture()
    whole = load_pagerduty_file(FIXTURE)
    # A bare log_entries response: the incident comes from the entries' references.
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps({"log_entries": data["log_entries"], "more": False, "limit": 25}))
    from_bare = load_pagerduty_file(bare)
    assert from_bare.events == whole.events
    assert from_bare.source == "pagerduty:Q3CHKOUT7"
    # Several saved pages in one array, overlapping by one entry.
    pages = tmp_path / "pages.json"
    pages.write_text(
        json.dumps(
            [
                {"incident": data["incident"]},
                {"log_entries": data["log_entries"][:5], "more": True},
                {"log_entries": data["log_entries"][4:], "more": False},
            ]
        )
    )
    assert load_pagerduty_file(pages).events == whole.events


def test_bad_files_say_where(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"incident": {"id": "X"},\n "log_entries": [\n  {"id": 1,,}]}')
    with pytest.raises(ParseError) as err:
        load_pagerduty_file(broken)
    assert str(err.value).startswith(f"{broken}:3: invalid JSON")

    no_time = tmp_path / "no_time.json"
    no_time.write_text(
        json.dumps(
            {"incident": {"id": "X"}, "log_entries": [{"id": "A", "type": "trigger_log_entry"}]}
        )
    )
    with pytest.raises(ParseError, match=r"log_entries\[0\]\.created_at"):
        load_pagerduty_file(no_time)

    naive = tmp_path / "naive.json"
    naive.write_text(
        json.dumps(
            {
                "incident": {"id": "X"},
                "log_entries": [
                    {"id": "A", "type": "trigger_log_entry", "created_at": "2026-03-14T02:47:10"}
                ],
            }
        )
    )
    with pytest.raises(ParseError, match="has no timezone"):
        load_pagerduty_file(naive)

    with pytest.raises(ParseError, match="no incident found"):
        other = tmp_path / "other.json"
        other.write_text('{"alerts": []}')
        load_pagerduty_file(other)

    with pytest.raises(NotFoundError):
        load_pagerduty_file(tmp_path / "missing.json")


class _PagerDutyStub(BaseHTTPRequestHandler):
    """Serves the fixture like the REST API, paging by limit/offset, checking auth."""

    # Each test gets a subclass with its own copies (see the `server` fixture).
    data: ClassVar[dict[str, Any]] = {}
    requests: ClassVar[list[str]] = []
    mode: ClassVar[str] = "ok"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        if self.headers.get("Authorization") != f"Token token={TOKEN}":
            self._send(401, {"error": {"message": "Unauthorized", "code": 2006}})
            return
        if self.headers.get("Accept") != "application/vnd.pagerduty+json;version=2":
            self._send(400, {"error": {"message": "Bad Accept header", "code": 2001}})
            return
        if self.mode == "slow":
            time.sleep(1.0)
        if self.mode == "broken":
            self._send(500, {"error": {"message": "Internal error", "code": 0}})
            return
        url = urlparse(self.path)
        incident = self.data["incident"]
        if url.path == f"/incidents/{incident['id']}":
            self._send(200, {"incident": incident})
        elif url.path == f"/incidents/{incident['id']}/log_entries":
            query = parse_qs(url.query)
            limit = int(query["limit"][0])
            offset = int(query["offset"][0])
            entries = self.data["log_entries"]
            page = entries[offset : offset + limit]
            more = offset + limit < len(entries)
            if self.mode == "stuck":
                page, more = [], True
            self._send(
                200,
                {
                    "log_entries": page,
                    "limit": limit,
                    "offset": offset,
                    "more": more,
                    "total": None,
                },
            )
        else:
            self._send(404, {"error": {"message": "Not Found", "code": 2100}})


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The timeout test hangs up on a slow answer; the broken pipe is expected.
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[_PagerDutyStub]]]:
    handler = type("Handler", (_PagerDutyStub,), {"data": fixture(), "requests": [], "mode": "ok"})
    httpd = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_fetch_pages_through_all_log_entries(server: tuple[str, type[_PagerDutyStub]]) -> None:
    base, handler = server
    result = fetch_pagerduty(base, TOKEN, "Q3CHKOUT7", timeout=5, page_size=3)
    assert result.events == load_pagerduty_file(FIXTURE).events
    assert result.fields == load_pagerduty_file(FIXTURE).fields
    offsets = [parse_qs(urlparse(p).query).get("offset") for p in handler.requests]
    assert offsets == [None, ["0"], ["3"], ["6"]]
    # Fetching again and merging adds nothing: the keys are the log entry ids.
    again = fetch_pagerduty(base + "/", TOKEN, "Q3CHKOUT7", timeout=5)
    _merged, added = merge_events(list(result.events), again.events)
    assert added == 0


def test_fetch_with_a_wrong_token_explains_and_hides_the_token(
    server: tuple[str, type[_PagerDutyStub]],
) -> None:
    base, _ = server
    with pytest.raises(FetchError) as err:
        fetch_pagerduty(base, "wrong-secret", "Q3CHKOUT7", timeout=5)
    message = str(err.value)
    assert "HTTP 401" in message and "Unauthorized" in message and "token" in message
    assert "wrong-secret" not in message


def test_fetch_unknown_incident_is_not_found(server: tuple[str, type[_PagerDutyStub]]) -> None:
    base, _ = server
    with pytest.raises(NotFoundError, match=r"HTTP 404.*Not Found"):
        fetch_pagerduty(base, TOKEN, "NOPE", timeout=5)


def test_fetch_server_error_and_timeout_and_refused(
    server: tuple[str, type[_PagerDutyStub]],
) -> None:
    base, handler = server
    handler.mode = "broken"
    with pytest.raises(FetchError, match=r"HTTP 500.*Internal error"):
        fetch_pagerduty(base, TOKEN, "Q3CHKOUT7", timeout=5)
    handler.mode = "slow"
    with pytest.raises(FetchError, match=r"no answer within 0\.2 s"):
        fetch_pagerduty(base, TOKEN, "Q3CHKOUT7", timeout=0.2)
    handler.mode = "stuck"
    with pytest.raises(FetchError, match="more entries but sent none"):
        fetch_pagerduty(base, TOKEN, "Q3CHKOUT7", timeout=5)


def test_fetch_from_a_closed_port_cannot_connect() -> None:
    # Bind then close to get a port nobody listens on.
    probe = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = probe.server_address[1]
    probe.server_close()
    with pytest.raises(FetchError, match="cannot connect"):
        fetch_pagerduty(f"http://127.0.0.1:{port}", TOKEN, "Q3CHKOUT7", timeout=2)
