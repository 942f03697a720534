"""The lint engine: one file's text in, findings out; many files through a process pool.

For one file: split and parse the front matter (keeping the YAML nodes for positions),
scan the body for prose, run the rule groups, then apply inline suppressions. Every
result records what besides the bytes it depends on (the day, for due dates; the
evidence files, for links) so that `cache.py` knows when it may be reused.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..document import FENCE, Document, Split, decode
from ..errors import ParseError, Problem
from ..fsutil import content_hash
from . import (
    rules_actions,
    rules_format,
    rules_language,
    rules_sections,
    rules_timeline,
    rules_whys,
    suppress,
)
from .context import Context
from .findings import FileResult, Finding
from .frontmap import FrontMap, load_with_nodes
from .markdown import Body, scan
from .options import LintConfig

PARALLEL_THRESHOLD = 300
WORKERS = 2

# Rule groups that need a valid front matter, in the order they run.
STRUCTURE_CHECKS: tuple[Callable[[Context], None], ...] = (
    rules_sections.check,
    rules_whys.check,
    rules_actions.check,
    rules_timeline.check,
)


def _closing_fence(text: str, at: int) -> tuple[int, int] | None:
    """(start, end) of the first `---` or `...` line at or after the line break `at`,
    found with `str.find` (a multi-line regular expression tests every character)."""
    while True:
        dashes = text.find("\n---", at)
        dots = text.find("\n...", at)
        if dashes < 0 and dots < 0:
            return None
        at = dashes if dots < 0 or 0 <= dashes < dots else dots
        start = at + 1
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        if not text[start + 3 : end].strip("\r"):
            return start, end
        at = start


def split_text(text: str) -> Split | None:
    """`split_front_matter`, with the closing fence found by `str.find` instead of a
    loop over lines (the same result; a test checks it)."""
    if not text.startswith(FENCE):
        return None
    first_nl = text.find("\n")
    if first_nl < 0 or text[:first_nl].rstrip("\r ") != FENCE:
        return None
    fence = _closing_fence(text, first_nl)
    if fence is None:
        return None
    start, end = fence
    return Split(
        front=text[first_nl + 1 : start],
        body=text[end + 1 :] if end < len(text) else "",
        front_line=2,
        body_line=text.count("\n", 0, start) + 2,
        close=text[start : start + 3],
    )


@dataclass(frozen=True)
class Job:
    path: str
    display: str
    base: str  # the folder links are relative to


def lint_text(
    text: str,
    display: str,
    config: LintConfig,
    base: Path | None = None,
    doc_id: str | None = None,
    digest: str | None = None,
) -> FileResult:
    """Lint one file's text. `base` is the folder its relative links point into."""
    doc_id = doc_id or Path(display).stem
    digest = digest or content_hash(text.encode("utf-8"))
    if not text.strip():
        ctx = Context(text, display, config, None, Body(), None)
        ctx.report("V001", 0, 0, "the file is empty")
        return FileResult(display, ctx.findings, digest)
    split = split_text(text)
    doc: Document | None = None
    front: FrontMap | None = None
    error: ParseError | None = None
    if split is not None:
        try:
            data, root = load_with_nodes(split.front)
        except yaml.YAMLError:
            # The foundation's parser words the error with its line; use its message.
            try:
                Document.parse(text, display, doc_id, digest)
            except ParseError as exc:
                error = exc
        except ValueError as exc:
            # A well-formed value that is not a real date or time (2026-02-30).
            problem = Problem(display, split.front_line, None, f"front matter: {exc}")
            error = ParseError([problem])
        else:
            if data is None:
                data = {}
            if isinstance(data, dict):
                doc = Document(doc_id, display, text, split, data, digest)
                front = FrontMap(root, text.find("\n") + 1)
            else:
                error = ParseError([])
    body_text = split.body if split is not None else text
    body_line = split.body_line if split is not None else 1
    body = scan(body_text, len(text) - len(body_text), body_line)
    ctx = Context(text, display, config, doc, body, front)
    if split is None:
        ctx.report(
            "V002",
            0,
            text.find("\n") if "\n" in text else len(text),
            "no front matter: the file must start with a '---' line",
        )
    elif error is not None:
        if not error.problems:
            start, end = ctx.line_span(split.front_line)
            ctx.report("V001", start, end, "front matter must be a mapping of fields")
        for problem in error.problems:
            rules_format.ctx_report_problem(ctx, problem, "V001")
    rules_format.check(ctx)
    rules_language.check(ctx)
    if ctx.pm is not None:
        for check in STRUCTURE_CHECKS:
            check(ctx)
    missing: list[str] = []
    links: tuple[str, ...] = ()
    if base is not None and doc is not None and "](" in doc.body:
        from ..evidence import local_links

        links = tuple(sorted({target for _, target in local_links(doc.body) if target}))
        missing = rules_format.check_links(ctx, base)
    suppress.apply(ctx, suppress.collect(ctx))
    findings = sorted(ctx.findings, key=Finding.sort_key)
    return FileResult(display, findings, digest, ctx.expires, tuple(sorted(missing)), links)


def lint_file(path: str | Path, display: str, config: LintConfig, base: Path | None) -> FileResult:
    """Read and lint one file; an unreadable file is a V001 finding, not an exception."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > config.max_file_bytes:
                return _unreadable(
                    config,
                    display,
                    f"file is {size} bytes, over the limit of {config.max_file_bytes}",
                )
            raw = handle.read()
    except OSError as exc:
        return _unreadable(config, display, f"cannot read the file: {exc.strerror or exc}")
    digest = content_hash(raw)
    try:
        text = decode(raw, display)
    except ParseError as exc:
        problem = exc.problems[0]
        finding = _at_line(config, display, problem.line or 1, problem.message)
        return FileResult(display, [finding], digest)
    stem = os.path.splitext(os.path.basename(path))[0]
    return lint_text(text, display, config, base, stem, digest)


def _at_line(config: LintConfig, display: str, line: int, message: str) -> Finding:
    from .rules import get_rule

    rule = get_rule("V001")
    return Finding(
        "V001",
        rule.name,
        config.severity.get("V001", rule.severity),
        display,
        line,
        1,
        line,
        1,
        message,
        rule.suggestion,
    )


def _unreadable(config: LintConfig, display: str, message: str) -> FileResult:
    return FileResult(display, [_at_line(config, display, 1, message)])


# -- many files ---------------------------------------------------------------------

_worker_config: LintConfig | None = None


def _init_worker(config: LintConfig, nice: int = 0) -> None:
    global _worker_config
    _worker_config = config
    if nice:
        os.nice(nice)
    gc.freeze()  # what the worker inherited is never garbage: keep it out of collections


def _run_jobs(jobs: Sequence[Job]) -> list[FileResult]:
    """Lint a batch with the cyclic garbage collector paused.

    Linting allocates many short-lived objects (YAML nodes, segments) that reference
    counting frees; the collector's passes over them cost a tenth of the run and find
    little, so it runs once every thousand files instead.
    """
    config = _worker_config
    assert config is not None
    results = []
    bases: dict[str, Path] = {}
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for n, job in enumerate(jobs, start=1):
            base = bases.get(job.base)
            if base is None:
                base = bases[job.base] = Path(job.base)
            results.append(lint_file(job.path, job.display, config, base))
            if n % 1000 == 0:
                gc.collect()
    finally:
        if was_enabled:
            gc.enable()
    return results


def lint_jobs(jobs: Sequence[Job], config: LintConfig, nice: int = 0) -> list[FileResult]:
    """Lint files, in two worker processes when there are enough of them to pay off;
    `nice` lowers the workers' priority (a server linting in the background must not
    slow the pages it serves)."""
    if len(jobs) < PARALLEL_THRESHOLD or (os.cpu_count() or 1) < 2:
        _init_worker(config)
        return _run_jobs(jobs)
    workers = min(WORKERS, os.cpu_count() or 2)
    chunks = guided_chunks(jobs, workers)
    results: list[FileResult] = []
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(config, nice)
    ) as pool:
        for part in pool.map(_run_jobs, chunks):
            results.extend(part)
    return results


def guided_chunks(jobs: Sequence[Job], workers: int, smallest: int = 40) -> list[Sequence[Job]]:
    """Chunks that shrink as the work runs out: big ones first (less hand-over between
    processes), small ones last, so that no worker is left alone with a big chunk
    while the others wait at the end."""
    chunks: list[Sequence[Job]] = []
    at = 0
    while at < len(jobs):
        size = max(smallest, (len(jobs) - at) // (workers * 4))
        chunks.append(jobs[at : at + size])
        at += size
    return chunks


def count_by_severity(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for finding in findings:
        counts[finding.severity] += 1
    return counts
