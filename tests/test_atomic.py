"""Writes survive a writer killed at any moment: old file or new file, never half."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from mortem.fsutil import atomic_write
from mortem.git import Author
from mortem.templates import NewPostmortem
from mortem.workspace import Workspace

KILLS = 200


def _writer(root: str, doc_id: str, impacts: tuple[str, str], grouped: Any) -> None:
    # Its own process group, so that the kill takes the git it runs down with it, as
    # a crash or a killed CI job would. An orphaned git that carried on committing
    # would race the fsck below (fsck reads objects before reflogs).
    os.setsid()
    grouped.set()
    ws = Workspace.open(Path(root))
    n = 0
    while True:
        value = impacts[n % 2]
        ws.store.update(
            doc_id,
            lambda f, v=value: f.__setitem__("impact", v),  # type: ignore[misc]
            "flip impact",
            Author("Writer", "w@example.com"),
        )
        n += 1


def _wait_for_group_to_die(pgid: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.005)
    raise AssertionError(f"process group {pgid} outlived SIGKILL")


def test_killed_writer_leaves_old_or_new_file_and_a_sound_repository(ws: Workspace) -> None:
    doc_id = ws.create(NewPostmortem(title="Killed mid-write")).document.id
    path = ws.store.path_for(doc_id)
    # Large values widen the window in which a write is in flight.
    impacts = ("A" * 40_000, "B" * 60_000)
    versions = set()
    for value in impacts:
        ws.store.update(doc_id, lambda f, v=value: f.__setitem__("impact", v), "prime", None)  # type: ignore[misc]
        versions.add(path.read_bytes())
    assert len(versions) == 2

    context = multiprocessing.get_context("fork")
    rng = random.Random(7)
    seen = {v: 0 for v in versions}
    for _ in range(KILLS):
        grouped = context.Event()
        child = context.Process(
            target=_writer, args=(str(ws.root), doc_id, impacts, grouped), daemon=True
        )
        child.start()
        assert grouped.wait(10)
        time.sleep(rng.uniform(0.0, 0.15))
        os.killpg(child.pid or 0, signal.SIGKILL)
        child.join()
        _wait_for_group_to_die(child.pid or 0)
        content = path.read_bytes()
        assert content in versions, f"partial file of {len(content)} bytes"
        seen[content] += 1
        # A killed git leaves its locks behind, as after any crash; git itself asks
        # the user to remove them. Nothing else is cleaned up.
        for lock in (ws.root / ".git").rglob("*.lock"):
            lock.unlink()
        fsck = subprocess.run(
            ["git", "fsck", "--no-progress", "--no-dangling"],
            cwd=ws.root,
            capture_output=True,
            text=True,
        )
        assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    assert all(count > 0 for count in seen.values()), seen
    # The store never lists a leftover temporary file as a postmortem.
    assert ws.store.ids() == [doc_id]
    assert ws.store.load(doc_id).problems() == []


def test_atomic_write_replaces_content_and_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "f.md"
    target.write_text("old")
    target.chmod(0o600)
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["f.md"]
