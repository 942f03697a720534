"""The repository of postmortems: list, load, create, update, attach, history.

Every change goes through `update` or `create`: the file is re-validated, written
atomically, and committed as the acting person. A file that does not parse is never
rewritten, and a save based on an old revision is refused rather than merged.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Settings
from .errors import ConflictError, InvalidDocumentError, MortemError, NotFoundError, UsageError
from .fsutil import atomic_write, content_hash
from .git import Author, Commit, Git

# Document (with the model and the YAML parser) is imported in the methods that parse:
# listing ids and paths must not pay for it (see workspace.py).
if TYPE_CHECKING:
    from .document import Document

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")
STATE_DIR = ".mortem"


def check_id(doc_id: str) -> str:
    """Ids become file names: refuse anything that could leave the folder."""
    if not ID_PATTERN.match(doc_id) or ".." in doc_id:
        raise UsageError(f"invalid postmortem id {doc_id!r}: use letters, digits, '.', '_' and '-'")
    return doc_id


@dataclass(frozen=True)
class Saved:
    document: Document
    commit: str | None


class Store:
    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root
        self.settings = settings
        self.folder = root / settings.paths.postmortems
        self.git = Git(root)

    # -- reading ---------------------------------------------------------------------

    def path_for(self, doc_id: str) -> Path:
        return self.folder / f"{check_id(doc_id)}.md"

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def scan(self) -> Iterator[os.DirEntry[str]]:
        """Directory entries of postmortem files, unsorted (cheap: one readdir)."""
        if not self.folder.is_dir():
            return
        with os.scandir(self.folder) as entries:
            for entry in entries:
                if (
                    entry.name.endswith(".md")
                    and not entry.name.startswith(".")
                    and entry.is_file()
                ):
                    yield entry

    def ids(self) -> list[str]:
        return sorted(entry.name[:-3] for entry in self.scan())

    def exists(self, doc_id: str) -> bool:
        return self.path_for(doc_id).is_file()

    def load(self, doc_id: str) -> Document:
        from .document import Document

        path = self.path_for(doc_id)
        if not path.is_file():
            raise NotFoundError(f"no postmortem {doc_id!r} (looked for {self.display(path)})")
        return Document.read(path, self.display(path), doc_id, self.settings.limits.max_file_bytes)

    def revision(self, doc_id: str) -> str:
        return content_hash(self.path_for(doc_id).read_bytes())

    # -- writing ---------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """One writer at a time on this clone (other clones meet in git)."""
        state = self.root / STATE_DIR
        state.mkdir(exist_ok=True)
        with open(state / "write.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _commit(self, paths: list[Path], message: str, author: Author | None) -> str | None:
        if not self.settings.git.commit or not self.git.is_repo():
            return None
        return self.git.commit(paths, message, author)

    def create(self, doc_id: str, text: str, message: str, author: Author | None) -> Saved:
        from .document import Document

        path = self.path_for(doc_id)
        with self.lock():
            if path.exists():
                raise ConflictError(f"{self.display(path)} already exists")
            doc = Document.parse(text, self.display(path), doc_id)
            atomic_write(path, text.encode("utf-8"))
            return Saved(doc, self._commit([path], message, author))

    def update(
        self,
        doc_id: str,
        mutate: Callable[[Any], None],
        message: str,
        author: Author | None,
        expected_revision: str | None = None,
        body: Callable[[str], str] | None = None,
        extra_paths: list[Path] | None = None,
    ) -> Saved:
        """Edit the front matter (and optionally the body) in place and commit."""
        from .document import Document

        with self.lock():
            doc = self.load(doc_id)  # a file that does not parse raises here, untouched
            if expected_revision is not None and doc.revision != expected_revision:
                raise ConflictError(
                    f"{doc.display} changed since you opened it (revision {doc.revision[:12]}, "
                    f"yours {expected_revision[:12]}): reload to see the changes, then edit again"
                )
            text = doc.edited(mutate)
            if body is not None:
                head = text[: len(text) - len(doc.body)] if doc.body else text
                text = head + body(doc.body)
            new = Document.parse(text, doc.display, doc_id)
            self._refuse_new_problems(doc, new)
            if text == doc.text:
                return Saved(doc, None)
            self._refuse_if_changed(doc)
            atomic_write(self.path_for(doc_id), text.encode("utf-8"))
            paths = [self.path_for(doc_id), *(extra_paths or [])]
            return Saved(new, self._commit(paths, message, author))

    def _refuse_if_changed(self, doc: Document) -> None:
        """A hand edit saved while this edit was being made (the file lock only binds
        mortem) is refused, not overwritten."""
        from .fsutil import content_hash

        if content_hash(self.path_for(doc.id).read_bytes()) != doc.revision:
            raise ConflictError(
                f"{doc.display} changed while mortem was editing it: nothing was written; "
                "run the command again"
            )

    def _refuse_new_problems(self, old: Document, new: Document) -> None:
        names = self.settings.severity_names
        cats = tuple(self.settings.factors.categories)
        before = {(p.field, p.message) for p in old.problems(names, cats)}
        introduced = [p for p in new.problems(names, cats) if (p.field, p.message) not in before]
        if introduced:
            raise InvalidDocumentError(introduced)

    def write_raw(
        self,
        doc_id: str,
        text: str,
        message: str,
        author: Author | None,
        expected_revision: str | None,
    ) -> Saved:
        """Replace a whole file (the web editor's save), refusing stale or invalid text."""
        from .document import Document

        with self.lock():
            path = self.path_for(doc_id)
            current = content_hash(path.read_bytes()) if path.exists() else None
            if expected_revision is not None and current != expected_revision:
                raise ConflictError(f"{self.display(path)} changed since you opened it")
            doc = Document.parse(text, self.display(path), doc_id)
            problems = doc.problems(
                self.settings.severity_names, tuple(self.settings.factors.categories)
            )
            if problems:
                raise InvalidDocumentError(problems)
            atomic_write(path, text.encode("utf-8"))
            return Saved(doc, self._commit([path], message, author))

    def history(self, doc_id: str) -> list[Commit]:
        path = self.path_for(doc_id)
        if not path.exists():
            raise NotFoundError(f"no postmortem {doc_id!r}")
        if not self.git.is_repo():
            raise MortemError(f"{self.root} is not a git repository: there is no history")
        return self.git.log(path)
