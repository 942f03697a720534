"""The authorization matrix, generated from the app's route table: every route and method
against anonymous, viewer, editor, reviewer and admin. A new route without a declared
role fails here, and so does a route that lets in someone it should not."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from webkit import CHECKOUT_ID, ROLE_USER, csrf_of, sign_in

from mortem.users import role_rank
from mortem.web.auth import PUBLIC
from mortem.web.views import Need

# A value for every path parameter, naming things that exist in the test repository.
PATH_VALUES = {
    "pm_id": CHECKOUT_ID,
    "action_id": "A1",
    "name": "latency.png",
    "username": "zed",
}
FRAMEWORK = {"/openapi.json"}
IDENTITIES = ("anonymous", "viewer", "editor", "reviewer", "admin")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def required_role(route: APIRoute) -> str | None:
    for dependency in route.dependant.dependencies:
        if isinstance(dependency.call, Need):
            return dependency.call.role
    return None


def routes(app: Any) -> list[tuple[str, str, str]]:
    """(method, concrete path, required role) of every route of the app."""
    found = []
    for route in app.routes:
        if not isinstance(route, APIRoute) or route.path in FRAMEWORK:
            continue
        role = required_role(route)
        assert role is not None, f"{route.path} declares no role (add Depends(Need(...)))"
        path = re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], route.path)
        if route.path == "/dashboard/charts/{name}.svg":
            path = "/dashboard/charts/frequency.svg"
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method, path, role))
    return found


def test_the_table_covers_the_whole_app(app: Any) -> None:
    table = routes(app)
    paths = {(m, p) for m, p, _ in table}
    # A few landmarks, so a broken route table cannot pass as an empty matrix.
    for expected in [
        ("GET", "/"),
        ("GET", f"/postmortems/{CHECKOUT_ID}"),
        ("GET", f"/postmortems/{CHECKOUT_ID}.json"),
        ("POST", f"/postmortems/{CHECKOUT_ID}"),
        ("POST", f"/postmortems/{CHECKOUT_ID}/evidence"),
        ("POST", f"/postmortems/{CHECKOUT_ID}/review/publish"),
        ("POST", "/admin/users"),
        ("PUT", f"/api/postmortems/{CHECKOUT_ID}"),
        ("GET", "/api/stats"),
    ]:
        assert expected in paths
    assert len(table) > 45
    roles = {role for _, _, role in table}
    assert roles == {PUBLIC, "viewer", "editor", "reviewer", "admin"}


def policy(method: str, path: str) -> str:
    """The role each route should need, written down independently of the code."""
    if path in ("/login", "/logout", "/healthz", "/api/me") or path.startswith("/static/"):
        return PUBLIC
    if path.startswith("/admin/"):
        return "admin"
    if re.search(r"/review/(approve|publish|follow-up)$", path):
        return "reviewer"
    if path in ("/account", "/account.json", "/account/password"):
        return "viewer"
    if method in UNSAFE or path.endswith(("/edit", "/edit.json", "/new", "/new.json")):
        return "editor"
    return "viewer"


def test_every_route_needs_the_role_the_policy_says(app: Any) -> None:
    wrong = [
        f"{method} {path}: declares {role}, policy says {policy(method, path)}"
        for method, path, role in routes(app)
        if role != policy(method, path)
    ]
    assert not wrong, "\n".join(wrong)


@pytest.fixture
def sessions(app: Any) -> dict[str, tuple[dict[str, str], str]]:
    """Cookies and CSRF token of each identity (anonymous has a session too: for CSRF)."""
    found = {}
    anonymous = TestClient(app)
    token = csrf_of(anonymous.get("/login").text)
    found["anonymous"] = (dict(anonymous.cookies), token)
    for role, user in ROLE_USER.items():
        browser = sign_in(TestClient(app), user)
        found[role] = (dict(browser.client.cookies), browser.csrf)
    return found


def allowed(identity: str, role: str) -> bool:
    if role == PUBLIC:
        return True
    return identity != "anonymous" and role_rank(identity) >= role_rank(role)


def test_authorization_matrix(app: Any, sessions: dict[str, tuple[dict[str, str], str]]) -> None:
    wrong = []
    checked = 0
    # Admins last: their requests change the most (a removed user, a published file).
    for identity in IDENTITIES:
        cookies, token = sessions[identity]
        # Signing out ends every copy of the session cookie: it comes last.
        for method, path, role in sorted(routes(app), key=lambda r: r[1] == "/logout"):
            client = TestClient(app, cookies=cookies)
            headers = {"X-CSRF-Token": token, "Accept": "text/html"}
            if path.startswith("/api/") or path.endswith(".json"):
                headers["Accept"] = "application/json"
            response = client.request(method, path, headers=headers, follow_redirects=False)
            status = response.status_code
            to_login = status == 303 and response.headers["location"].startswith("/login")
            refused = status in (401, 403) or to_login
            if role == PUBLIC:
                refused = status == 403
            if allowed(identity, role) == refused:
                wrong.append(f"{identity:9} {method:4} {path} (needs {role}): {status}")
            if (
                refused
                and identity == "anonymous"
                and method == "GET"
                and not path.endswith(".json")
                and not path.startswith(("/api/", "/postmortems/" + CHECKOUT_ID + "/latency"))
            ):
                assert to_login, f"{path}: anonymous should be sent to the sign-in page"
            checked += 1
    assert not wrong, "authorization matrix broken:\n" + "\n".join(wrong)
    assert checked == len(IDENTITIES) * len(routes(app))


def test_every_unsafe_route_needs_the_csrf_token(
    app: Any, sessions: dict[str, tuple[dict[str, str], str]]
) -> None:
    cookies, token = sessions["admin"]
    unsafe = [(m, p) for m, p, _ in routes(app) if m in UNSAFE]
    assert len(unsafe) > 20
    for method, path in unsafe:
        client = TestClient(app, cookies=cookies)
        missing = client.request(method, path, follow_redirects=False)
        forged = client.request(
            method, path, headers={"X-CSRF-Token": token[::-1]}, follow_redirects=False
        )
        for response in (missing, forged):
            assert response.status_code == 403, f"{method} {path}: {response.status_code}"
            assert "security token" in response.text
    # A form field works as well as the header.
    client = TestClient(app, cookies=cookies)
    ok = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert ok.status_code == 303
