"""`mortem serve` as a real process: the demo account it prints signs in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx
from webkit import csrf_of, free_port

from mortem.users import UsersFile
from mortem.web.config import web_settings
from mortem.web.server import demo_user
from mortem.workspace import Workspace


def test_serve_with_a_demo_account(repo: Workspace) -> None:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mortem",
            "-C",
            str(repo.root),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--demo-account",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        match = re.match(r"demo account: user (\S+), password (\S+)", line)
        assert match, line
        user, password = match.groups()
        assert UsersFile(repo.root / ".mortem" / "users.json").get(user).role == "admin"  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/healthz")
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline and process.poll() is None, (
                    "the server did not start"
                )
                time.sleep(0.1)
        with httpx.Client(base_url=base) as client:
            token = csrf_of(client.get("/login").text)
            signed = client.post(
                "/login", data={"username": user, "password": password, "csrf_token": token}
            )
            assert signed.status_code == 303
            assert client.get("/api/me").json()["role"] == "admin"
            assert "Checkout requests timed out" in client.get("/postmortems").text
    finally:
        process.terminate()
        process.wait(timeout=30)
    # A second start makes a new password; the old one stops working.
    users = UsersFile(repo.root / ".mortem" / "users.json")
    _, new_password = demo_user(repo, web_settings(repo.settings))
    assert new_password != password
    assert users.verify(user, password) is None and users.verify(user, new_password) is not None
    # `auth = none` is refused beyond loopback, demo account or not.
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "mortem",
            "-C",
            str(repo.root),
            "serve",
            "--auth",
            "none",
            "--host",
            "0.0.0.0",
            "--demo-account",
        ],
        capture_output=True,
        text=True,
    )
    assert again.returncode == 2 and "loopback" in again.stderr
