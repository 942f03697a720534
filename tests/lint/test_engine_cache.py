"""The lint cache in .mortem/lint-cache.sqlite: reused only while a result still holds."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from mortem.lint.rule_examples import BASE_BODY, BASE_FRONT
from mortem.lint.service import CACHE_NAME, Run, cache_folder, lint_config, run_lint, targets_for
from mortem.workspace import Workspace

TODAY = dt.date(2026, 3, 20)
BLAME = "The on-call engineer should have checked the replication lag.\n"


MINI = "---\nname: default\nsections: [Summary, Impact, Action items]\n---\n# ${title}\n"


def write(ws: Workspace, name: str, body: str = BASE_BODY, front: str = BASE_FRONT) -> Path:
    # The repository's own default template asks for the sections BASE_BODY has.
    (ws.root / "templates" / "default.md").write_text(MINI, encoding="utf-8")
    path = ws.store.folder / f"{name}.md"
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return path


def lint(ws: Workspace, today: dt.date = TODAY) -> Run:
    fresh = Workspace.open(ws.root)  # re-reads mortem.toml, as a new command would
    config = lint_config(fresh, today=today)
    return run_lint(targets_for(fresh, []), config, cache_folder(fresh))


def codes(run: Run, name: str) -> list[str]:
    return sorted(
        f.code for r in run.results if r.display.endswith(f"/{name}.md") for f in r.findings
    )


def test_an_unchanged_run_comes_from_the_cache(ws: Workspace) -> None:
    write(ws, "a", BASE_BODY + "\n" + BLAME)
    write(ws, "b")
    first = lint(ws)
    assert first.cached == 0 and first.files == 2
    assert (ws.root / ".mortem" / CACHE_NAME).is_file()
    second = lint(ws)
    assert second.cached == 2
    assert [f.as_dict() for f in second.findings] == [f.as_dict() for f in first.findings]
    assert codes(second, "a") == ["B101"]


def test_a_changed_file_is_linted_again_and_only_it(ws: Workspace) -> None:
    write(ws, "a")
    write(ws, "b")
    lint(ws)
    write(ws, "b", BASE_BODY + "\n" + BLAME)
    run = lint(ws)
    assert run.cached == 1
    assert codes(run, "b") == ["B101"] and codes(run, "a") == []


def test_a_same_size_edit_within_the_clock_tick_is_not_missed(ws: Workspace) -> None:
    path = write(ws, "a", BASE_BODY + "\nThe pool ran dry.\n")
    lint(ws)
    stat = path.stat()
    # Same length, same mtime: only the content hash can tell, and a file hashed
    # within two seconds of its mtime is hashed again.
    path.write_text(path.read_text().replace("The pool ran dry.", "The SRE was lazy."))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    run = lint(ws)
    assert run.cached == 0
    assert "B103" in codes(run, "a")


def test_changing_the_settings_invalidates_every_result(ws: Workspace) -> None:
    write(ws, "a", BASE_BODY + "\n" + BLAME)
    lint(ws)
    config = ws.root / "mortem.toml"
    config.write_text(config.read_text() + '\n[lint]\nignore = ["B101"]\n')
    run = lint(ws)
    assert run.cached == 0
    assert codes(run, "a") == []


def test_a_result_expires_when_an_open_item_falls_due(ws: Workspace) -> None:
    front = BASE_FRONT.replace("due: 2026-03-28", "due: 2026-03-21")
    write(ws, "a", front=front)
    assert codes(lint(ws, TODAY), "a") == []
    same_day = lint(ws, dt.date(2026, 3, 21))
    assert same_day.cached == 1 and codes(same_day, "a") == []
    after = lint(ws, dt.date(2026, 3, 22))
    assert after.cached == 0
    assert codes(after, "a") == ["A104"]


def test_a_result_depends_on_which_evidence_files_exist(ws: Workspace) -> None:
    write(ws, "a", BASE_BODY + "\n![latency](a/latency.png)\n")
    assert codes(lint(ws), "a") == ["V007"]
    (ws.store.folder / "a").mkdir()
    (ws.store.folder / "a" / "latency.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    run = lint(ws)
    assert run.cached == 0 and codes(run, "a") == []
    assert lint(ws).cached == 1


def test_a_damaged_cache_is_rebuilt(ws: Workspace) -> None:
    write(ws, "a", BASE_BODY + "\n" + BLAME)
    lint(ws)
    (ws.root / ".mortem" / CACHE_NAME).write_bytes(b"this is not sqlite" * 100)
    for suffix in ("-wal", "-shm"):
        Path(str(ws.root / ".mortem" / CACHE_NAME) + suffix).unlink(missing_ok=True)
    run = lint(ws)
    assert run.cached == 0 and codes(run, "a") == ["B101"]
    assert lint(ws).cached == 1
