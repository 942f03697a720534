"""The web page's accounts: a JSON users file with argon2 password hashes and roles.

The file lives outside git (default `.mortem/users.json`) because password hashes do
not belong in a repository that every laptop clones. It is written atomically and kept
readable by its owner only (mode 0600).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import ConflictError, MortemError, NotFoundError, UsageError
from .fsutil import WatchedJson

ROLES: tuple[str, ...] = ("viewer", "editor", "reviewer", "admin")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MIN_PASSWORD = 10
FILE_VERSION = 1

_hasher = PasswordHasher()
# Verifying against this when the user is unknown makes a wrong name cost as much time
# as a wrong password, so timing does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def role_rank(role: str) -> int:
    """Roles are ordered: each can do everything the ones before it can."""
    try:
        return ROLES.index(role)
    except ValueError:
        raise UsageError(f"unknown role {role!r} (one of: {', '.join(ROLES)})") from None


def check_username(name: str) -> str:
    if not USERNAME.match(name):
        raise UsageError(
            f"invalid user name {name!r}: lower-case letters, digits, '.', '_' and '-' "
            "(up to 64, starting with a letter or digit)"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    return password


@dataclass(frozen=True)
class User:
    username: str
    role: str
    password_hash: str
    name: str | None = None
    email: str | None = None
    created: str | None = None

    @property
    def display(self) -> str:
        return self.name or self.username

    @property
    def password_version(self) -> str:
        """Changes whenever the password does: sessions carry it and die with it."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def public(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "role": self.role,
            "name": self.name,
            "email": self.email,
            "created": self.created,
        }


def hash_password(password: str) -> str:
    return str(_hasher.hash(check_password(password)))


def _parse_users(raw: Any) -> dict[str, User]:
    return {
        name: User(
            username=name,
            role=str(rec["role"]),
            password_hash=str(rec["password_hash"]),
            name=rec.get("name"),
            email=rec.get("email"),
            created=rec.get("created"),
        )
        for name, rec in raw["users"].items()
    }


def generate_password() -> str:
    return secrets.token_urlsafe(15)


class UsersFile:
    """The users file; re-read when it changes on disk, so the CLI and the server agree."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: WatchedJson[dict[str, User]] = WatchedJson(path, _parse_users, {})

    # -- reading ---------------------------------------------------------------------

    def _load(self) -> dict[str, User]:
        try:
            users = self._file.load()
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MortemError(f"{self.path}: not a valid users file ({exc})") from None
        for user in users.values():
            if user.role not in ROLES:
                raise MortemError(
                    f"{self.path}: user {user.username!r} has unknown role {user.role!r}"
                )
        return users

    def all(self) -> list[User]:
        return sorted(self._load().values(), key=lambda u: u.username)

    def get(self, username: str) -> User | None:
        return self._load().get(username)

    def __len__(self) -> int:
        return len(self._load())

    def verify(self, username: str, password: str) -> User | None:
        """The user if the password is right; None otherwise (same cost either way)."""
        user = self.get(username)
        try:
            _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None:
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            user = self._save_user(replace(user, password_hash=_hasher.hash(password)))
        return user

    # -- writing ---------------------------------------------------------------------

    def _write(self, users: dict[str, User]) -> None:
        # Owner-only from the first byte: the hashes are never readable by others.
        records = {
            name: {k: v for k, v in asdict(u).items() if k != "username" and v is not None}
            for name, u in sorted(users.items())
        }
        self._file.write_private({"version": FILE_VERSION, "users": records})

    def _save_user(self, user: User) -> User:
        users = dict(self._load())
        users[user.username] = user
        self._write(users)
        return user

    def add(
        self,
        username: str,
        password: str,
        role: str = "viewer",
        name: str | None = None,
        email: str | None = None,
    ) -> User:
        check_username(username)
        role_rank(role)
        if self.get(username) is not None:
            raise ConflictError(f"user {username!r} already exists in {self.path}")
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        return self._save_user(
            User(username, role, hash_password(password), name or None, email or None, now)
        )

    def _existing(self, username: str) -> User:
        user = self.get(username)
        if user is None:
            raise NotFoundError(f"no user {username!r} in {self.path}")
        return user

    def set_password(self, username: str, password: str) -> User:
        return self._save_user(
            replace(self._existing(username), password_hash=hash_password(password))
        )

    def set_role(self, username: str, role: str) -> User:
        role_rank(role)
        user = self._existing(username)
        if user.role == "admin" and role != "admin":
            self._keep_an_admin(username)
        return self._save_user(replace(user, role=role))

    def remove(self, username: str) -> User:
        user = self._existing(username)
        if user.role == "admin":
            self._keep_an_admin(username)
        users = dict(self._load())
        del users[username]
        self._write(users)
        return user

    def _keep_an_admin(self, leaving: str) -> None:
        admins = [u for u in self.all() if u.role == "admin" and u.username != leaving]
        if not admins:
            raise UsageError(f"{leaving!r} is the last admin: make someone else admin first")
