"""A postmortem's git history, and the text a form was based on (to show a conflict)."""

from __future__ import annotations

import subprocess

from ..errors import GitError, MortemError
from ..fsutil import content_hash
from ..git import Commit
from .site import Site

SEARCH_DEPTH = 50


def history(site: Site, doc_id: str) -> list[Commit]:
    """The commits of one file, cached until HEAD moves (git log walks all history)."""
    head = site.fresh.signal()[1]

    def log() -> list[Commit]:
        try:
            return site.ws.store.history(doc_id)
        except MortemError:
            return []

    result: list[Commit] = site.by_revision.get(("history", doc_id, head), log)
    return result


def base_text(site: Site, doc_id: str, revision: str) -> str | None:
    """The committed text of `doc_id` whose content hash is `revision`, if git has it."""
    store = site.ws.store
    path = store.path_for(doc_id)
    rel = store.display(path)
    git = site.ws.git
    try:
        shas = git.run("log", f"-n{SEARCH_DEPTH}", "--format=%H", "--", rel).split()
    except GitError:
        return None
    for sha in shas:
        # Bytes, not text: the hash is of the exact bytes (line endings included).
        proc = subprocess.run(
            ["git", "show", f"{sha}:{rel}"], cwd=site.ws.root, capture_output=True, check=False
        )
        if proc.returncode == 0 and content_hash(proc.stdout) == revision:
            return proc.stdout.decode("utf-8", errors="replace")
    return None
