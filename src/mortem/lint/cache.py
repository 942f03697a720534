"""Lint results cached in `.mortem/lint-cache.sqlite`, so an unchanged run is instant.

A result is keyed by the file's content hash and the run's configuration key (the
settings and the rule set's fingerprint); it is reused only while it is still true:
- before its `expires` day (an open action item falls due and becomes overdue), and
- while the same linked evidence files are missing as when it was computed.
A stat table (path, mtime, size -> hash) avoids reading files that did not move; a
file modified within two seconds of being hashed is hashed again next time ("racy",
as git says), so a quick edit is never missed. The cache is safe to delete.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..fsutil import content_hash
from .findings import FileResult, Finding

SCHEMA_VERSION = "1"
RACY_NS = 2_000_000_000
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stats(
  path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL,
  hash TEXT NOT NULL, racy INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS results(
  hash TEXT NOT NULL, config TEXT NOT NULL, expires TEXT, links TEXT NOT NULL,
  missing TEXT NOT NULL, findings TEXT NOT NULL, PRIMARY KEY(hash, config)
);
"""


@dataclass(frozen=True)
class Target:
    """A file to lint: where it is, how it is shown, and the folder its links point into."""

    path: str | Path  # the scan gives strings: a run may have ten thousand, Paths cost
    display: str
    base: Path

    @property
    def file(self) -> str:
        return os.fspath(self.path)


@dataclass
class Stat:
    mtime_ns: int
    size: int


class Cache:
    def __init__(self, path: Path, config_key: str) -> None:
        self.path = path
        self.config_key = config_key
        self._conn: sqlite3.Connection | None = None
        self._stats: dict[str, Stat] = {}

    def connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._conn = self._open()
            except sqlite3.DatabaseError:
                # A damaged cache is thrown away, never trusted.
                self.path.unlink(missing_ok=True)
                self._conn = self._open()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(SCHEMA)
        row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is None or row[0] != SCHEMA_VERSION:
            conn.executescript("DELETE FROM stats; DELETE FROM results;")
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        return conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def lookup(
        self, targets: Sequence[Target], today: dt.date
    ) -> tuple[list[FileResult | None], int]:
        """A cached result for each target where one is still valid (None elsewhere).

        Also returns how many files had to be read to be hashed.
        """
        conn = self.connect()
        keys = [t.file for t in targets]
        known: dict[str, tuple[int, int, str, int]] = {}
        if len(keys) > 200:
            for path, mtime, size, digest, racy in conn.execute("SELECT * FROM stats"):
                known[path] = (mtime, size, digest, racy)
        else:
            for key in keys:
                row = conn.execute("SELECT * FROM stats WHERE path=?", (key,)).fetchone()
                if row is not None:
                    known[row[0]] = (row[1], row[2], row[3], row[4])
        # With no result stored for this configuration (a first run, a new rule set)
        # nothing can be reused: hashing every file to look them up is wasted reading.
        empty = (
            conn.execute(
                "SELECT 1 FROM results WHERE config=? LIMIT 1", (self.config_key,)
            ).fetchone()
            is None
        )
        hashes: list[str | None] = []
        read = 0
        for key in keys:
            try:
                st = os.stat(key)
            except OSError:
                hashes.append(None)
                continue
            self._stats[key] = Stat(st.st_mtime_ns, st.st_size)
            old = known.get(key)
            if old is not None and not old[3] and old[0] == st.st_mtime_ns and old[1] == st.st_size:
                hashes.append(old[2])
                continue
            if empty:
                hashes.append(None)
                continue
            try:
                with open(key, "rb") as handle:
                    hashes.append(content_hash(handle.read()))
                read += 1
            except OSError:
                hashes.append(None)
        wanted = {h for h in hashes if h}
        rows: dict[str, tuple[str | None, str, str, str]] = {}
        if len(wanted) > 200:
            sql = "SELECT hash, expires, links, missing, findings FROM results WHERE config=?"
            for digest, expires, links, missing, findings in conn.execute(sql, (self.config_key,)):
                if digest in wanted:
                    rows[digest] = (expires, links, missing, findings)
        else:
            sql = "SELECT expires, links, missing, findings FROM results WHERE hash=? AND config=?"
            for digest in wanted:
                row = conn.execute(sql, (digest, self.config_key)).fetchone()
                if row is not None:
                    rows[digest] = row
        found: list[FileResult | None] = []
        for target, digest in zip(targets, hashes, strict=True):
            row = rows.get(digest) if digest else None
            found.append(None if row is None else self._reuse(target, digest or "", row, today))
        return found, read

    @staticmethod
    def _reuse(
        target: Target, digest: str, row: tuple[str | None, str, str, str], today: dt.date
    ) -> FileResult | None:
        expires, links_json, missing_json, findings_json = row
        if expires is not None and today >= dt.date.fromisoformat(expires):
            return None
        links = tuple(json.loads(links_json)) if links_json != "[]" else ()
        missing = tuple(json.loads(missing_json)) if missing_json != "[]" else ()
        if links:
            now_missing = tuple(t for t in links if not (target.base / t).exists())
            if now_missing != missing:
                return None
        findings = (
            [Finding.from_cache(r, target.display) for r in json.loads(findings_json)]
            if findings_json != "[]"
            else []
        )
        return FileResult(
            target.display,
            findings,
            digest,
            None if expires is None else dt.date.fromisoformat(expires),
            missing,
            links,
        )

    def store(self, pairs: Sequence[tuple[Target, FileResult]]) -> None:
        if not pairs:
            return
        conn = self.connect()
        now = time.time_ns()
        stats = []
        results = []
        for target, result in pairs:
            if not result.hash:
                continue
            st = self._stats.get(target.file)
            if st is not None:
                racy = 1 if now - st.mtime_ns < RACY_NS else 0
                stats.append((target.file, st.mtime_ns, st.size, result.hash, racy))
            results.append(
                (
                    result.hash,
                    self.config_key,
                    None if result.expires is None else result.expires.isoformat(),
                    json.dumps(list(result.links)),
                    json.dumps(list(result.missing)),
                    json.dumps([f.to_cache() for f in result.findings], ensure_ascii=False),
                )
            )
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("INSERT OR REPLACE INTO stats VALUES (?,?,?,?,?)", stats)
            conn.executemany("INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?)", results)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def prune(self, present: Sequence[Target]) -> None:
        """Forget files that are gone and results no file refers to any more."""
        conn = self.connect()
        keep = {t.file for t in present}
        gone = [(p,) for (p,) in conn.execute("SELECT path FROM stats") if p not in keep]
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("DELETE FROM stats WHERE path=?", gone)
            conn.execute("DELETE FROM results WHERE hash NOT IN (SELECT hash FROM stats)")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
