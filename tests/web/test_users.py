"""The users file (argon2 hashes, roles, mode 0600) and `mortem user ...` on a real repo."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from helpers import run_cli
from mortem.errors import ConflictError, NotFoundError, UsageError
from mortem.users import ROLES, UsersFile, role_rank
from mortem.workspace import Workspace


def test_roles_are_ordered() -> None:
    assert [role_rank(r) for r in ("viewer", "editor", "reviewer", "admin")] == [0, 1, 2, 3]
    with pytest.raises(UsageError, match="unknown role 'owner'"):
        role_rank("owner")


def test_add_verify_and_the_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "state" / "users.json"
    users = UsersFile(path)
    users.add("priya", "a long enough password", "editor", "Priya Raman", "priya@example.com")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = json.loads(path.read_text())
    record = raw["users"]["priya"]
    assert record["role"] == "editor" and record["name"] == "Priya Raman"
    assert record["password_hash"].startswith("$argon2id$")
    assert "a long enough password" not in path.read_text()
    assert users.verify("priya", "a long enough password") is not None
    assert users.verify("priya", "a long enough passwore") is None
    assert users.verify("nobody", "a long enough password") is None
    # Another process (the CLI) changes the file: the server's object sees it.
    UsersFile(path).set_role("priya", "reviewer")
    assert users.get("priya") is not None and users.get("priya").role == "reviewer"  # type: ignore[union-attr]


def test_refusals(tmp_path: Path) -> None:
    users = UsersFile(tmp_path / "users.json")
    with pytest.raises(UsageError, match="too short"):
        users.add("sam", "short", "viewer")
    with pytest.raises(UsageError, match="invalid user name"):
        users.add("../etc", "long enough password", "viewer")
    with pytest.raises(UsageError, match="unknown role"):
        users.add("sam", "long enough password", "owner")
    users.add("sam", "long enough password", "admin")
    with pytest.raises(ConflictError, match="already exists"):
        users.add("sam", "long enough password", "viewer")
    with pytest.raises(UsageError, match="last admin"):
        users.remove("sam")
    with pytest.raises(UsageError, match="last admin"):
        users.set_role("sam", "viewer")
    with pytest.raises(NotFoundError, match="no user 'ghost'"):
        users.set_password("ghost", "long enough password")


def test_a_new_password_changes_the_session_version(tmp_path: Path) -> None:
    users = UsersFile(tmp_path / "users.json")
    before = users.add("sam", "long enough password", "viewer").password_version
    after = users.set_password("sam", "another long password").password_version
    assert before != after
    assert users.verify("sam", "long enough password") is None
    assert users.verify("sam", "another long password") is not None


def test_user_commands(ws: Workspace) -> None:
    added = run_cli(
        "user", "add", "priya", "--role", "editor", "--name", "Priya Raman", cwd=ws.root
    )
    assert added.returncode == 0, added.stderr
    password = added.stdout.strip().removeprefix("password: ")
    assert len(password) >= 16
    users = UsersFile(ws.root / ".mortem" / "users.json")
    assert users.verify("priya", password) is not None

    changed = run_cli(
        "user", "passwd", "priya", "--password-stdin", cwd=ws.root, input="new secret words\n"
    )
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout == ""  # a typed password is never printed
    assert users.verify("priya", "new secret words") is not None

    assert run_cli("user", "role", "priya", "reviewer", cwd=ws.root).returncode == 0
    listed = run_cli("user", "list", "--format", "json", cwd=ws.root)
    rows = json.loads(listed.stdout)
    assert [(r["username"], r["role"], r["name"]) for r in rows] == [
        ("priya", "reviewer", "Priya Raman")
    ]
    assert "password" not in listed.stdout

    bad = run_cli("user", "add", "priya", cwd=ws.root)
    assert bad.returncode == 1 and "already exists" in bad.stderr and "Traceback" not in bad.stderr
    assert run_cli("user", "remove", "priya", cwd=ws.root).returncode == 0
    assert users.all() == []
    # The users file stays out of git.
    assert ".mortem" not in run_git_status(ws.root)


def run_git_status(root: Path) -> str:
    import subprocess

    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def test_every_role_is_known() -> None:
    assert ROLES == ("viewer", "editor", "reviewer", "admin")
