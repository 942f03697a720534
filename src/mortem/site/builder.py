"""`mortem site DIR`: the repository as static HTML, rebuilt only where it changed.

Every page records the hash of what it was made from (the file's bytes, its evidence
files, the templates and rendering code, the site settings, and for the overview pages
the front matter of every postmortem and the day) in `DIR/.mortem-site.json`. A rebuild
renders only the pages whose inputs moved and removes the pages of deleted
postmortems; files in DIR that mortem did not write are never touched.

All links are relative, so the folder works from file:// and from any static host.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing as mp
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import UsageError
from ..model import Postmortem
from ..render_html import render_markdown
from ..store import STATE_DIR
from . import pages

MANIFEST = ".mortem-site.json"
HERE = Path(__file__).resolve().parent
# Code whose output ends up in the pages: a change to any of it rebuilds everything.
RENDERING_CODE = (
    "../render_html.py",
    "../timeline_svg.py",
    "../chart_svg.py",
    "pages.py",
    "builder.py",
)
ASSETS = ("site.css", "site.js")


@dataclass
class BuildReport:
    folder: Path
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    charts: bool = False
    notes: list[str] = field(default_factory=list)


def template_version() -> str:
    """A hash of the templates, assets and rendering code, and mortem's version."""
    digest = hashlib.sha256(__version__.encode())
    sources = [HERE / "templates" / name for name in sorted(os.listdir(HERE / "templates"))]
    sources += [HERE / name for name in RENDERING_CODE]
    for path in sources:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _hash(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:24]


def _hash_texts(site_key: str, *tables: dict[str, str]) -> str:
    """A hash of id -> text tables, fed to the hash as they are (no JSON encoding:
    this runs over every postmortem's front matter on every build)."""
    digest = hashlib.sha256(site_key.encode())
    for table in tables:
        for key in sorted(table):
            digest.update(b"\1" + key.encode() + b"\0" + (table[key] or "").encode())
        digest.update(b"\2")
    return digest.hexdigest()[:24]


def _check_folder(ws: Any, folder: Path) -> Path:
    folder = folder.resolve()
    root = ws.root.resolve()
    if folder == root or folder in root.parents:
        raise UsageError(f"{folder}: the site cannot be built over the repository itself")
    inside_sources = (ws.store.folder.resolve(), (root / STATE_DIR).resolve())
    if any(folder == s or s in folder.parents for s in inside_sources):
        raise UsageError(f"{folder}: choose a folder outside {ws.store.folder.name}/ and .mortem/")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} exists and is not a folder")
    return folder


def _write(path: Path, text: str) -> None:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    # An existing page is replaced whole (temp file, rename), so that a server reading
    # the folder never serves half of it.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _evidence_files(ws: Any, doc_id: str) -> list[Path]:
    folder = ws.store.folder / doc_id
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


@dataclass(frozen=True)
class Job:
    """One page to render: which function, with what (all picklable)."""

    name: str
    kind: str  # pm, index, actions, stats, asset
    args: tuple[Any, ...]


# The build's context, set before rendering; forked workers inherit it.
_CONTEXT: pages.Context | None = None
PARALLEL_PAGES = 64
Rendered = tuple[str, str, str | None]  # page name, HTML, its manifest key if made here


def render_job(job: Job) -> Rendered:
    assert _CONTEXT is not None
    env = pages.environment()
    if job.kind == "pm":
        doc_id, raw, body, problems = job.args
        pm = Postmortem.model_validate_json(raw) if raw else None
        return job.name, pages.postmortem_page(env, _CONTEXT, doc_id, pm, body, problems), None
    if job.kind == "stats":
        stats, site_key = job.args
        key = None
        if stats is None:
            # Computed here, in parallel with the pages; the numbers are the page's key.
            stats = pages.chart_stats(_own_workspace(_CONTEXT.ws), _CONTEXT.today)
            key = _hash(site_key, pages.stats_key(stats))
        return job.name, pages.stats_page(env, _CONTEXT, stats), key
    if job.kind == "asset":
        return job.name, (HERE / "templates" / job.args[0]).read_text(encoding="utf-8"), None
    raise ValueError(job.kind)


def _own_workspace(ws: Any) -> Any:
    """The same workspace with its own index connection: a forked worker must not use
    the SQLite connection it inherited from its parent."""
    return type(ws)(ws.root, ws.settings, ws.config_path)


def _render_chunk(jobs: list[Job]) -> list[Rendered]:
    return [render_job(job) for job in jobs]


def _render_all(jobs: list[Job], local: list[tuple[str, Callable[[], str]]]) -> Iterator[Rendered]:
    """Rendered pages: `jobs` in worker processes when there are many, `local` here
    while the workers run."""
    cpus = os.cpu_count() or 1
    if len(jobs) < PARALLEL_PAGES or cpus < 2 or "fork" not in mp.get_all_start_methods():
        yield from ((name, make(), None) for name, make in local)
        yield from (render_job(job) for job in jobs)
        return
    workers = min(4, cpus)
    # The stats page takes longest (its numbers are computed with it): it goes first,
    # alone, while the pages are shared out.
    heavy = [[j] for j in jobs if j.kind == "stats"]
    light = [j for j in jobs if j.kind != "stats"]
    size = max(16, len(light) // (workers * 6))
    chunks = heavy + [light[i : i + size] for i in range(0, len(light), size)]
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
        results = pool.map(_render_chunk, chunks)
        yield from ((name, make(), None) for name, make in local)
        for done in results:
            yield from done


class _Plan:
    """Which pages are out of date, and how to make each."""

    def __init__(self, folder: Path, previous: dict[str, str], report: BuildReport) -> None:
        self.folder = folder
        self.previous = previous
        self.report = report
        self.current: dict[str, str] = {}
        self.stale: dict[str, Job | str | Callable[[], str]] = {}

    def add(self, name: str, key: str, work: Job | str | Callable[[], str]) -> None:
        """`work`: a Job for a worker, a postmortem id, or a function run here."""
        self.current[name] = key
        if self.fresh(name, key):
            self.report.unchanged += 1
        else:
            self.stale[name] = work

    def fresh(self, name: str, key: str) -> bool:
        return self.previous.get(name) == key and (self.folder / name).exists()


def build_site(ws: Any, folder: Path, today: dt.date, full: bool = False) -> BuildReport:
    """Build or update the static site in `folder`; `full` ignores the manifest."""
    folder = _check_folder(ws, folder)
    report = BuildReport(folder)
    version = template_version()
    config = pages.site_config(ws)
    site_key = _hash(version, config, ws.settings.model_dump(mode="json"))
    old = _read_manifest(folder)
    if full or old.get("version") != site_key:
        old = {}
    plan = _Plan(folder, dict(old.get("pages", {})), report)
    conn = ws.index.ensure_fresh()
    hashes = ws.index.hashes()
    rows = ws.index.rows()
    problems = ws.index.problems()
    data = dict(conn.execute("SELECT id, data FROM postmortems"))
    report.charts = bool(config["charts"])
    if not report.charts:
        report.notes.append("charts left out: [site] charts = false")
    context = pages.Context(ws, config, today, report.charts)

    for asset in ASSETS:
        plan.add(
            f"assets/{asset}", _hash(version, asset), Job(f"assets/{asset}", "asset", (asset,))
        )
    evidence = {row.id: _evidence_files(ws, row.id) for row in rows}
    for row in rows:
        stamp = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in evidence[row.id]]
        plan.add(f"pm/{row.id}.html", _hash(site_key, hashes.get(row.id), stamp), row.id)
    # The overview pages show front matter only: an edit of a narrative leaves them be.
    front = _hash_texts(site_key, data, {k: hashes.get(k, "") for k in problems})
    env = pages.environment()
    plan.add("index.html", front, lambda: pages.index_page(env, context, rows, problems))
    dated = _hash(front, today.isoformat())
    plan.add("actions.html", dated, lambda: pages.actions_page(env, context))
    inputs: dict[str, str] = {}
    if report.charts:
        before = old.get("inputs", {})
        if before.get("front") == dated and before.get("stats.html"):
            drawn_from = before["stats.html"]  # same front matter, same day: same inputs
        else:
            drawn_from = _hash(site_key, pages.chart_inputs(data), today.isoformat())
        inputs["stats.html"] = drawn_from
        inputs["front"] = dated
        key = plan.previous.get("stats.html", "")
        if old.get("inputs", {}).get("stats.html") == drawn_from and plan.fresh("stats.html", key):
            plan.add("stats.html", key, Job("stats.html", "stats", (None, site_key)))
        elif plan.fresh("stats.html", key):
            # When the charts' inputs moved, the numbers are computed first, and the page
            # is rewritten only if the numbers moved too (an edit of a title does not).
            stats = pages.chart_stats(ws, today)
            key = _hash(site_key, pages.stats_key(stats))
            plan.add("stats.html", key, Job("stats.html", "stats", (stats, site_key)))
        else:
            plan.add("stats.html", "", Job("stats.html", "stats", (None, site_key)))

    _render_stale(ws, conn, plan, context, evidence, data, problems)
    for name in sorted(set(plan.previous) - set(plan.current)):
        _remove(folder, name)
        report.removed.append(name)
    manifest = {"version": site_key, "pages": plan.current, "inputs": inputs}
    _write(folder / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return report


def _render_stale(
    ws: Any,
    conn: Any,
    plan: _Plan,
    context: pages.Context,
    evidence: dict[str, list[Path]],
    data: dict[str, str],
    problems: dict[str, list[Any]],
) -> None:
    global _CONTEXT
    ids = [work for work in plan.stale.values() if isinstance(work, str)]
    sql = "SELECT id, body FROM bodies WHERE id IN (SELECT value FROM json_each(?))"
    bodies = dict(conn.execute(sql, (json.dumps(ids),)))
    jobs: list[Job] = []
    local: list[tuple[str, Callable[[], str]]] = []
    for name, work in plan.stale.items():
        if isinstance(work, Job):
            jobs.append(work)
        elif isinstance(work, str):
            _copy_evidence(evidence[work], plan.folder / "pm" / work)
            raw = data.get(work) if work not in problems else None
            args = (work, raw, bodies.get(work, ""), problems.get(work, []))
            jobs.append(Job(name, "pm", args))
        else:
            local.append((name, work))
    # Parse and compile once here, so that forked workers start warm.
    render_markdown("")
    pages.environment().get_template("postmortem.html")
    _CONTEXT = context
    try:
        for name, html, key in _render_all(jobs, local):
            _write(plan.folder / name, html)
            plan.report.written.append(name)
            if key is not None:
                plan.current[name] = key
    finally:
        _CONTEXT = None


def _copy_evidence(files: Iterable[Path], dest: Path) -> None:
    files = list(files)
    if dest.is_dir():
        shutil.rmtree(dest)
    if not files:
        return
    dest.mkdir(parents=True)
    for path in files:
        shutil.copyfile(path, dest / path.name)


def _remove(folder: Path, name: str) -> None:
    target = folder / name
    target.unlink(missing_ok=True)
    if name.startswith("pm/") and name.endswith(".html"):
        evidence = folder / name[: -len(".html")]
        if evidence.is_dir():
            shutil.rmtree(evidence)


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        loaded = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}
