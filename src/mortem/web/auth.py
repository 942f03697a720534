"""Who is asking, and may they: sign-in modes, roles, CSRF tokens, login rate limits."""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request

from ..git import Author
from ..users import ROLES, User, role_rank

if TYPE_CHECKING:
    from .site import Site

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC = "public"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class Identity:
    """The person behind a request; `username` None means nobody is signed in."""

    username: str | None
    role: str | None
    name: str
    email: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.username is None

    def can(self, role: str) -> bool:
        if role == PUBLIC:
            return True
        return self.role is not None and role_rank(self.role) >= role_rank(role)

    def author(self, roster: dict[str, Any]) -> Author | None:
        """The git author of this person's changes (the roster's name when they are in it)."""
        if self.username is None:
            return None
        person = roster.get(self.username)
        if person is not None and person.email:
            return Author(person.name, person.email)
        if self.email:
            return Author(self.name, self.email)
        return Author.parse(self.name if self.name != self.username else self.username)

    def public(self) -> dict[str, Any]:
        return {"username": self.username, "role": self.role, "name": self.name}


ANONYMOUS = Identity(None, None, "anonymous")


class LoginRequired(Exception):
    """Nobody is signed in: pages redirect to the sign-in form, the API answers 401."""


class Forbidden(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins: try again in {retry_after} seconds")
        self.retry_after = retry_after


def load_secret(path: Path) -> str:
    """The session key: MORTEM_SECRET, else a key generated once into the state folder."""
    from_env = os.environ.get("MORTEM_SECRET")
    if from_env:
        return from_env
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


class RateLimiter:
    """At most `limit` failures per key within a sliding window of `window` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def retry_after(self, key: str) -> int:
        """Seconds until the key may try again (0: it may now)."""
        now = time.monotonic()
        with self._lock:
            hits = self._recent(key, now)
            if len(hits) < self.limit:
                return 0
            return max(1, int(hits[0] + self.window - now) + 1)

    def fail(self, key: str) -> None:
        with self._lock:
            self._recent(key, time.monotonic()).append(time.monotonic())
            if len(self._hits) > 100_000:  # a flood of names must not grow memory forever
                self._hits = {k: v for k, v in self._hits.items() if v}

    def clear(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)


def session_of(request: Request) -> dict[str, Any]:
    session: dict[str, Any] = request.session
    return session


def csrf_token(request: Request) -> str:
    """This browser's token (made on first use); forms and fetches send it back."""
    session = session_of(request)
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


async def csrf_ok(request: Request) -> bool:
    expected = session_of(request).get("csrf")
    if not isinstance(expected, str) or not expected:
        return False
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    return sent is not None and hmac.compare_digest(sent.encode(), expected.encode())


def sign_in(request: Request, user: User, generation: int) -> None:
    """A fresh session for the person (a new CSRF token too: no fixation), of the
    account's current session generation."""
    session = session_of(request)
    session.clear()
    session["user"] = user.username
    session["pv"] = user.password_version
    session["gen"] = generation
    session["csrf"] = secrets.token_urlsafe(32)


def sign_out(request: Request) -> None:
    session = session_of(request)
    session.clear()
    session["csrf"] = secrets.token_urlsafe(32)


def is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def identify(request: Request, site: Site) -> Identity:
    """Who is asking, by the configured mode."""
    mode = site.web.auth
    if mode == "none":
        return site.local_identity()
    if mode == "proxy":
        return _from_proxy(request, site)
    session = session_of(request)
    username = session.get("user")
    if not isinstance(username, str):
        return ANONYMOUS
    user = site.users.get(username)
    # A changed password or a removed account ends every session that predates it, and
    # so does signing out (which moves the account's session generation on).
    if user is None or session.get("pv") != user.password_version:
        return ANONYMOUS
    if session.get("gen") != site.sessions.get(username):
        return ANONYMOUS
    return Identity(user.username, user.role, user.display, user.email)


def _from_proxy(request: Request, site: Site) -> Identity:
    peer = request.client.host if request.client else None
    if peer is None:
        return ANONYMOUS
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return ANONYMOUS
    if not any(address in net for net in site.networks):
        return ANONYMOUS
    username = (request.headers.get(site.web.proxy_header) or "").strip()
    if not username or len(username) > 200:
        return ANONYMOUS
    user = site.users.get(username.lower())
    if user is not None:
        return Identity(user.username, user.role, user.display, user.email)
    return Identity(username, site.web.proxy_role, username)


def local_identity(site: Site) -> Identity:
    """Who `auth = none` serves: the git identity of the clone (asked once, not per request)."""
    author = site.ws.git.configured_author()
    name = author.name if author else "local"
    return Identity("local", "admin", name, author.email if author else None)


def check_role(role: str) -> str:
    if role != PUBLIC and role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    return role
