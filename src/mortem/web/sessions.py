"""Session generations: what lets a signed-cookie session end before it expires.

A session is a signed cookie the server keeps no copy of, so on its own a copied cookie
would work until `session_hours` pass, signed out or not. Each account has a generation
number, kept in a small file beside the users file; a session carries the number it was
made with, and signing out or changing one's password moves the account's number on,
which ends every session made before (on every device: the server cannot tell them
apart, and ending all is the safe side).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from ..errors import MortemError
from ..fsutil import WatchedJson

FILE_VERSION = 1


class Generations:
    """The generation of each account's sessions (0 until the first sign-out)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._file: WatchedJson[dict[str, int]] = WatchedJson(path, _parse, {})

    def _load(self) -> dict[str, int]:
        try:
            return self._file.load()
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MortemError(f"{self.path}: not a valid sessions file ({exc})") from None

    def get(self, username: str) -> int:
        return self._load().get(username, 0)

    def bump(self, username: str) -> int:
        """End every session of `username` made so far; the number new ones carry."""
        with self._lock:
            numbers = dict(self._load())
            numbers[username] = numbers.get(username, 0) + 1
            # Owner-only like the users file: it lists who has accounts.
            self._file.write_private(
                {"version": FILE_VERSION, "generations": dict(sorted(numbers.items()))}
            )
            return numbers[username]


def _parse(raw: Any) -> dict[str, int]:
    return {str(k): int(v) for k, v in raw["generations"].items()}
