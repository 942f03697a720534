"""The server's long-lived state: the workspace, the accounts, caches, the write lock.

Each request would otherwise refresh the index (a readdir and a stat of every file):
the index is refreshed when a cheap signal says something changed (the folder's mtime,
which every atomic save moves, and the commit git's HEAD points at) and otherwise at
most every `refresh_seconds`. Caches of derived pages are keyed by the content hash of
a file or by the index generation, so they can never serve a stale answer.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from ..document import Document, decode
from ..errors import MortemError, NotFoundError
from ..fsutil import content_hash
from ..index import Index
from ..users import UsersFile
from ..workspace import Workspace
from .auth import Identity, RateLimiter, load_secret
from .config import WebSettings
from .sessions import Generations

T = TypeVar("T")
PAGE_THREADS = 4


MISSING: Any = object()


class LRU:
    """A small thread-safe least-recently-used cache.

    Without `weigh`, `size` counts entries; with it, `size` bounds the sum of the
    weights of what is kept (a page cache bounded by characters, not by pages).
    """

    def __init__(self, size: int, weigh: Callable[[Any], int] | None = None) -> None:
        self.size = size
        self.weight = 0
        self._weigh = weigh
        self._data: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def peek(self, key: Hashable) -> Any:
        """The value, or MISSING."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key][0]
        return MISSING

    def put(self, key: Hashable, value: Any) -> None:
        weight = self._weigh(value) if self._weigh is not None else 1
        if weight > self.size:
            return  # would evict everything else and still not fit
        with self._lock:
            if key in self._data:
                self.weight -= self._data.pop(key)[1]
            self._data[key] = (value, weight)
            self.weight += weight
            while self.weight > self.size:
                self.weight -= self._data.popitem(last=False)[1][1]

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        found = self.peek(key)
        if found is not MISSING:
            value: T = found
            return value
        value = make()
        self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.weight = 0


def _page_weight(value: Any) -> int:
    title, content = value
    return len(title) + len(content) + 200


class Freshness:
    """Keeps the index fresh enough without a full scan on every request."""

    def __init__(self, ws: Workspace, every: float, lock: threading.RLock) -> None:
        self.ws = ws
        self.every = every
        self._lock = lock
        self._signal: tuple[Any, ...] | None = None
        self._checked = float("-inf")
        self._stamp: tuple[int, int] | None = None
        self.generation = 0
        self._git_dir = self._find_git_dir(ws.root)
        self.on_settings: Callable[[], None] | None = None
        self.settings_version = 0

    @staticmethod
    def _find_git_dir(root: Path) -> Path | None:
        dot = root / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():  # a worktree or submodule: "gitdir: <path>"
            text = dot.read_text(encoding="utf-8").strip()
            if text.startswith("gitdir:"):
                found = Path(text[7:].strip())
                return found if found.is_absolute() else (root / found).resolve()
        return None

    def _head(self) -> str:
        if self._git_dir is None:
            return ""
        try:
            head = (self._git_dir / "HEAD").read_text(encoding="utf-8").strip()
            if head.startswith("ref: "):
                ref = self._git_dir / head[5:]
                if ref.is_file():
                    return ref.read_text(encoding="utf-8").strip()
                packed = self._git_dir / "packed-refs"
                return f"{head}:{packed.stat().st_mtime_ns if packed.exists() else 0}"
            return head
        except OSError:
            return ""

    def signal(self) -> tuple[Any, ...]:
        folder = self.ws.store.folder
        try:
            mtime = folder.stat().st_mtime_ns
        except OSError:
            mtime = 0
        return (mtime, self._head(), self._config_stamp())

    def _config_stamp(self) -> tuple[int, int]:
        path = self.ws.config_path
        try:
            st = path.stat() if path is not None else None
        except OSError:
            st = None
        return (st.st_mtime_ns, st.st_size) if st is not None else (0, 0)

    def _reload_settings(self) -> None:
        """mortem.toml changed under the server: validate by the new settings (the index
        notices the new rules and checks every file again), and drop what was made with
        the old ones. A broken or folder-moving mortem.toml keeps the old settings."""
        import sys

        try:
            changed = self.ws.reload_settings()
        except MortemError as exc:
            print(f"mortem serve: {exc}; keeping the settings in use", file=sys.stderr)
            return
        if changed:
            self.settings_version += 1
            if self.on_settings is not None:
                self.on_settings()

    def _due(self, signal: tuple[Any, ...]) -> bool:
        return signal != self._signal or time.monotonic() - self._checked >= self.every

    def index(self) -> Index:
        """The index, refreshed if the signal moved or the last refresh is too old."""
        signal = self.signal()
        if not self._due(signal):
            return self.ws.index
        with self._lock:
            # Requests that queued here while another refreshed need not refresh again.
            if self._due(signal):
                if self._signal is not None and signal[2] != self._signal[2]:
                    self._reload_settings()
                index = self.ws.index
                index.invalidate()
                conn = index.ensure_fresh()
                self._signal, self._checked = signal, time.monotonic()
                version = conn.execute("PRAGMA data_version").fetchone()[0]
                stamp = (conn.total_changes, version)
                if stamp != self._stamp:
                    self._stamp = stamp
                    self.generation += 1
        return self.ws.index

    def changed(self) -> None:
        """Our own write: refresh on the next request."""
        self._signal = None


class Site:
    """Everything a request needs that outlives it."""

    def __init__(self, ws: Workspace, web: WebSettings) -> None:
        self.ws = ws
        self.web = web
        self.users = UsersFile(ws.root / web.users_file)
        self.sessions = Generations((ws.root / web.users_file).parent / "sessions.json")
        self.secret = load_secret(ws.root / web.secret_file)
        self.networks = web.networks()
        # The index is one SQLite connection: whoever refreshes or queries it holds this.
        self.db = threading.RLock()
        self.fresh = Freshness(ws, web.refresh_seconds, self.db)
        self.fresh.on_settings = self._settings_changed
        self.per_ip = RateLimiter(web.login_per_ip, web.login_window_seconds)
        self.per_user = RateLimiter(web.login_per_user, web.login_window_seconds)
        # One writer at a time in this process (Store's file lock covers other processes,
        # but cannot be taken twice by one process).
        self.write_lock = threading.RLock()
        self.by_revision = LRU(4096)
        # Rendered page content, kept apart from the parts it is made of so that browsing
        # across thousands of postmortems does not evict one with the other; bounded by
        # characters (a page is 10-40 KB).
        self.pages = LRU(web.page_cache_mb * 1_000_000, weigh=_page_weight)
        self._by_generation = LRU(256)
        self._blame_lock = threading.Lock()
        self._blame: tuple[Hashable, dict[str, int] | None] | None = None
        self.max_request = web.request_limit(ws.settings)
        self._page_threads: Any = None
        self.sync: Any = None

    def index(self) -> Index:
        return self.fresh.index()

    def _settings_changed(self) -> None:
        # Lint findings, review blockers and pages were made under the old settings.
        self.by_revision.clear()
        self.pages.clear()
        self._by_generation.clear()
        self._blame = None

    @property
    def page_threads(self) -> Any:
        """The thread limit of page handlers (made on first use: it needs the event loop)."""
        if self._page_threads is None:
            import anyio

            self._page_threads = anyio.CapacityLimiter(PAGE_THREADS)
        return self._page_threads

    @functools.cached_property
    def _local(self) -> Identity:
        from .auth import local_identity

        return local_identity(self)

    def local_identity(self) -> Identity:
        """The one person of `auth = none` (git is asked once, not per request)."""
        return self._local

    def derived(self, key: Hashable, make: Callable[[], T]) -> T:
        """A value computed from the whole index, recomputed when the index changes.

        Computed once: requests that ask for it meanwhile wait for that computation
        instead of repeating it (the dashboard of 10,000 postmortems takes seconds).
        """
        self.index()
        full = (self.fresh.generation, key)
        found = self._by_generation.peek(full)
        if found is MISSING:
            with self.db:
                found = self._by_generation.peek(full)
                if found is MISSING:
                    found = make()
                    self._by_generation.put(full, found)
        value: T = found
        return value

    def blame_counts(self, background: bool = False) -> dict[str, int] | None:
        """Blame-language findings of every postmortem (the culture figures of the home
        page and dashboard), kept per index state and day.

        Linting 10,000 files takes seconds: pages ask for this before `derived`, so the
        lint runs without the index lock and lists and pages are served meanwhile. In the
        background (after start-up) the lint workers run at a lower priority.
        """
        from ..metrics_people import blame_counts

        key = self._blame_key()
        kept = self._blame
        if kept is not None and kept[0] == key:
            return kept[1]
        with self._blame_lock:
            if self._blame is not None and self._blame[0] == key:
                return self._blame[1]
            counts = blame_counts(self.ws, self.ws.store.ids(), nice=10 if background else 0)
            self._blame = (key, counts)
            return counts

    def _blame_key(self) -> Hashable:
        import datetime as dt

        self.index()
        return (self.fresh.generation, dt.date.today())

    def blame_pending(self) -> bool:
        """Whether the blame counts are being linted now and the kept ones are not current
        (pages then show the rest at once and say the counts are coming)."""
        current = self._blame is not None and self._blame[0] == self._blame_key()
        return not current and self._blame_lock.locked()

    def roster(self) -> dict[str, Any]:
        return dict(self.ws.settings.people)

    def read(self, doc_id: str) -> tuple[bytes, str]:
        """One postmortem's bytes and their content hash (its revision)."""
        store = self.ws.store
        try:
            raw = store.path_for(doc_id).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise NotFoundError(f"no postmortem {doc_id!r}") from None
        if len(raw) > self.ws.settings.limits.max_file_bytes:
            store.load(doc_id)  # raises the size problem with its path
        return raw, content_hash(raw)

    def document(self, doc_id: str, read: tuple[bytes, str] | None = None) -> Document:
        """One postmortem, parsed once per content hash (reading and hashing is cheap);
        `read` is what `read(doc_id)` gave, when the caller has it already."""
        raw, revision = read or self.read(doc_id)
        display = self.ws.store.display(self.ws.store.path_for(doc_id))

        def parse() -> Document:
            return Document.parse(decode(raw, display), display, doc_id, revision)

        doc: Document = self.by_revision.get(("doc", doc_id, revision), parse)
        return doc

    def write(self, change: Callable[[], T]) -> T:
        """Run one change to the repository: serialised, synced with the remote if any."""
        with self.write_lock:
            try:
                if self.sync is not None:
                    self.sync.pull()
                result = change()
                if self.sync is not None:
                    self.sync.push()
                return result
            finally:
                self.fresh.changed()
