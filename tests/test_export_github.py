"""GitHub export against a real HTTP server on 127.0.0.1 that speaks the few endpoints."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from mortem.exporters.github import GitHub, TrackerError, export_issues, marker
from mortem.exporters.items import open_items
from mortem.workspace import Workspace
from pm_files import commit_all, git, run_cli_env, write_pm

TOKEN = "ghp_test_token"
REPO = "larkspur/platform"


@dataclass
class Recorded:
    method: str
    path: str
    auth: str | None
    body: Any


@dataclass
class FakeGitHub:
    """The issues endpoints of one repository; pages of `page_size` with Link headers."""

    page_size: int = 2
    issues: list[dict[str, Any]] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    fail_after: int | None = None  # refuse creates after this many
    url: str = ""

    def add(self, title: str, body: str) -> dict[str, Any]:
        number = len(self.issues) + 1
        issue = {
            "number": number,
            "title": title,
            "body": body,
            "html_url": f"https://github.test/{REPO}/issues/{number}",
        }
        self.issues.append(issue)
        return issue

    def posts(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST"]


def make_handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(raw)

        def _authorised(self, body: Any) -> bool:
            auth = self.headers.get("Authorization")
            fake.requests.append(Recorded(self.command, self.path, auth, body))
            if auth != f"Bearer {TOKEN}" or not self.headers.get("User-Agent"):
                self._send(401, {"message": "Bad credentials"})
                return False
            return True

        def do_GET(self) -> None:
            if not self._authorised(None):
                return
            url = urlparse(self.path)
            if url.path != f"/repos/{REPO}/issues":
                self._send(404, {"message": "Not Found"})
                return
            query = parse_qs(url.query)
            assert query["state"] == ["all"]
            page = int(query.get("page", ["1"])[0])
            start = (page - 1) * fake.page_size
            chunk = fake.issues[start : start + fake.page_size]
            headers = {}
            if start + fake.page_size < len(fake.issues):
                nxt = f"{fake.url}{url.path}?state=all&per_page=100&page={page + 1}"
                headers["Link"] = f'<{nxt}>; rel="next", <{fake.url}/x>; rel="last"'
            self._send(200, chunk, headers)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            if not self._authorised(body):
                return
            if urlparse(self.path).path != f"/repos/{REPO}/issues":
                self._send(404, {"message": "Not Found"})
                return
            if fake.fail_after is not None and len(fake.posts()) > fake.fail_after:
                self._send(503, {"message": "Service unavailable"})
                return
            if not body.get("title"):
                self._send(422, {"message": "Validation Failed"})
                return
            self._send(201, fake.add(body["title"], body.get("body") or ""))

    return Handler


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def repo(ws: Workspace) -> Workspace:
    write_pm(
        ws,
        "pool",
        title="Pool exhausted",
        severity="SEV2",
        action_items=[
            {"id": "A1", "title": "Add a pool alert", "owner": "priya", "due": "2026-03-01"},
            {"id": "A2", "title": "Load-test checkout", "status": "in-progress"},
            {"id": "A3", "title": "Done already", "status": "done", "closed_on": "2026-01-01"},
            {"id": "A4", "title": "Already filed", "link": "https://tracker/1"},
        ],
    )
    write_pm(
        ws,
        "dns",
        title="DNS saturated",
        action_items=[{"id": "A1", "title": "Scale CoreDNS with the cluster", "type": "prevent"}],
    )
    (ws.root / "mortem.toml").write_text(
        (ws.root / "mortem.toml").read_text()
        + '\n[export]\nlink_base = "https://pm.example.com/pm/{id}.html"\n'
        '[export.github]\nlabels = ["postmortem", "reliability"]\nlogins = {priya = "priya-gh"}\n',
        encoding="utf-8",
    )
    commit_all(ws)
    return Workspace.open(ws.root)


def test_dry_run_by_default_creates_nothing(repo: Workspace, github: FakeGitHub) -> None:
    env = {"GITHUB_TOKEN": TOKEN}
    result = run_cli_env(
        "export",
        "github",
        "--repo",
        REPO,
        "--api-url",
        github.url,
        "-f",
        "json",
        cwd=repo.root,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    rows = {r["ref"]: r["action"] for r in json.loads(result.stdout)}
    assert rows == {
        "pool/A1": "would-create",
        "pool/A2": "would-create",
        "pool/A4": "linked",
        "dns/A1": "would-create",
    }
    assert github.posts() == [] and "dry run" in result.stderr
    assert [r.method for r in github.requests] == ["GET"]


def test_apply_creates_links_back_and_never_twice(repo: Workspace, github: FakeGitHub) -> None:
    env = {"GITHUB_TOKEN": TOKEN}
    args = ["export", "github", "--repo", REPO, "--api-url", github.url, "--apply", "-f", "json"]
    before = git(repo.root, "rev-list", "--count", "HEAD")
    result = run_cli_env(*args, cwd=repo.root, env=env)
    assert result.returncode == 0, result.stderr
    assert len(github.posts()) == 3
    assert all(r.auth == f"Bearer {TOKEN}" for r in github.requests)
    payload = next(r.body for r in github.posts() if r.body["title"] == "Add a pool alert")
    assert payload["labels"] == ["postmortem", "reliability"]
    assert payload["assignees"] == ["priya-gh"]
    assert marker("pool/A1") in payload["body"]
    assert "https://pm.example.com/pm/pool.html" in payload["body"]
    assert "- Due: 2026-03-01" in payload["body"]
    # Links written back: one commit per postmortem, only the link lines changed.
    assert int(git(repo.root, "rev-list", "--count", "HEAD")) == int(before) + 2
    model = repo.store.load("pool").model()
    links = {a.id: a.link for a in model.action_items}
    urls = {i["title"]: i["html_url"] for i in github.issues}
    assert links == {
        "A1": urls["Add a pool alert"],
        "A2": urls["Load-test checkout"],
        "A3": None,
        "A4": "https://tracker/1",
    }
    diff = git(repo.root, "show", "HEAD~1", "--format=", "--unified=0")
    changed = [s for s in diff.splitlines() if s[:1] in "+-" and s[:3] not in ("+++", "---")]
    assert all("link:" in line for line in changed), changed
    # Again: nothing new.
    again = run_cli_env(*args, cwd=repo.root, env=env)
    assert again.returncode == 0, again.stderr
    assert len(github.posts()) == 3
    assert {r["action"] for r in json.loads(again.stdout)} == {"linked"}


def test_issue_found_by_marker_is_not_created_again(repo: Workspace, github: FakeGitHub) -> None:
    # A run that created these issues died before writing the links back; there are
    # more issues than one page, so the marker search must follow the Link header.
    github.add("Unrelated", "no marker here")
    github.add("Other", None)  # type: ignore[arg-type]
    github.add("Add a pool alert", "body\n\n" + marker("pool/A1") + "\n")
    github.add("Scale CoreDNS with the cluster", marker("dns/A1"))
    client = GitHub(TOKEN, github.url)
    items = open_items(repo, dt.date(2026, 2, 1))
    outcomes = export_issues(repo, REPO, items, client, apply=True, author=None)
    actions = {o.ref: (o.action, o.url) for o in outcomes}
    assert actions["pool/A1"] == ("exists", github.issues[2]["html_url"])
    assert actions["dns/A1"] == ("exists", github.issues[3]["html_url"])
    assert actions["pool/A2"][0] == "created"
    assert [p.body["title"] for p in github.posts()] == ["Load-test checkout"]
    pages = [r.path for r in github.requests if r.method == "GET"]
    assert len(pages) == 2 and pages[1].endswith("page=2")
    assert repo.store.load("dns").model().action_items[0].link == github.issues[3]["html_url"]


def test_failure_midway_keeps_the_links_of_created_issues(
    repo: Workspace, github: FakeGitHub
) -> None:
    github.fail_after = 1
    client = GitHub(TOKEN, github.url)
    items = open_items(repo, dt.date(2026, 2, 1))
    with pytest.raises(TrackerError, match=r"HTTP 503.*Service unavailable"):
        export_issues(repo, REPO, items, client, apply=True, author=None)
    created = github.issues[0]
    links = {a.title: a.link for a in repo.store.load("pool").model().action_items}
    assert links[created["title"]] == created["html_url"]


def test_bad_token_and_usage_errors(repo: Workspace, github: FakeGitHub) -> None:
    base = ["export", "github", "--api-url", github.url]
    bad = run_cli_env(*base, "--repo", REPO, "--apply", cwd=repo.root, env={"GITHUB_TOKEN": "nope"})
    assert bad.returncode == 1
    assert "HTTP 401" in bad.stderr and "Bad credentials" in bad.stderr
    assert "Traceback" not in bad.stderr
    no_token = run_cli_env(
        *base, "--repo", REPO, "--apply", cwd=repo.root, env={"GITHUB_TOKEN": ""}
    )
    assert no_token.returncode == 2 and "needs a GitHub token" in no_token.stderr
    wrong = run_cli_env(*base, "--repo", "not a repo", cwd=repo.root)
    assert wrong.returncode == 2 and "OWNER/NAME" in wrong.stderr
    down = run_cli_env(
        "export",
        "github",
        "--repo",
        REPO,
        "--api-url",
        "http://127.0.0.1:9",
        "--apply",
        cwd=repo.root,
        env={"GITHUB_TOKEN": TOKEN},
    )
    assert down.returncode == 1 and "cannot reach GitHub" in down.stderr
