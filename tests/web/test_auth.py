"""Signing in: local accounts and sessions, rate limits, the proxy header, `auth = none`."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from webkit import PASSWORD, LiveServer, csrf_of, sign_in

from helpers import run_cli
from mortem.users import UsersFile
from mortem.web import create_app
from mortem.workspace import Workspace


def test_pages_ask_for_a_sign_in_and_come_back(app: Any) -> None:
    client = TestClient(app)
    response = client.get("/actions?overdue=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Factions%3Foverdue%3D1"
    assert client.get("/index.json").status_code == 401
    assert client.get("/api/postmortems").status_code == 401
    page = client.get("/login")
    signed = client.post(
        "/login",
        data={
            "username": "vic",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "/actions?overdue=1",
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/actions?overdue=1"
    assert "HttpOnly" in signed.headers["set-cookie"] or "httponly" in signed.headers["set-cookie"]
    me = client.get("/api/me").json()
    assert (me["username"], me["role"], me["name"]) == ("vic", "viewer", "Vic Viewer")


def test_next_never_leaves_the_site(app: Any) -> None:
    client = TestClient(app)
    token = csrf_of(client.get("/login").text)
    for target in ("//evil.example/x", "https://evil.example/", "\\\\evil"):
        response = client.post(
            "/login",
            data={"username": "vic", "password": PASSWORD, "csrf_token": token, "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"
        token = csrf_of(client.get("/account").text)
        client.post("/logout", data={"csrf_token": token})
        token = csrf_of(client.get("/login").text)


def test_wrong_password_and_the_rate_limits(repo: Workspace) -> None:
    app = create_app(repo, {"login_per_user": 3, "login_per_ip": 5})
    client = TestClient(app)
    token = csrf_of(client.get("/login").text)

    def attempt(user: str, password: str) -> httpx.Response:
        return client.post(
            "/login",
            data={"username": user, "password": password, "csrf_token": token},
            follow_redirects=False,
        )

    for _ in range(3):
        wrong = attempt("vic", "not the password")
        assert wrong.status_code == 401 and "wrong name or password" in wrong.text
    # The account is locked for a while, even with the right password...
    locked = attempt("vic", PASSWORD)
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    # ...other accounts are not, until this address has failed too often.
    assert attempt("lee", "nope").status_code == 401
    assert attempt("ada", "nope").status_code == 401
    assert attempt("priya", PASSWORD).status_code == 429


def test_a_new_password_ends_old_sessions(app: Any, repo: Workspace) -> None:
    session = sign_in(TestClient(app), "vic")
    assert session.get("/api/me").json()["username"] == "vic"
    UsersFile(repo.root / ".mortem" / "users.json").set_password("vic", "a brand new password")
    assert session.get("/api/me").json()["username"] is None
    assert session.get("/", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session(app: Any) -> None:
    session = sign_in(TestClient(app), "priya")
    out = session.post("/logout")
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert session.get("/api/me").json()["username"] is None


def copy_of(session: Any, app: Any) -> TestClient:
    """Another client holding the same session cookie (a stolen or copied cookie)."""
    thief = TestClient(app)
    thief.cookies.set("mortem_session", session.client.cookies["mortem_session"])
    return thief


def test_a_copied_cookie_dies_with_the_sign_out(app: Any, repo: Workspace) -> None:
    session = sign_in(TestClient(app), "priya")
    thief = copy_of(session, app)
    assert thief.get("/api/me").json()["username"] == "priya"
    assert session.post("/logout").status_code == 303
    # The cookie is still validly signed and unexpired: the server refuses it anyway.
    assert thief.get("/api/me").json()["username"] is None
    assert thief.get("/", follow_redirects=False).status_code == 303
    assert thief.get("/api/postmortems").status_code == 401
    # The next sign-in is a new session that works; the old copy stays dead.
    again = sign_in(TestClient(app), "priya")
    assert again.get("/api/me").json()["username"] == "priya"
    assert thief.get("/api/me").json()["username"] is None
    # Other accounts' sessions are untouched.
    stored = json.loads((repo.root / ".mortem" / "sessions.json").read_text())
    assert stored["generations"] == {"priya": 1}
    assert (repo.root / ".mortem" / "sessions.json").stat().st_mode & 0o777 == 0o600


def test_a_password_change_ends_copies_but_not_the_session_that_made_it(app: Any) -> None:
    session = sign_in(TestClient(app), "vic")
    thief = copy_of(session, app)
    done = session.post("/account/password", {"current": PASSWORD, "new": "another password!"})
    assert done.status_code == 303
    assert session.get("/api/me").json()["username"] == "vic"
    assert thief.get("/api/me").json()["username"] is None


def test_changing_the_password_is_rate_limited_like_signing_in(repo: Workspace) -> None:
    app = create_app(repo, {"login_per_user": 3})
    session = sign_in(TestClient(app), "vic")
    for _ in range(3):
        wrong = session.post("/account/password", {"current": "guess", "new": "another password!"})
        assert wrong.status_code == 400
    # Locked, even with the right password: the session cannot be used to keep guessing.
    locked = session.post("/account/password", {"current": PASSWORD, "new": "another password!"})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert "try again in" in locked.text
    users = UsersFile(repo.root / ".mortem" / "users.json")
    assert users.verify("vic", PASSWORD) is not None  # unchanged
    assert users.verify("vic", "another password!") is None


def test_change_own_password(app: Any) -> None:
    session = sign_in(TestClient(app), "vic")
    wrong = session.post("/account/password", {"current": "nope", "new": "another password!"})
    assert wrong.status_code == 400 and "current password is wrong" in wrong.text
    done = session.post("/account/password", {"current": PASSWORD, "new": "another password!"})
    assert done.status_code == 303
    assert session.get("/api/me").json()["username"] == "vic"  # this session lives on
    assert (
        sign_in(TestClient(app), "vic", "another password!").get("/api/me").json()["role"]
        == "viewer"
    )


def test_admin_manages_users(app: Any, repo: Workspace) -> None:
    admin = sign_in(TestClient(app), "ada")
    made = admin.post("/admin/users", {"username": "noor", "role": "editor", "name": "Noor Haddad"})
    assert made.status_code == 303
    page = admin.get("/admin/users")
    password = page.text.split('class="secret">', 1)[1].split("<", 1)[0]
    assert "noor" in page.text and len(password) >= 16
    assert "secret" not in admin.get("/admin/users").text.split("<table", 1)[0]  # shown once
    noor = sign_in(TestClient(app), "noor", password)
    assert noor.get("/api/me").json()["role"] == "editor"
    assert admin.post("/admin/users/noor/role", {"role": "reviewer"}).status_code == 303
    assert noor.get("/api/me").json()["role"] == "reviewer"
    assert admin.post("/admin/users/noor/remove").status_code == 303
    assert noor.get("/api/me").json()["username"] is None
    assert admin.post("/admin/users/ada/remove").status_code == 400


def test_proxy_header_is_believed_only_from_trusted_addresses(repo: Workspace) -> None:
    trusted = create_app(repo, {"auth": "proxy", "trusted_proxies": ["127.0.0.1/32"]})
    with LiveServer(trusted) as server:
        as_lee = httpx.get(f"{server.url}/api/me", headers={"X-Forwarded-User": "lee"})
        assert as_lee.json()["role"] == "reviewer"  # in the users file: its role
        stranger = httpx.get(f"{server.url}/api/me", headers={"X-Forwarded-User": "kim"})
        assert (stranger.json()["username"], stranger.json()["role"]) == ("kim", "viewer")
        assert httpx.get(f"{server.url}/api/me").json()["username"] is None
    untrusted = create_app(repo, {"auth": "proxy", "trusted_proxies": ["10.0.0.0/8"]})
    with LiveServer(untrusted) as server:
        forged = httpx.get(f"{server.url}/api/postmortems", headers={"X-Forwarded-User": "ada"})
        assert forged.status_code == 401


def test_proxy_without_the_header_is_a_401_page_not_a_redirect_loop(repo: Workspace) -> None:
    # No header from the trusted proxy, and a header from an address that is not one.
    for trusted, headers in ((["127.0.0.1/32"], {}), (["10.0.0.0/8"], {"X-Forwarded-User": "lee"})):
        app = create_app(repo, {"auth": "proxy", "trusted_proxies": trusted})
        with LiveServer(app) as server, httpx.Client(base_url=server.url) as client:
            for url in ("/", "/login", "/login?next=/actions", "/actions?overdue=1"):
                # Followed as a browser would: before, / and /login sent each other round.
                page = client.get(url, headers=headers, follow_redirects=True)
                assert page.status_code == 401, url
                assert not page.history, url
                assert page.headers["content-type"].startswith("text/html")
                assert "the sign-in proxy did not identify you" in page.text
                assert "X-Forwarded-User" in page.text
                assert 'name="password"' not in page.text  # no sign-in form to offer
            api = client.get("/api/postmortems")
            assert api.status_code == 401
            assert api.json()["error"].startswith("the sign-in proxy did not identify you")
    # With the header from a trusted address the same pages are served.
    app = create_app(repo, {"auth": "proxy", "trusted_proxies": ["127.0.0.1/32"]})
    with LiveServer(app) as server:
        home = httpx.get(f"{server.url}/", headers={"X-Forwarded-User": "lee"})
        assert home.status_code == 200 and "Lee Nakamura" in home.text
        login = httpx.get(f"{server.url}/login?next=/actions", headers={"X-Forwarded-User": "lee"})
        assert login.status_code == 303 and login.headers["location"] == "/actions"


def test_auth_none_serves_everyone_as_admin_on_loopback(repo: Workspace) -> None:
    with LiveServer(create_app(repo, {"auth": "none"})) as server:
        me = httpx.get(f"{server.url}/api/me").json()
        assert me["role"] == "admin" and me["name"] == "Test Runner"
        assert httpx.get(f"{server.url}/admin/users").status_code == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10"])
def test_auth_none_refuses_to_bind_beyond_loopback(repo: Workspace, host: str) -> None:
    result = run_cli("serve", "--auth", "none", "--host", host, "--port", "1", cwd=repo.root)
    assert result.returncode == 2
    assert "only allowed on a loopback address" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_web_setting_is_an_error(repo: Workspace) -> None:
    config = repo.root / "mortem.toml"
    config.write_text(config.read_text() + '\n[web]\nauht = "none"\n')
    result = run_cli("serve", cwd=repo.root)
    assert result.returncode == 2 and "unknown setting 'web.auht'" in result.stderr
