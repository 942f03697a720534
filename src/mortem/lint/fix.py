"""`mortem lint --fix`: apply the fixes that findings carry, touching nothing else.

Body fixes replace exact spans of the body. Front-matter fixes rewrite one string
value through a round-trip edit (`Document.edited`, or `Store.update` for files in
the repository, which also refuses stale revisions and commits the change), so
comments, quoting and key order survive. A file that does not parse is never written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..document import Document, decode, split_front_matter
from ..errors import MortemError, ParseError
from ..fsutil import atomic_write
from ..git import Author
from ..store import Store
from .cache import Target
from .findings import FileResult, Finding, Fix


@dataclass(frozen=True)
class Fixed:
    path: Path
    display: str
    codes: tuple[str, ...]  # one entry per fix applied
    commit: str | None


def _body_edits(fixes: Sequence[Fix], body_start: int) -> list[Fix]:
    """Body fixes in file order, without overlaps, as offsets into the body."""
    chosen: list[Fix] = []
    end = -1
    for fix in sorted((f for f in fixes if f.loc is None), key=lambda f: (f.start, f.end)):
        if fix.start < body_start or fix.start < end:
            continue
        chosen.append(Fix(fix.description, fix.start - body_start, fix.end - body_start, fix.text))
        end = max(fix.end, fix.start + 1)
    return chosen


def apply_body(body: str, edits: Sequence[Fix]) -> str:
    for edit in sorted(edits, key=lambda f: f.start, reverse=True):
        body = body[: edit.start] + edit.text + body[edit.end :]
    return body


def _front_mutator(fixes: Sequence[Fix]) -> Callable[[Any], None]:
    """Edit string values in the round-trip data; several fixes in one value go right to left."""
    by_loc: dict[tuple[str | int, ...], list[Fix]] = {}
    for fix in fixes:
        if fix.loc is not None:
            by_loc.setdefault(fix.loc, []).append(fix)

    def mutate(front: Any) -> None:
        for loc, items in by_loc.items():
            node = front
            for part in loc[:-1]:
                node = node[part]
            old = node[loc[-1]]
            if not isinstance(old, str):
                continue
            value = str(old)
            last = len(value) + 1
            for fix in sorted(items, key=lambda f: f.start, reverse=True):
                if fix.end > last:
                    continue  # overlapping: leave it for the next run
                value = value[: fix.start] + fix.text + value[fix.end :]
                last = fix.start
            # Keep the scalar's style (quoted, folded...) by building the same type.
            node[loc[-1]] = type(old)(value) if type(old) is not str else value

    return mutate


def fix_file(
    path: Path,
    display: str,
    findings: Sequence[Finding],
    digest: str,
    store: Store | None,
    author: Author | None,
) -> Fixed | None:
    """Apply the fixes of one file's findings; None when there was nothing to do."""
    fixes = [f.fix for f in findings if f.fix is not None]
    if not fixes:
        return None
    codes = Counter(f.code for f in findings if f.fix is not None)
    summary = ", ".join(f"{code} x{n}" if n > 1 else code for code, n in sorted(codes.items()))
    text = decode(path.read_bytes(), display)
    split = split_front_matter(text)
    body_start = len(text) - len(split.body) if split is not None else 0
    edits = _body_edits(fixes, body_start)
    front_fixes = [f for f in fixes if f.loc is not None]
    applied = tuple(sorted(f.code for f in findings if f.fix is not None))
    if split is None:
        # Plain Markdown (no front matter): only exact body spans can change.
        if store is not None and _in_store(store, path):
            return None
        atomic_write(path, apply_body(text, edits).encode("utf-8"))
        return Fixed(path, display, applied, None)
    mutate = _front_mutator(front_fixes)
    if store is not None and _in_store(store, path):
        try:
            saved = store.update(
                path.stem,
                mutate,
                f"Lint fixes in {path.stem}: {summary}",
                author,
                expected_revision=digest,
                body=lambda body: apply_body(body, edits),
            )
        except ParseError:
            return None  # never rewrite a file that does not parse
        return Fixed(path, display, applied, saved.commit)
    try:
        doc = Document.parse(text, display, path.stem)
    except MortemError:
        return None
    new_text = doc.edited(mutate) if front_fixes else text
    new_split = split_front_matter(new_text)
    assert new_split is not None
    head = new_text[: len(new_text) - len(new_split.body)]
    new_text = head + apply_body(new_split.body, edits)
    if new_text != text:
        atomic_write(path, new_text.encode("utf-8"))
    return Fixed(path, display, applied, None)


def _in_store(store: Store, path: Path) -> bool:
    try:
        return path.resolve().parent == store.folder.resolve() and path.suffix == ".md"
    except OSError:
        return False


def fix_run(
    results: Sequence[FileResult],
    targets: Sequence[Target],
    store: Store | None,
    author: Author | None,
) -> list[Fixed]:
    """Fix every file of a lint run that has fixable findings."""
    by_display = {t.display: t for t in targets}
    fixed = []
    for result in results:
        target = by_display.get(result.display)
        if target is None or not any(f.fix for f in result.findings):
            continue
        done = fix_file(
            Path(target.path), target.display, result.findings, result.hash, store, author
        )
        if done is not None:
            fixed.append(done)
    return fixed
