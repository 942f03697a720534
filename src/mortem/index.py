"""The SQLite index: a cache of what listing, filtering, search and metrics need.

It is derived from the files and never the source of truth: deleting it is safe, an
older schema version is rebuilt, and every query first refreshes it against the files
on disk. A refresh costs one readdir and one stat per file; only files whose size or
modification time moved are read again, and only those whose content hash changed are
parsed again. A file modified within the same clock tick as its indexing ("racy", as
git calls it) is re-hashed on the next refresh, so a quick edit is never missed. A
file's problems also depend on mortem.toml (severities, categories, the size limit):
when those settings change, every file is parsed again.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_origin

from pydantic import BaseModel

from .errors import ParseError, Problem
from .fsutil import content_hash

if TYPE_CHECKING:
    from .document import Document
    from .model import Postmortem

SCHEMA_VERSION = 5
RACY_NS = 2_000_000_000
PARALLEL_THRESHOLD = 400

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files(
  id TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL,
  hash TEXT NOT NULL, racy INTEGER NOT NULL, ok INTEGER NOT NULL, problems TEXT NOT NULL
);
CREATE TABLE postmortems(
  id TEXT PRIMARY KEY, title TEXT, status TEXT, severity TEXT,
  started_at TEXT, detected_at TEXT, mitigated_at TEXT, resolved_at TEXT,
  services TEXT NOT NULL, tags TEXT NOT NULL, people TEXT NOT NULL, data TEXT NOT NULL
);
CREATE TABLE action_items(
  pm_id TEXT NOT NULL, position INTEGER NOT NULL, item_id TEXT, title TEXT, owner TEXT,
  due TEXT, status TEXT, type TEXT, closed_on TEXT, link TEXT,
  PRIMARY KEY(pm_id, position)
);
CREATE INDEX action_items_due ON action_items(status, due);
CREATE TABLE bodies(id TEXT PRIMARY KEY, body TEXT NOT NULL, body_line INTEGER NOT NULL);
CREATE VIRTUAL TABLE search USING fts5(
  id UNINDEXED, title, summary, narrative, whys, factors, actions,
  tokenize = 'porter unicode61'
);
"""


def iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


@dataclass(frozen=True)
class Row:
    """One postmortem as listed: enough to filter, sort and print a line."""

    id: str
    title: str | None
    status: str | None
    severity: str | None
    started_at: str | None
    resolved_at: str | None
    services: tuple[str, ...]
    tags: tuple[str, ...]
    people: tuple[str, ...]
    problems: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "severity": self.severity,
            "started_at": self.started_at,
            "resolved_at": self.resolved_at,
            "services": list(self.services),
            "tags": list(self.tags),
            "problems": self.problems,
        }


@dataclass(frozen=True)
class ActionRow:
    pm_id: str
    position: int
    id: str
    title: str
    owner: str | None
    due: str | None
    status: str
    type: str | None
    closed_on: str | None
    link: str | None


@dataclass(frozen=True)
class Indexed:
    """What a worker hands back for one file."""

    id: str
    mtime_ns: int
    size: int
    hash: str
    ok: bool
    problems: list[list[Any]]
    row: tuple[Any, ...] | None
    actions: list[tuple[Any, ...]]
    body: str
    body_line: int
    search: tuple[str, ...] | None


@dataclass(frozen=True)
class Rules:
    """The settings that parsing and validating a file depend on.

    Its fingerprint is kept in the index: when mortem.toml changes any of these (by an
    edit, a pull or a checkout), every file is parsed again, as its problems may have
    changed although its bytes did not. A setting that validation starts to use must
    be added here, or the index will serve problems found under the old settings.
    """

    max_bytes: int
    severities: tuple[str, ...]
    categories: tuple[str, ...]

    @classmethod
    def of(cls, settings: Any) -> Rules:
        return cls(
            settings.limits.max_file_bytes,
            tuple(settings.severity_names),
            tuple(settings.factors.categories),
        )

    def fingerprint(self) -> str:
        return json.dumps([self.max_bytes, self.severities, self.categories])


@dataclass(frozen=True)
class Job:
    id: str
    path: str
    display: str
    rules: Rules


def _sections(body: str) -> tuple[str, str]:
    """The summary section and the rest of the narrative, for ranked search."""
    summary: list[str] = []
    rest: list[str] = []
    target = rest
    for line in body.splitlines():
        if line.startswith("#"):
            heading = line.lstrip("#").strip().lower()
            target = summary if heading in ("summary", "overview", "incident summary") else rest
            continue
        target.append(line)
    return "\n".join(summary), "\n".join(rest)


def _scalar(value: Any) -> str | None:
    """A plain YAML scalar as text; None for a missing value, a list or a mapping."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, datetime | date):
        # Not `iso`: a time without a timezone must not be shifted by the local zone.
        return value.isoformat()
    return str(value)


def _scalars(value: Any) -> list[str]:
    """The scalar entries of a list as text; nothing when the value is not a list."""
    if not isinstance(value, list):
        return []
    return [text for text in (_scalar(v) for v in value) if text is not None]


def _json_safe(value: Any) -> Any:
    """Any YAML value as JSON values: dates as text, mapping keys as text."""
    if isinstance(value, dict):
        return {str(_scalar(k)): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        # NaN and infinities are valid YAML but not JSON; SQLite's json() rejects them.
        return value if value == value and abs(value) != float("inf") else str(value)
    return _scalar(value)


@cache
def _kinds(model: type[BaseModel]) -> dict[str, tuple[str, type[BaseModel] | None]]:
    """Each field of a model as "scalars" (a list of them), "records" or "scalar"."""
    kinds: dict[str, tuple[str, type[BaseModel] | None]] = {}
    for name, info in model.model_fields.items():
        kind: tuple[str, type[BaseModel] | None] = ("scalar", None)
        if get_origin(info.annotation) is list:
            (item,) = get_args(info.annotation)
            if isinstance(item, type) and issubclass(item, BaseModel):
                kind = ("records", item)
            else:
                kind = ("scalars", None)
        kinds[name] = kind
    return kinds


def _shaped(data: dict[Any, Any], model: type[BaseModel]) -> dict[str, Any]:
    """Front matter that failed validation, cut to the shape of the model.

    The index's `data` column is read by queries that expect a list where the format
    has one (json_extract of contributing_factors, say); a wrong-typed value is
    dropped here, as it is already reported among the file's problems.
    """
    kinds = _kinds(model)
    shaped: dict[str, Any] = {}
    for key, value in data.items():
        name = str(_scalar(key))
        kind, record = kinds.get(name, ("free", None)) if isinstance(key, str) else ("free", None)
        if kind == "scalar":
            shaped[name] = _scalar(value)
        elif kind == "scalars":
            shaped[name] = _scalars(value)
        elif kind == "records" and record is not None:
            items = value if isinstance(value, list) else []
            shaped[name] = [_shaped(v, record) for v in items if isinstance(v, dict)]
        else:
            shaped[name] = _json_safe(value)
    return shaped


def index_one(job: Job) -> Indexed:
    """Read, hash, parse and validate one file (runs in a worker process for big batches)."""
    # Imported here: a query on a fresh index parses nothing, and the model and the
    # YAML parser are a fifth of the start-up of `mortem search` or `mortem list`.
    from .document import Document, decode

    path = Path(job.path)
    st = path.stat()
    raw = path.read_bytes()
    digest = content_hash(raw)
    problems: list[Problem]
    doc: Document | None = None
    if len(raw) > job.rules.max_bytes:
        problems = [
            Problem(
                job.display,
                None,
                None,
                f"file is {len(raw)} bytes, over the limit of {job.rules.max_bytes}",
            )
        ]
    else:
        try:
            doc = Document.parse(decode(raw, job.display), job.display, job.id, digest)
            problems = doc.problems(job.rules.severities, job.rules.categories)
        except ParseError as exc:
            problems = exc.problems
        except Exception as exc:  # one strange file must not stop a listing of thousands
            doc = None
            problems = [Problem(job.display, None, None, f"could not be read: {exc!r}")]
    encoded = [[p.path, p.line, p.field, p.message] for p in problems]
    if doc is None:
        return Indexed(
            job.id, st.st_mtime_ns, st.st_size, digest, False, encoded, None, [], "", 0, None
        )
    pm: Postmortem | None = doc._model
    data = doc.data
    if pm is not None:
        dumped = pm.model_dump(mode="json")
        title: str | None = pm.title
        status: str | None = pm.status
        severity: str | None = pm.severity
        times = [iso(pm.started_at), iso(pm.detected_at), iso(pm.mitigated_at), iso(pm.resolved_at)]
        services, tags = list(pm.services), list(pm.tags)
        people = sorted(pm.people())
        actions = [
            (
                job.id,
                i,
                a.id,
                a.title,
                a.owner,
                iso(a.due),
                a.status,
                a.type,
                iso(a.closed_on),
                a.link,
            )
            for i, a in enumerate(pm.action_items)
        ]
        search = (
            job.id,
            pm.title,
            _sections(doc.body)[0] + "\n" + (pm.impact or ""),
            _sections(doc.body)[1] + "\n" + "\n".join(e.event for e in pm.timeline),
            "\n".join(f"{w.why} {w.because}" for w in pm.whys),
            "\n".join(f"{f.category}: {f.description}" for f in pm.contributing_factors),
            "\n".join(a.title for a in pm.action_items),
        )
    else:
        # Invalid front matter: keep what can be shown so the file is listed, not hidden.
        from .model import Postmortem

        dumped = _shaped(data, Postmortem)
        title = dumped.get("title")
        status = dumped.get("status")
        severity = dumped.get("severity")
        times = [None, None, None, None]
        services = dumped.get("services", [])
        tags = dumped.get("tags", [])
        people = []
        actions = []
        search = (job.id, title or "", doc.body, "", "", "", "")
    row = (
        job.id,
        title,
        status,
        severity,
        *times,
        json.dumps(services),
        json.dumps(tags),
        json.dumps(people),
        json.dumps(dumped),
    )
    return Indexed(
        job.id,
        st.st_mtime_ns,
        st.st_size,
        digest,
        pm is not None and not problems,
        encoded,
        row,
        actions,
        doc.body,
        doc.split.body_line,
        search,
    )


def _index_many(jobs: Sequence[Job]) -> list[Indexed]:
    return [index_one(job) for job in jobs]


class Index:
    def __init__(self, path: Path, store: Any) -> None:
        self.path = path
        self.store = store
        self._conn: sqlite3.Connection | None = None
        self._fresh = False

    # -- connection and schema -------------------------------------------------------

    def connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self._usable():
                self._build_empty()
            self._conn = self._open(self.path)
        return self._conn

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def _usable(self) -> bool:
        if not self.path.exists():
            return False
        try:
            conn = sqlite3.connect(self.path, timeout=30)
            try:
                value = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            finally:
                conn.close()
        except sqlite3.DatabaseError:
            return False
        return value is not None and value[0] == str(SCHEMA_VERSION)

    def _build_empty(self) -> None:
        """A fresh index file, made aside and renamed in, so readers never see half of it."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp)
        conn.executescript(SCHEMA)
        conn.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        conn.commit()
        conn.close()
        for suffix in ("-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        os.replace(tmp, self.path)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- refresh ---------------------------------------------------------------------

    def refresh(self) -> int:
        """Bring the index in line with the files; returns how many files were re-parsed."""
        conn = self.connect()
        # (id, mtime, size, racy); hashes are fetched for stale files only.
        known = {row[0]: row for row in conn.execute("SELECT id, mtime_ns, size, racy FROM files")}
        rules = Rules.of(self.store.settings)
        fingerprint = rules.fingerprint()
        stored = conn.execute("SELECT value FROM meta WHERE key='rules'").fetchone()
        rules_changed = stored is None or stored[0] != fingerprint
        on_disk: dict[str, tuple[int, int, str]] = {}
        for entry in self.store.scan():
            st = entry.stat()
            on_disk[entry.name[:-3]] = (st.st_mtime_ns, st.st_size, entry.path)
        stale = [
            doc_id
            for doc_id, (mtime, size, _) in on_disk.items()
            if rules_changed
            or doc_id not in known
            or known[doc_id][3]
            or known[doc_id][1] != mtime
            or known[doc_id][2] != size
        ]
        gone = [doc_id for doc_id in known if doc_id not in on_disk]
        if not stale and not gone and not rules_changed:
            return 0
        jobs = [
            Job(doc_id, on_disk[doc_id][2], self.store.display(Path(on_disk[doc_id][2])), rules)
            for doc_id in stale
        ]
        # A file whose bytes did not change only needs its stat updated, unless the
        # rules it was validated under changed.
        unchanged: list[tuple[int, int, int, str]] = []
        to_parse: list[Job] = []
        hashes: dict[str, str] = {}
        if not rules_changed:
            sql = "SELECT id, hash FROM files WHERE id IN (SELECT value FROM json_each(?))"
            hashes = dict(conn.execute(sql, (json.dumps([j.id for j in jobs if j.id in known]),)))
        for job in jobs:
            old_hash = hashes.get(job.id)
            if old_hash is not None:
                digest = content_hash(Path(job.path).read_bytes())
                if digest == old_hash:
                    mtime, size, _ = on_disk[job.id]
                    unchanged.append((mtime, size, self._racy(mtime), job.id))
                    continue
            to_parse.append(job)
        parsed = 0
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("UPDATE files SET mtime_ns=?, size=?, racy=? WHERE id=?", unchanged)
            for doc_id in gone:
                self._delete(conn, doc_id)
            if rules_changed:
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('rules', ?)", (fingerprint,))
            # Chunks are stored as workers finish them, so writing overlaps parsing.
            for chunk in self._parse(to_parse):
                for item in chunk:
                    if item.id in known:
                        self._delete(conn, item.id)
                    self._insert(conn, item)
                parsed += len(chunk)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return parsed

    @staticmethod
    def _racy(mtime_ns: int) -> int:
        return 1 if time.time_ns() - mtime_ns < RACY_NS else 0

    def _parse(self, jobs: list[Job]) -> Iterator[list[Indexed]]:
        if len(jobs) < PARALLEL_THRESHOLD or (os.cpu_count() or 1) < 2:
            yield _index_many(jobs)
            return
        workers = min(4, os.cpu_count() or 2)
        size = max(50, len(jobs) // (workers * 8))
        chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield from pool.map(_index_many, chunks)

    @staticmethod
    def _delete(conn: sqlite3.Connection, doc_id: str) -> None:
        # The FTS table shares the files table's rowid: deleting by rowid is a lookup,
        # while deleting by its unindexed id column would scan the whole table.
        row = conn.execute("SELECT rowid FROM files WHERE id=?", (doc_id,)).fetchone()
        if row is not None:
            conn.execute("DELETE FROM search WHERE rowid=?", (row[0],))
        for table, column in (
            ("files", "id"),
            ("postmortems", "id"),
            ("action_items", "pm_id"),
            ("bodies", "id"),
        ):
            conn.execute(f"DELETE FROM {table} WHERE {column}=?", (doc_id,))

    def _insert(self, conn: sqlite3.Connection, item: Indexed) -> None:
        cursor = conn.execute(
            "INSERT INTO files VALUES (?,?,?,?,?,?,?)",
            (
                item.id,
                item.mtime_ns,
                item.size,
                item.hash,
                self._racy(item.mtime_ns),
                int(item.ok),
                json.dumps(item.problems),
            ),
        )
        if item.row is not None:
            conn.execute("INSERT INTO postmortems VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", item.row)
            conn.execute("INSERT INTO bodies VALUES (?,?,?)", (item.id, item.body, item.body_line))
        if item.actions:
            conn.executemany("INSERT INTO action_items VALUES (?,?,?,?,?,?,?,?,?,?)", item.actions)
        if item.search is not None:
            conn.execute(
                "INSERT INTO search(rowid, id, title, summary, narrative, whys, factors, actions)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (cursor.lastrowid, *item.search),
            )

    def ensure_fresh(self) -> sqlite3.Connection:
        """Refresh once per Index object (one command, or one web request)."""
        conn = self.connect()
        if not self._fresh:
            self.refresh()
            self._fresh = True
        return conn

    def invalidate(self) -> None:
        self._fresh = False

    # -- queries ---------------------------------------------------------------------

    _ROW_SOURCE = """
        SELECT f.id, p.title, p.status, p.severity, p.started_at, p.resolved_at,
               coalesce(p.services, '[]') AS services, coalesce(p.tags, '[]') AS tags,
               coalesce(p.people, '[]') AS people,
               json_array_length(f.problems) AS problems
        FROM files f LEFT JOIN postmortems p ON p.id = f.id
        {where}
        ORDER BY p.started_at DESC, f.id
    """

    def rows(self, where: str = "", params: Sequence[Any] = ()) -> list[Row]:
        """Listed postmortems, newest first; `where` filters on `p` (postmortems)."""
        conn = self.ensure_fresh()
        # One JSON document from SQLite, parsed by one C call, is several times faster
        # than decoding three JSON columns per row in Python.
        source = self._ROW_SOURCE.format(where=f"WHERE {where}" if where else "")
        sql = f"""
          SELECT json_group_array(json_array(
            id, title, status, severity, started_at, resolved_at,
            json(services), json(tags), json(people), problems))
          FROM ({source})
        """
        (encoded,) = conn.execute(sql, tuple(params)).fetchone()
        return [
            Row(r[0], r[1], r[2], r[3], r[4], r[5], tuple(r[6]), tuple(r[7]), tuple(r[8]), r[9])
            for r in json.loads(encoded)
        ]

    def rows_json(self, where: str = "", params: Sequence[Any] = ()) -> str:
        """The same rows as `Row.as_dict` objects in a JSON array, one per line."""
        conn = self.ensure_fresh()
        source = self._ROW_SOURCE.format(where=f"WHERE {where}" if where else "")
        sql = f"""
          SELECT json_object(
            'id', id, 'title', title, 'status', status, 'severity', severity,
            'started_at', started_at, 'resolved_at', resolved_at,
            'services', json(services), 'tags', json(tags), 'problems', problems)
          FROM ({source})
        """
        lines = [row[0] for row in conn.execute(sql, tuple(params))]
        if not lines:
            return "[]\n"
        return "[\n  " + ",\n  ".join(lines) + "\n]\n"

    def problems(self, ids: Iterable[str] | None = None) -> dict[str, list[Problem]]:
        conn = self.ensure_fresh()
        wanted = set(ids) if ids is not None else None
        found: dict[str, list[Problem]] = {}
        for doc_id, encoded in conn.execute(
            "SELECT id, problems FROM files WHERE problems != '[]'"
        ):
            if wanted is None or doc_id in wanted:
                found[doc_id] = [Problem(*p) for p in json.loads(encoded)]
        return found

    def actions(self) -> list[ActionRow]:
        conn = self.ensure_fresh()
        sql = "SELECT * FROM action_items ORDER BY due IS NULL, due, pm_id, position"
        return [ActionRow(*r) for r in conn.execute(sql)]

    def front_matter(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(id, validated front matter as JSON values) for every valid postmortem."""
        conn = self.ensure_fresh()
        sql = "SELECT p.id, p.data FROM postmortems p JOIN files f ON f.id = p.id WHERE f.ok = 1"
        for doc_id, data in conn.execute(sql):
            yield doc_id, json.loads(data)

    def postmortems(self) -> list[tuple[str, Postmortem]]:
        """Every valid postmortem as a model (slower than `front_matter`; use for services)."""
        from .model import Postmortem

        conn = self.ensure_fresh()
        sql = "SELECT p.id, p.data FROM postmortems p JOIN files f ON f.id = p.id WHERE f.ok = 1"
        return [
            (doc_id, Postmortem.model_validate_json(data)) for doc_id, data in conn.execute(sql)
        ]

    def body(self, doc_id: str) -> str | None:
        conn = self.ensure_fresh()
        row = conn.execute("SELECT body FROM bodies WHERE id=?", (doc_id,)).fetchone()
        return None if row is None else str(row[0])

    def hashes(self) -> dict[str, str]:
        conn = self.ensure_fresh()
        return {r[0]: r[1] for r in conn.execute("SELECT id, hash FROM files")}
