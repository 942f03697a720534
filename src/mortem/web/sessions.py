"""Session generations: what lets a signed-cookie session end before it expires.

A session is a signed cookie the server keeps no copy of, so on its own a copied cookie
would work until `session_hours` pass, signed out or not. Each account has a generation
number, kept in a small file beside the users file; a session carries the number it was
made with, and signing out or changing one's password moves the account's number on,
which ends every session made before (on every device: the server cannot tell them
apart, and ending all is the safe side).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from ..errors import MortemError
from ..fsutil import atomic_write

FILE_VERSION = 1


class Generations:
    """The generation of each account's sessions (0 until the first sign-out)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._numbers: dict[str, int] = {}

    def _load(self) -> dict[str, int]:
        """The numbers, read again only when the file changed (one stat a request)."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._numbers = None, {}
            return self._numbers
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp == self._stamp:
            return self._numbers
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            numbers = {str(k): int(v) for k, v in raw["generations"].items()}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MortemError(f"{self.path}: not a valid sessions file ({exc})") from None
        self._stamp, self._numbers = stamp, numbers
        return numbers

    def get(self, username: str) -> int:
        return self._load().get(username, 0)

    def bump(self, username: str) -> int:
        """End every session of `username` made so far; the number new ones carry."""
        with self._lock:
            numbers = dict(self._load())
            numbers[username] = numbers.get(username, 0) + 1
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                # Owner-only like the users file: it lists who has accounts.
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            data = {"version": FILE_VERSION, "generations": dict(sorted(numbers.items()))}
            atomic_write(self.path, (json.dumps(data, indent=2) + "\n").encode("utf-8"))
            self._stamp = None
            return numbers[username]
