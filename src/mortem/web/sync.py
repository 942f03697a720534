"""Replicas: each `mortem serve` works in its own clone and meets the others in a remote.

Before a change the clone pulls (rebasing nothing, since every change was pushed), after
it the commit is pushed. When another replica pushed first, the commit is rebased on
theirs and pushed again; when both changed the same lines the rebase is abandoned,
the commit is kept on a branch of the remote (nothing is lost), the clone takes the
remote's version, and the person gets a 409 showing what changed. A background thread
pulls every `pull_seconds` so pages show the others' work.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import TYPE_CHECKING

from ..errors import ConflictError, GitError

if TYPE_CHECKING:
    from .site import Site

log = logging.getLogger("mortem.web.sync")
PUSH_ATTEMPTS = 4


class Sync:
    def __init__(self, site: Site) -> None:
        self.site = site
        self.git = site.ws.git
        remote = site.web.remote
        assert remote is not None
        self.remote = remote
        self.branch = self.git.run("rev-parse", "--abbrev-ref", "HEAD").strip()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.env: dict[str, str] = {}
        if self.git.configured_author() is None:
            # Rebasing writes commits; without an identity git would refuse.
            self.env = {"GIT_COMMITTER_NAME": "mortem", "GIT_COMMITTER_EMAIL": "mortem@localhost"}

    @property
    def upstream(self) -> str:
        return f"{self.remote}/{self.branch}"

    def _fetch(self) -> bool:
        """Fetch; True when the remote has commits this clone lacks."""
        self.git.run("fetch", "-q", self.remote, self.branch)
        behind = self.git.run("rev-list", "--count", f"HEAD..{self.upstream}").strip()
        return behind != "0"

    def _rebase(self) -> bool:
        """Rebase local commits onto the remote; False (and nothing changed) on a conflict."""
        try:
            self.git.run("rebase", "-q", self.upstream, env=self.env)
        except GitError as exc:
            self.git.run("rebase", "--abort", check=False)
            log.warning("rebase onto %s conflicted: %s", self.upstream, exc)
            return False
        return True

    def pull(self) -> None:
        """Bring the clone up to the remote (the caller holds the write lock)."""
        if self._fetch() and not self._rebase():
            self._give_up("the remote has changes that conflict with this clone's")

    def push(self) -> None:
        """Push the new commit, rebasing onto whatever others pushed meanwhile."""
        for _ in range(PUSH_ATTEMPTS):
            try:
                self.git.run("push", "-q", self.remote, f"HEAD:refs/heads/{self.branch}")
                return
            except GitError as exc:
                last = exc
            if self._fetch() and not self._rebase():
                self._give_up("someone else changed the same lines at the same time")
        raise GitError(f"could not push to {self.remote} after {PUSH_ATTEMPTS} tries: {last}")

    def _give_up(self, why: str) -> None:
        """Keep our commits on a branch of the remote, take the remote's state, and say so."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-%f")
        keep = f"mortem/conflict-{stamp}"
        diff = self.git.run("diff", f"{self.upstream}...HEAD", check=False)
        self.git.run("push", "-q", self.remote, f"HEAD:refs/heads/{keep}", check=False)
        self.git.run("branch", keep, "HEAD", check=False)
        self.git.run("reset", "-q", "--hard", self.upstream)
        error = ConflictError(
            f"{why}: nothing was overwritten; your change is kept on the branch {keep} "
            f"of {self.remote}. Reload, look at what changed, and make your change again"
        )
        error.diff = diff  # type: ignore[attr-defined]
        raise error

    # -- the background pull -------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="mortem-pull", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def pull_now(self) -> None:
        with self.site.write_lock:
            try:
                self.pull()
            except (GitError, ConflictError) as exc:
                log.warning("pull from %s failed: %s", self.remote, exc)
            finally:
                self.site.fresh.changed()

    def _loop(self) -> None:
        self.pull_now()
        while not self._stop.wait(self.site.web.pull_seconds):
            self.pull_now()
