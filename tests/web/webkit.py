"""What the web tests share: a small fixed repository, accounts of every role, signing in
through the real login form, a real server on 127.0.0.1, and where chromium lives."""

from __future__ import annotations

import re
import socket
import subprocess
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mortem.users import UsersFile
from mortem.workspace import Workspace

warnings.filterwarnings("ignore", message=".*httpx2.*")
from fastapi.testclient import TestClient  # noqa: E402

PASSWORD = "correct horse battery"
# name -> (role, full name, e-mail); priya and lee are on the roster of mortem.toml.
ACCOUNTS = {
    "vic": ("viewer", "Vic Viewer", "vic@example.com"),
    "priya": ("editor", "Priya Raman", "priya@example.com"),
    "lee": ("reviewer", "Lee Nakamura", "lee@example.com"),
    "ada": ("admin", "Ada Admin", "ada@example.com"),
    "zed": ("viewer", "Zed Spare", None),
}
ROLE_USER = {"viewer": "vic", "editor": "priya", "reviewer": "lee", "admin": "ada"}

CONFIG_EXTRA = """
[people.priya]
name = "Priya Raman"
team = "payments"
email = "priya@example.com"

[people.sam]
name = "Sam Keller"
team = "platform"
email = "sam@example.com"

[people.lee]
name = "Lee Nakamura"
team = "platform"
email = "lee@example.com"
"""

CHECKOUT = """\
---
title: Checkout requests timed out
status: published
severity: SEV2
services: [payments-api]
tags: [rate-limiting]
authors: [priya]
facilitator: sam
responders: [priya]
impact: 4,100 checkouts failed over 25 minutes.
started_at: 2026-03-14T02:47:00Z
detected_at: 2026-03-14T02:51:00Z
mitigated_at: 2026-03-14T03:05:00Z
resolved_at: 2026-03-14T03:12:00Z
timeline:
  - at: 2026-03-14T02:47:00Z
    event: Gateway traffic arrives from 40 addresses instead of 3.
    kind: trigger
  - at: 2026-03-14T02:51:00Z
    event: Latency alert pages the on-call engineer.
    kind: detection
whys:
  - why: Why did checkout time out?
    because: The connection pool was exhausted.
  - why: Why was the pool exhausted?
    because: The rate limiter counted per address, so the burst passed it.
contributing_factors:
  - category: testing
    description: No tests for rate limiting across many source addresses.
action_items:
  - id: A1
    title: Count requests per client id in the rate limiter.
    owner: priya
    due: 2020-01-10
    status: open
    type: prevent
  - id: A2
    title: Alert when the pool is 80% used for 5 minutes.
    owner: sam
    due: 2026-03-28
    status: done
    type: detect
    closed_on: 2026-03-20
reviews:
  - on: 2026-03-20
    kind: approval
    reviewers: [lee]
published_on: 2026-03-21
---
# Checkout requests timed out

## Summary

Checkout requests timed out for 25 minutes while the pool was exhausted.

![latency](2026-03-14-checkout-timeouts/latency.png)
"""

SEARCH = """\
---
title: Search returned stale results
status: draft
severity: SEV3
services: [search]
tags: []
authors: [sam]
facilitator: null
responders: []
impact: null
started_at: 2026-02-01T10:00:00Z
detected_at: 2026-02-01T10:30:00Z
mitigated_at: null
resolved_at: 2026-02-01T12:00:00Z
timeline: []
whys: []
contributing_factors: []
action_items:
  - id: A1
    title: Rebuild the index nightly.
    owner: sam
    due: null
    status: open
reviews: []
---
# Search returned stale results

## Summary

The index was a day old.
"""

# A small valid PNG: a 1x1 transparent pixel (every checksum right: uploads are verified).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63606060600000000500017aa857500000000049454e44ae426082"
)


def graph_png(title: str, values: list[float], width: int = 480, height: int = 200) -> bytes:
    """A small line graph, as a screenshot of a dashboard would be (for the evidence the
    pages show, so that screenshots of them show a picture and not an empty frame)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "#ffffff")
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = 40, 30, width - 14, height - 26
    draw.text((left, 8), title, fill="#1f2937")
    for n in range(5):
        y = top + (bottom - top) * n / 4
        draw.line((left, y, right, y), fill="#e5e7eb")
    draw.line((left, top, left, bottom), fill="#9ca3af")
    draw.line((left, bottom, right, bottom), fill="#9ca3af")
    peak = max(values) or 1.0
    step = (right - left) / max(len(values) - 1, 1)
    points = [(left + i * step, bottom - (bottom - top) * v / peak) for i, v in enumerate(values)]
    draw.line(points, fill="#2563eb", width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


LATENCY_PNG = graph_png(
    "checkout p99 latency (s)", [0.4, 0.5, 0.4, 0.6, 3.8, 9.5, 9.8, 9.6, 4.2, 0.7, 0.5, 0.4]
)
LAG_PNG = graph_png("consumer lag (messages)", [0, 0, 10, 400, 2600, 5200, 7900, 8100, 300, 0])

CHECKOUT_ID = "2026-03-14-checkout-timeouts"
SEARCH_ID = "2026-02-01-search-stale"


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def build_repo(root: Path) -> Workspace:
    Workspace.init(root)
    config = root / "mortem.toml"
    config.write_text(config.read_text(encoding="utf-8") + CONFIG_EXTRA, encoding="utf-8")
    folder = root / "postmortems"
    (folder / f"{CHECKOUT_ID}.md").write_text(CHECKOUT, encoding="utf-8")
    (folder / f"{SEARCH_ID}.md").write_text(SEARCH, encoding="utf-8")
    (folder / CHECKOUT_ID).mkdir()
    (folder / CHECKOUT_ID / "latency.png").write_bytes(LATENCY_PNG)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Two postmortems")
    users = UsersFile(root / ".mortem" / "users.json")
    for name, (role, full, email) in ACCOUNTS.items():
        users.add(name, PASSWORD, role, full, email)
    return Workspace.open(root)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


@dataclass
class Browser:
    """A signed-in TestClient with its CSRF token."""

    client: TestClient
    csrf: str

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        kwargs.setdefault("follow_redirects", False)
        return self.client.post(url, data={**(data or {}), "csrf_token": self.csrf}, **kwargs)

    def api(self, method: str, url: str, **kwargs: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> Browser:
    page = client.get("/login")
    token = csrf_of(page.text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    home = client.get("/")
    return Browser(client, csrf_of(home.text))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """uvicorn serving an app on 127.0.0.1 in a thread of the test."""

    def __init__(self, application: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            application, host="127.0.0.1", port=self.port, log_level="warning", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
