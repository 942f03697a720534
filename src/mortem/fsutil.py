"""Atomic file writes (a reader or a crash sees the old file or the new one, never half),
and small JSON files kept in memory until they change on disk."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, fsync, rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    # The rename itself is only durable once the folder's entry is on disk.
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def content_hash(data: bytes) -> str:
    """The digest the index and the lint cache key file contents by."""
    return hashlib.sha256(data).hexdigest()


class WatchedJson(Generic[T]):
    """A JSON file read again only when it changed on disk (one stat a call), so that a
    server and the command line that edits the file agree without a restart."""

    def __init__(self, path: Path, parse: Callable[[Any], T], empty: T) -> None:
        self.path = path
        self._parse = parse  # raises ValueError, KeyError or TypeError on a bad file
        self._empty = empty
        self._stamp: tuple[int, int, int] | None = None
        self._value = empty

    def load(self) -> T:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._value = None, self._empty
            return self._value
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp != self._stamp:
            self._value = self._parse(json.loads(self.path.read_text(encoding="utf-8")))
            self._stamp = stamp
        return self._value

    def write_private(self, data: Any) -> None:
        """Replace the file atomically, owner-only from its first byte: the atomic write
        keeps the mode of the file it replaces, so the file is made 0600 before."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        os.chmod(self.path, 0o600)
        atomic_write(self.path, (json.dumps(data, indent=2) + "\n").encode("utf-8"))
        self._stamp = None
