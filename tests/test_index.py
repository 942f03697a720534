"""The SQLite index: incremental, rebuilt when gone or old, never stale."""

from __future__ import annotations

import datetime as dt
import json
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


WRONG_TYPES = """\
---
title: {text: not a title}
status: [draft]
severity: [SEV1]
services: 42
tags: 7
authors: ann
responders: 5
facilitator: [x]
impact: {x: 1}
started_at: [1]
timeline: {at: noon}
whys: why
contributing_factors: 3
action_items: fix it
reviews: 4
incident_refs: 9
2026-01-01: a date as a key
---
# Body words
"""

WRONG_ENTRIES = """\
---
title: Wrong entries
status: draft
severity: SEV2
services: payments
tags: [db, {b: 1}, [c]]
action_items: [1, text, [2], {title: no id, owner: [x]}]
timeline: [3, text]
contributing_factors: [x, {category: [monitoring], description: 1}]
---
# Body
"""


def test_wrong_typed_fields_are_indexed_as_invalid(ws: Workspace) -> None:
    good = make(ws, "Good one", 2, services=["payments"], severity="SEV2")
    (ws.store.folder / "types.md").write_text(WRONG_TYPES)
    (ws.store.folder / "entries.md").write_text(WRONG_ENTRIES)
    index = fresh_index(ws)
    rows = {r.id: r for r in index.rows()}
    assert set(rows) == {good, "types", "entries"}
    # Nothing of the wrong type leaks into the row: no title made of a mapping, no
    # services made of the characters of a string.
    types = rows["types"]
    assert (types.title, types.status, types.severity) == (None, None, None)
    assert types.services == () and types.tags == () and types.problems >= 15
    entries = rows["entries"]
    assert entries.title == "Wrong entries" and entries.severity == "SEV2"
    assert entries.services == () and entries.tags == ("db",)
    problems = index.problems()
    assert "postmortems/types.md:6: tags: Input should be a valid list (got 7)" in [
        str(p) for p in problems["types"]
    ]
    assert any(p.field == "action_items[0]" for p in problems["entries"])
    # The data column keeps the format's shape, for queries that read it in SQL.
    conn = index.connect()
    sql = "SELECT json_extract(data, ?) FROM postmortems WHERE id=?"
    assert conn.execute(sql, ("$.contributing_factors", "types")).fetchone()[0] == "[]"
    factors = conn.execute(sql, ("$.contributing_factors", "entries")).fetchone()[0]
    assert json.loads(factors) == [{"category": None, "description": "1"}]
    actions = conn.execute(sql, ("$.action_items", "entries")).fetchone()[0]
    assert json.loads(actions) == [{"title": "no id", "owner": None}]
    # The valid file is still served as before.
    assert index.actions() == [] and rows[good].services == ("payments",)
    assert [doc_id for doc_id, _ in index.front_matter()] == [good]
    assert index.refresh() == 0


def _write_config(ws: Workspace, text: str) -> None:
    (ws.root / "mortem.toml").write_text(text)


def test_settings_that_validation_uses_are_followed(ws: Workspace, tmp_path: Path) -> None:
    doc_id = make(ws, "Minor one", 3, severity="SEV3")
    assert fresh_index(ws).problems() == {}
    original = (ws.root / "mortem.toml").read_text()
    without_sev3 = original.replace(
        '[[severities]]\nname = "SEV3"\ndescription = "Minor: limited impact, a workaround exists."\n',
        "",
    )
    assert without_sev3 != original
    _write_config(ws, without_sev3)
    # A new Workspace reads the new mortem.toml, as the next command would.
    changed = Workspace.open(ws.root)
    index = fresh_index(changed)
    assert index.refresh() == 1  # re-parsed although the file did not change
    (problem,) = index.problems()[doc_id]
    assert problem.field == "severity" and "unknown severity 'SEV3'" in problem.message
    assert index.refresh() == 0
    _write_config(ws, original)
    assert fresh_index(Workspace.open(ws.root)).problems() == {}


def test_size_limit_and_categories_are_part_of_the_rules(ws: Workspace) -> None:
    doc_id = make(ws, "Limits", 4)
    path = ws.store.path_for(doc_id)
    path.write_text(
        path.read_text().replace(
            "contributing_factors: []",
            "contributing_factors:\n- {category: monitoring, description: No alert}",
        )
    )
    assert fresh_index(ws).problems() == {}
    config = ws.root / "mortem.toml"
    base = config.read_text()
    config.write_text(base + '\n[factors]\ncategories = ["testing"]\n')
    found = fresh_index(Workspace.open(ws.root)).problems()[doc_id]
    assert [p.field for p in found] == ["contributing_factors[0].category"]
    config.write_text(base + "\n[limits]\nmax_file_bytes = 100\n")
    found = fresh_index(Workspace.open(ws.root)).problems()[doc_id]
    assert "over the limit of 100" in found[0].message


def test_settings_follow_a_git_checkout(ws: Workspace) -> None:
    doc_id = make(ws, "Checkout sev", 5, severity="SEV4")
    config = ws.root / "mortem.toml"
    config.write_text(config.read_text().replace('name = "SEV4"', 'name = "LOW"'))
    git(ws.root, "commit", "-qam", "Rename SEV4")
    assert doc_id in fresh_index(Workspace.open(ws.root)).problems()
    git(ws.root, "checkout", "-q", "HEAD~1")
    assert fresh_index(Workspace.open(ws.root)).problems() == {}
