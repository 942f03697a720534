"""Reminders against a real SMTP server (aiosmtpd) and a real webhook, both on loopback."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from mortem.errors import UsageError
from mortem.remind import RemindConfig, remind
from mortem.workspace import Workspace
from pm_files import commit_all, run_cli_env, write_pm

TODAY = dt.date(2026, 3, 20)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            user, password = data.login.decode(), data.password.decode()
            self.logins.append((user, password))
            return AuthResult(success=(user, password) == ("mortem", "s3cret"), handled=False)
        return AuthResult(success=False, handled=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield inbox, port
    controller.stop()


class Hook:
    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.status = 200


@pytest.fixture
def webhook() -> Iterator[tuple[Hook, str]]:
    hook = Hook()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            assert self.headers["Content-Type"] == "application/json"
            hook.posts.append(json.loads(body))
            self.send_response(hook.status)
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield hook, f"http://127.0.0.1:{server.server_address[1]}/hooks/T1/B2"
    server.shutdown()
    server.server_close()


def make_repo(ws: Workspace, remind_table: str) -> Workspace:
    (ws.root / "mortem.toml").write_text(
        (ws.root / "mortem.toml").read_text()
        + '\n[people.priya]\nname = "Priya Raman"\nemail = "priya@example.com"\nteam = "payments"\n'
        '[people.sam]\nname = "Sam Keller"\nemail = "sam@example.com"\n' + remind_table,
        encoding="utf-8",
    )
    write_pm(
        ws,
        "pool",
        title="Pool exhausted",
        status="published",
        facilitator="sam",
        authors=["priya"],
        reviews=[{"on": "2026-02-10", "kind": "approval", "reviewers": ["sam"]}],
        action_items=[
            {"id": "A1", "title": "Split the pool", "owner": "priya", "due": "2026-03-10"},
            {"id": "A2", "title": "Alert on pool use", "owner": "priya", "due": "2026-03-25"},
            {"id": "A3", "title": "Later work", "owner": "priya", "due": "2026-06-01"},
            {"id": "A4", "title": "Done", "owner": "priya", "due": "2026-03-01",
             "status": "done", "closed_on": "2026-03-01"},
            {"id": "A5", "title": "Team item", "owner": "payments", "due": "2026-03-15"},
            {"id": "A6", "title": "Unowned", "due": "2026-03-15"},
        ],
    )  # fmt: skip
    commit_all(ws)
    return Workspace.open(ws.root)


def smtp_table(port: int, extra: str = "") -> str:
    return (
        f'\n[remind]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
        f'smtp_from = "mortem <mortem@example.com>"\nsoon_days = 7\ninterval_days = 7\n{extra}'
    )


def test_email_digests_one_per_owner(ws: Workspace, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    repo = make_repo(
        ws, smtp_table(port, '[remind.addresses]\npayments = "payments@example.com"\n')
    )
    run = remind(repo, TODAY)
    assert {(o.owner, o.status, o.items) for o in run.outcomes} == {
        ("payments", "sent", 1),
        ("priya", "sent", 2),
        ("sam", "sent", 1),
    }
    by_rcpt = {rcpts[0]: msg for rcpts, msg in inbox.messages}
    assert set(by_rcpt) == {"priya@example.com", "sam@example.com", "payments@example.com"}
    priya = by_rcpt["priya@example.com"]
    assert priya["Subject"] == "mortem: 1 overdue action item, 1 due soon action item"
    assert priya["From"] == "mortem <mortem@example.com>"
    assert priya["To"] == "Priya Raman <priya@example.com>"
    body = priya.get_content().replace("\r\n", "\n")
    assert (
        "Overdue action items:\n- Split the pool [pool/A1], due 2026-03-10 (10 days late)" in body
    )
    assert "Action items due soon:\n- Alert on pool use [pool/A2], due 2026-03-25" in body
    assert "Later work" not in body and "Done" not in body
    # The facilitator holds the 30-day follow-up: approved 2026-02-10, due 2026-03-12.
    sam = by_rcpt["sam@example.com"].get_content().replace("\r\n", "\n")
    assert "Follow-up review 1 (30 days after publishing) [pool#1], due 2026-03-12" in sam


def test_no_duplicate_within_the_interval(ws: Workspace, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    repo = make_repo(ws, smtp_table(port))
    remind(repo, TODAY)
    sent = len(inbox.messages)
    assert sent == 2  # priya and sam; the team owner has no address
    state = json.loads((repo.root / ".mortem" / "reminders.json").read_text())
    assert state["sent"]["email|priya|action:pool/A1|overdue"] == "2026-03-20"
    again = remind(repo, TODAY + dt.timedelta(days=4))
    assert len(inbox.messages) == sent
    assert {o.status for o in again.outcomes if o.owner != "payments"} == {"nothing-new"}
    # A2 (due 03-25) turns overdue on 03-26: that is news, and only that is sent.
    later = remind(repo, dt.date(2026, 3, 26))
    assert len(inbox.messages) == sent + 1
    assert [(o.owner, o.items) for o in later.outcomes if o.status == "sent"] == [("priya", 1)]
    assert "Alert on pool use" in inbox.messages[-1][1].get_content().replace("\r\n", "\n")
    # After the interval what was reminded on 03-20 is reminded again; A2 was on 03-26.
    before = len(inbox.messages)
    remind(repo, dt.date(2026, 3, 27))
    fresh = {rcpt[0]: msg.get_content() for rcpt, msg in inbox.messages[before:]}
    assert set(fresh) == {"priya@example.com", "sam@example.com"}
    assert "Split the pool" in fresh["priya@example.com"]
    assert "Alert on pool use" not in fresh["priya@example.com"]


def test_login_with_password_from_the_environment(
    ws: Workspace, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp
    extra = 'smtp_username = "mortem"\nsmtp_password_env = "MORTEM_SMTP_PASSWORD"\n'
    repo = make_repo(ws, smtp_table(port, extra))
    monkeypatch.setenv("MORTEM_SMTP_PASSWORD", "wrong")
    run = remind(repo, TODAY)
    assert {o.status for o in run.outcomes if o.channel == "email" and o.owner != "payments"} == {
        "failed"
    }
    assert "refused" in run.outcomes[1].detail and inbox.messages == []
    assert not (repo.root / ".mortem" / "reminders.json").exists()
    monkeypatch.setenv("MORTEM_SMTP_PASSWORD", "s3cret")
    remind(repo, TODAY)
    assert len(inbox.messages) == 2 and inbox.logins[-1] == ("mortem", "s3cret")
    monkeypatch.delenv("MORTEM_SMTP_PASSWORD")
    with pytest.raises(UsageError, match="MORTEM_SMTP_PASSWORD"):
        remind(repo, TODAY + dt.timedelta(days=30))


@pytest.fixture
def tls_smtp(tmp_path: Path) -> Iterator[tuple[Inbox, int, Path]]:
    if shutil.which("openssl") is None:
        pytest.skip("no openssl to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True
    )
    controller.start()
    yield inbox, port, cert
    controller.stop()


def test_starttls(ws: Workspace, tls_smtp: tuple[Inbox, int, Path]) -> None:
    inbox, port, cert = tls_smtp
    repo = make_repo(ws, smtp_table(port, f'smtp_starttls = true\nsmtp_ca_file = "{cert}"\n'))
    run = remind(repo, TODAY)
    assert [o.status for o in run.outcomes if o.owner == "priya"] == ["sent"]
    assert len(inbox.messages) == 2
    # The server refuses mail before STARTTLS: without it nothing goes out.
    config = RemindConfig(smtp_host="127.0.0.1", smtp_port=port, smtp_from="m@example.com")
    failed = remind(repo, TODAY + dt.timedelta(days=10), config=config)
    assert {o.status for o in failed.outcomes if o.owner == "priya"} == {"failed"}


def test_webhook_and_dry_run_through_the_cli(ws: Workspace, webhook: tuple[Hook, str]) -> None:
    hook, url = webhook
    repo = make_repo(
        ws, '\n[remind]\nwebhook_env = "TEAM_HOOK"\n[remind.slack_users]\npriya = "U042"\n'
    )
    env = {"TEAM_HOOK": url}
    dry = run_cli_env("remind", "--dry-run", "--today", "2026-03-20", cwd=repo.root, env=env)
    assert dry.returncode == 0, dry.stderr
    assert (
        "== webhook to priya: mortem: 1 overdue action item, 1 due soon action item" in dry.stdout
    )
    assert hook.posts == [] and not (repo.root / ".mortem" / "reminders.json").exists()
    sent = run_cli_env("remind", "--today", "2026-03-20", "-f", "json", cwd=repo.root, env=env)
    assert sent.returncode == 0, sent.stderr
    rows = {(r["owner"], r["status"]) for r in json.loads(sent.stdout)}
    assert rows == {("payments", "sent"), ("priya", "sent"), ("sam", "sent")}
    texts = {p["text"].split("\n")[0]: p["text"] for p in hook.posts}
    assert "*mortem: 1 overdue action item, 1 due soon action item* for <@U042>" in texts
    assert "*mortem: 1 overdue action item* for payments" in texts
    again = run_cli_env("remind", "--today", "2026-03-21", "-f", "json", cwd=repo.root, env=env)
    assert {r["status"] for r in json.loads(again.stdout)} == {"nothing-new"}
    assert len(hook.posts) == 3
    hook.status = 500
    failing = run_cli_env("remind", "--today", "2026-04-20", cwd=repo.root, env=env)
    assert failing.returncode == 1 and "HTTP 500" in failing.stdout


def test_nowhere_to_send(ws: Workspace) -> None:
    repo = make_repo(ws, "")
    result = run_cli_env("remind", "--today", "2026-03-20", cwd=repo.root)
    assert result.returncode == 2 and "nowhere to send reminders" in result.stderr
    preview = run_cli_env("remind", "--dry-run", "--today", "2026-03-20", cwd=repo.root)
    assert preview.returncode == 0 and "== preview to priya@example.com" not in preview.stdout
    assert "== preview to priya: mortem: 1 overdue" in preview.stdout
    bad = run_cli_env("remind", "--via", "pigeon", cwd=repo.root)
    assert bad.returncode == 2 and "use email or webhook" in bad.stderr
