"""`mortem lint` as a service: which files, with which settings, through the cache.

The CLI only parses options and renders; everything it runs is here, so the web page
or a script can lint the same way.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings
from ..errors import GitError, UsageError
from ..git import Git
from ..store import STATE_DIR
from ..templates import all_templates
from ..workspace import Workspace
from .cache import Cache, Target
from .findings import FileResult, Finding
from .options import LintConfig, build_config
from .rules import default_severities, ruleset_version

CACHE_NAME = "lint-cache.sqlite"


@dataclass
class Run:
    """The outcome of one lint run."""

    results: list[FileResult] = field(default_factory=list)
    cached: int = 0  # files whose result came from the cache

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    @property
    def files(self) -> int:
        return len(self.results)


def lint_config(
    ws: Workspace | None,
    select: list[str] | None = None,
    ignore: Iterable[str] = (),
    today: dt.date | None = None,
) -> LintConfig:
    settings = ws.settings if ws is not None else Settings()
    folder = ws.templates_folder if ws is not None else None
    templates = {name: t.sections for name, t in all_templates(folder).items()}
    defaults = default_severities(cache_folder(ws))
    return build_config(settings, templates, select, ignore, today, defaults)


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


def _excluded(display: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(display, pattern) for pattern in patterns)


def _markdown_under(folder: Path) -> list[Path]:
    found = []
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
        found += [Path(current) / f for f in sorted(files) if f.endswith(".md")]
    return found


def targets_for(ws: Workspace | None, paths: Sequence[Path]) -> list[Target]:
    """The files to lint: the given files and folders, or the repository's postmortems."""
    root = ws.root if ws is not None else None
    exclude = ws.settings.lint.exclude if ws is not None else Settings().lint.exclude
    if not paths:
        if ws is None:
            raise UsageError("no mortem.toml found: give the files to lint")
        folder = ws.store.folder
        entries = sorted(ws.store.scan(), key=lambda e: e.name)
        prefix = str(ws.root) + os.sep
        return [
            Target(e.path, e.path.removeprefix(prefix).replace(os.sep, "/"), folder)
            for e in entries
        ]
    targets: list[Target] = []
    for path in paths:
        if path.is_dir():
            for found in _markdown_under(path):
                display = _display(found, root)
                if not _excluded(display, exclude):
                    targets.append(Target(str(found), display, found.parent))
        elif path.is_file():
            display = _display(path, root)
            if not _excluded(display, exclude):
                targets.append(Target(str(path), display, path.parent))
        else:
            raise UsageError(f"{path}: no such file or folder")
    return targets


def changed_files(ws: Workspace, base: str | None) -> set[Path]:
    """Markdown files changed against `base` (HEAD by default): staged, unstaged, new."""
    git = Git(ws.root)
    if not git.is_repo():
        raise UsageError(f"--changed needs a git repository, and {ws.root} is not one")
    top = Path(git.run("rev-parse", "--show-toplevel").strip())
    names: list[str] = []
    if git.head() is None and base is None:
        names += git.run("ls-files", "-z", "--cached").split("\0")
    else:
        rev = base or "HEAD"
        try:
            names += git.run("diff", "--name-only", "-z", "--no-renames", rev, "--").split("\0")
        except GitError as exc:
            raise UsageError(f"--base {rev}: {exc}") from None
    names += git.run("ls-files", "-z", "--others", "--exclude-standard").split("\0")
    return {_absolute(top / name) for name in names if name.endswith(".md")}


def changed_targets(ws: Workspace, paths: Sequence[Path], base: str | None) -> list[Target]:
    """The targets that git sees as changed: in `paths` if given, else in the repository."""
    wanted = changed_files(ws, base)
    if paths:
        return [t for t in targets_for(ws, paths) if _absolute(Path(t.path)) in wanted]
    folder = ws.store.folder
    exclude = ws.settings.lint.exclude
    found = []
    for path in sorted(wanted):
        if path.parent == folder and path.is_file() and not path.name.startswith("."):
            display = ws.store.display(path)
            if not _excluded(display, exclude):
                found.append(Target(str(path), display, folder))
    return found


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))


def run_lint(
    targets: Sequence[Target],
    config: LintConfig,
    cache_folder: Path | None,
    prune: bool = False,
    nice: int = 0,
) -> Run:
    """Lint the targets, reusing cached results where they still hold (`nice`: see
    `lint_jobs`)."""
    run = Run()
    cache = None
    if cache_folder is not None:
        key = f"{ruleset_version()}:{config.cache_key()}"
        cache = Cache(cache_folder / CACHE_NAME, key)
    try:
        cached: list[FileResult | None] = [None] * len(targets)
        if cache is not None:
            cached, _ = cache.lookup(targets, config.today)
        todo = [t for t, c in zip(targets, cached, strict=True) if c is None]
        fresh: list[FileResult] = []
        if todo:
            # Imported only when some file needs linting: the language rules' phrase
            # table takes a quarter of a second to compile.
            from .engine import Job, lint_jobs

            fresh = lint_jobs([Job(t.file, t.display, str(t.base)) for t in todo], config, nice)
        by_path = dict(zip((t.file for t in todo), fresh, strict=True))
        for target, hit in zip(targets, cached, strict=True):
            if hit is not None:
                run.cached += 1
                run.results.append(hit)
            else:
                run.results.append(by_path[target.file])
        if cache is not None:
            cache.store(list(zip(todo, fresh, strict=True)))
            if prune:
                cache.prune(targets)
    finally:
        if cache is not None:
            cache.close()
    return run


def lint_source(ws: Workspace | None, config: LintConfig, text: str, display: str) -> Run:
    """Lint text that is not a file (standard input); links resolve in the postmortems folder."""
    from .engine import lint_text

    base = ws.store.folder if ws is not None else Path.cwd()
    return Run([lint_text(text, display, config, base)])


def cache_folder(ws: Workspace | None) -> Path | None:
    return ws.root / STATE_DIR if ws is not None else None
