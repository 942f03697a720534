"""The SQLite index: incremental, rebuilt when gone or old, never stale."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
from pathlib import Path

from mortem.index import SCHEMA_VERSION, Index
from mortem.templates import NewPostmortem
from mortem.workspace import Workspace


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def fresh_index(ws: Workspace) -> Index:
    """A new Index object, as a new command or web request would make."""
    return Index(ws.root / ".mortem" / "index.sqlite", ws.store)


def make(ws: Workspace, title: str, day: int, **kw: object) -> str:
    started = dt.datetime(2026, 1, day, 10, 0, tzinfo=dt.UTC)
    return ws.create(NewPostmortem(title=title, started_at=started, **kw)).document.id  # type: ignore[arg-type]


def test_refresh_parses_only_what_changed(ws: Workspace) -> None:
    ids = [make(ws, f"Incident {n}", n) for n in range(1, 6)]
    index = fresh_index(ws)
    assert index.refresh() == 5
    assert index.refresh() == 0
    path = ws.store.path_for(ids[2])
    path.write_text(path.read_text().replace("severity: null", "severity: SEV1"))
    assert index.refresh() == 1
    assert {r.id: r.severity for r in index.rows()}[ids[2]] == "SEV1"
    # Touching a file without changing it costs a hash, not a parse.
    path.touch()
    assert index.refresh() == 0


def test_rows_sorted_newest_first_with_fields(ws: Workspace) -> None:
    make(ws, "Older", 1, services=["auth"])
    make(ws, "Newer", 9, services=["search"], severity="SEV2")
    rows = fresh_index(ws).rows()
    assert [r.title for r in rows] == ["Newer", "Older"]
    assert rows[0].services == ("search",) and rows[0].severity == "SEV2"
    assert rows[0].started_at == "2026-01-09T10:00:00Z"


def test_never_stale_after_a_quick_rewrite_of_the_same_size(ws: Workspace) -> None:
    doc_id = make(ws, "Same size", 3, severity="SEV1")
    index = fresh_index(ws)
    assert index.rows()[0].severity == "SEV1"
    path = ws.store.path_for(doc_id)
    stat = path.stat()
    # Same size, and the modification time forced back to what it was: only the
    # racy-file rule (files modified just before indexing are re-hashed) catches this.
    path.write_text(path.read_text().replace("SEV1", "SEV3"))
    import os

    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    assert fresh_index(ws).rows()[0].severity == "SEV3"


def test_deleted_files_leave_the_index(ws: Workspace) -> None:
    keep = make(ws, "Keep", 1)
    gone = make(ws, "Gone", 2)
    index = fresh_index(ws)
    assert len(index.rows()) == 2
    ws.store.path_for(gone).unlink()
    index.invalidate()
    assert [r.id for r in index.rows()] == [keep]


def test_rebuilt_when_deleted_or_of_an_older_schema(ws: Workspace) -> None:
    make(ws, "One", 1)
    index = fresh_index(ws)
    assert len(index.rows()) == 1
    index.close()
    db = ws.root / ".mortem" / "index.sqlite"
    db.unlink()
    assert len(fresh_index(ws).rows()) == 1
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value=? WHERE key='schema'", (str(SCHEMA_VERSION - 1),))
    conn.execute("DELETE FROM files")
    conn.commit()
    conn.close()
    assert len(fresh_index(ws).rows()) == 1
    # A corrupt file is treated like an old one: rebuilt, not trusted.
    db.write_bytes(b"not a database")
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    assert len(fresh_index(ws).rows()) == 1


def test_follows_git_checkout_and_pull(ws: Workspace, tmp_path: Path) -> None:
    doc_id = make(ws, "Branchy", 4, severity="SEV4")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(ws.root), str(clone))
    other = Workspace.open(clone)
    assert fresh_index(other).rows()[0].severity == "SEV4"

    ws.store.update(doc_id, lambda f: f.__setitem__("severity", "SEV2"), "Raise", None)
    git(clone, "pull", "-q", "--ff-only")
    assert fresh_index(other).rows()[0].severity == "SEV2"

    git(clone, "checkout", "-q", "HEAD~1")
    assert fresh_index(other).rows()[0].severity == "SEV4"


def test_invalid_files_are_listed_with_their_problems(ws: Workspace) -> None:
    (ws.store.folder / "bad.md").write_text("---\ntitle: Bad\nstatus: done\n---\n")
    (ws.store.folder / "worse.md").write_text("no front matter\n")
    index = fresh_index(ws)
    rows = {r.id: r for r in index.rows()}
    assert rows["bad"].title == "Bad" and rows["bad"].problems == 1
    assert rows["worse"].title is None and rows["worse"].problems == 1
    problems = index.problems()
    assert str(problems["bad"][0]).startswith("postmortems/bad.md:3: status: unknown value")
    assert str(problems["worse"][0]) == (
        "postmortems/worse.md:1: no front matter: the file must start with a '---' line"
    )


def test_parallel_refresh_matches_serial(ws: Workspace, monkeypatch: object) -> None:
    import mortem.index as index_module

    for n in range(1, 13):
        make(ws, f"Parallel {n}", n, services=[f"svc-{n % 3}"])
    serial = fresh_index(ws).rows()
    (ws.root / ".mortem" / "index.sqlite").unlink()
    monkeypatch.setattr(index_module, "PARALLEL_THRESHOLD", 2)  # type: ignore[attr-defined]
    parallel = fresh_index(ws).rows()
    assert parallel == serial
