"""Commands over the repository itself: init, new, list, show, set, status, log, validate..."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ..errors import UsageError
from . import output
from .main import app, state
from .output import Format

if TYPE_CHECKING:
    from ..workspace import Workspace


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def parse_when(value: str | None, name: str) -> dt.datetime | None:
    """An ISO date or timestamp from the command line; a timezone is required for times."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{name}: {value!r} is not an ISO date or time (2026-03-14T02:47:00Z)"
        ) from None
    if parsed.tzinfo is None:
        raise UsageError(f"{name}: {value!r} has no timezone (add Z or +01:00)")
    return parsed


@app.command()
def init(
    path: Path = typer.Argument(Path("."), help="Folder to set up (created if missing)."),
) -> None:
    """Set up a postmortem repository: mortem.toml, postmortems/, the schema, git.

    Example: [bold]mortem init ~/src/postmortems[/bold]
    """
    from ..workspace import Workspace

    path.mkdir(parents=True, exist_ok=True)
    ws = Workspace.init(path, Workspace(path.resolve(), _defaults(), None).author(state.author))
    output.success(f"mortem repository ready in {ws.root}")


def _defaults() -> Any:
    from ..config import Settings

    return Settings()


@app.command()
def new(
    title: str | None = typer.Argument(None, help="What happened, in a few words."),
    template: str | None = typer.Option(None, "--template", "-t", help="Template name."),
    severity: str | None = typer.Option(None, "--severity", "-s", help="e.g. SEV2."),
    service: list[str] = typer.Option([], "--service", help="Affected service (repeatable)."),
    tag: list[str] = typer.Option([], "--tag", help="Tag (repeatable)."),
    started_at: str | None = typer.Option(None, "--started-at", help="ISO time with timezone."),
    impact: str | None = typer.Option(None, "--impact", help="Who was affected and how much."),
) -> None:
    """Create a draft postmortem from a template and commit it.

    In a terminal, asks for the title, severity, services and start time not given.

    Example: [bold]mortem new "Checkout timeouts" --severity SEV2 --service payments-api[/bold]
    """
    from ..config import check_default_template
    from ..templates import NewPostmortem

    ws = state.workspace()
    if title is None:
        if not _interactive():
            raise UsageError('a title is needed: mortem new "What happened"')
        title = typer.prompt("Title")
    title = title.strip()
    if not title:
        raise UsageError('the title is empty: mortem new "What happened"')
    if template is None:
        check_default_template(ws.settings, ws.config_path, ws.templates_folder)
    started = parse_when(started_at, "--started-at")
    if _interactive():
        if severity is None:
            choices = "/".join(ws.settings.severity_names)
            severity = typer.prompt(f"Severity ({choices})", default="", show_default=False) or None
        if not service:
            answer = typer.prompt("Services (comma-separated)", default="", show_default=False)
            service = [s.strip() for s in answer.split(",") if s.strip()]
        if started_at is None:
            started = _prompt_started_at()
    author = ws.author(state.author)
    authors = [state.author] if state.author and state.author in ws.settings.people else []
    if not authors and author is not None:
        authors = [author.name]
    saved = ws.create(
        NewPostmortem(
            title=title,
            severity=severity,
            services=service,
            tags=tag,
            authors=authors,
            started_at=started,
            impact=impact,
        ),
        template,
        author,
    )
    print(ws.store.display(ws.store.path_for(saved.document.id)))
    if service or tag:
        from .connect import offer_related

        offer_related(saved.document.id)


def _prompt_started_at() -> dt.datetime | None:
    """Ask until the answer is a time with a timezone, or empty (not known yet)."""
    while True:
        answer = typer.prompt(
            "Started at (e.g. 2026-03-14T02:47:00Z; empty: unknown)",
            default="",
            show_default=False,
        ).strip()
        try:
            return parse_when(answer or None, "started at")
        except UsageError as exc:
            output.error(str(exc))


@app.command("list")
def list_(
    status: str | None = typer.Option(None, help="draft, in-review or published."),
    severity: str | None = typer.Option(None, help="e.g. SEV1."),
    service: str | None = typer.Option(None, help="Only postmortems of this service."),
    tag: str | None = typer.Option(None, help="Only postmortems with this tag."),
    owner: str | None = typer.Option(None, help="Only postmortems naming this person or team."),
    since: str | None = typer.Option(None, help="Started on or after this date."),
    until: str | None = typer.Option(None, help="Started before this date."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv."),
) -> None:
    """List postmortems, newest first, with filters.

    Example: [bold]mortem list --service payments-api --since 2026-01-01 --format json[/bold]
    """
    from ..listing import ListFilter, list_json, list_rows

    ws = state.workspace()
    wanted = ListFilter(
        status,
        severity,
        service,
        tag,
        owner,
        parse_when(since, "--since"),
        parse_when(until, "--until"),
    )
    wanted.check(ws.settings)
    text = list_json(ws.index, wanted)
    if text is not None and fmt is Format.json:
        sys.stdout.write(text)
        return
    if text is not None:
        rows = json.loads(text)  # one C-level parse beats building 10,000 records
    else:
        rows = [row.as_dict() for row in list_rows(ws.index, ws.settings, wanted)]
    columns = ["id", "title", "status", "severity", "started_at", "services", "problems"]
    output.emit(rows, fmt, columns, title=None, empty="no postmortems match")


@app.command()
def show(
    doc_id: str = typer.Argument(..., metavar="ID"),
    fmt: str = typer.Option("text", "--format", "-f", help="text, json or md."),
) -> None:
    """Show one postmortem: rendered in the terminal, or as JSON or its Markdown source.

    Example: [bold]mortem show 2026-03-14-checkout-timeouts --format json[/bold]
    """
    ws = state.workspace()
    doc = ws.store.load(doc_id)
    if fmt == "md":
        sys.stdout.write(doc.text)
        return
    pm = doc.model()
    if fmt == "json":
        data = pm.model_dump(mode="json")
        output.emit_json({"id": doc.id, "revision": doc.revision, **data, "body": doc.body})
        return
    if fmt != "text":
        raise UsageError(f"--format {fmt!r}: use text, json or md")
    from .render import render_postmortem

    render_postmortem(doc.id, pm, doc.body)


TEXT_FIELDS = ("title", "impact", "severity", "facilitator")
LIST_FIELDS = ("services", "tags", "authors", "responders", "incident_refs")


def _coerce(field: str, raw: str) -> Any:
    """The value as typed: text stays text and lists are split on commas, never read as
    YAML (`# note` or `a: b` would be a comment or a mapping); only times are parsed."""
    text = raw.strip()
    if not text:
        return None
    if field in TEXT_FIELDS:
        return raw
    if field in LIST_FIELDS:
        return [v.strip() for v in raw.split(",") if v.strip()]
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(
            f"{field}: {raw!r} is not a time ({exc}); write e.g. 2026-03-14T02:47:00Z"
        ) from None
    if value.tzinfo is None:
        raise UsageError(f"{field}: {raw!r} has no timezone (add Z or +01:00)")
    return value


SETTABLE = {
    "title",
    "severity",
    "services",
    "tags",
    "authors",
    "facilitator",
    "responders",
    "impact",
    "incident_refs",
    "started_at",
    "detected_at",
    "mitigated_at",
    "resolved_at",
}


@app.command("set")
def set_(
    doc_id: str = typer.Argument(..., metavar="ID"),
    field: str = typer.Argument(..., help="A front-matter field, e.g. severity."),
    value: str = typer.Argument(..., help="The new value (lists: a, b)."),
) -> None:
    """Change one front-matter field in place (formatting kept) and commit.

    Example: [bold]mortem set 2026-03-14-checkout-timeouts severity SEV1[/bold]
    """
    if field not in SETTABLE:
        raise UsageError(f"cannot set {field!r} here; settable: {', '.join(sorted(SETTABLE))}")
    ws = state.workspace()
    new_value = _coerce(field, value)

    def mutate(front: Any) -> None:
        from ..edits import set_path

        set_path(front, [field], new_value)

    saved = ws.store.update(doc_id, mutate, f"Set {field} of {doc_id}", ws.author(state.author))
    output.success(f"{doc_id}: {field} = {value}" + ("" if saved.commit else " (no change)"))


@app.command()
def status(
    doc_id: str = typer.Argument(..., metavar="ID"),
    new_status: str = typer.Argument(..., metavar="STATUS", help="draft, in-review or published."),
) -> None:
    """Set a postmortem's status and commit (publishing runs the checks of `mortem publish`).

    Example: [bold]mortem status 2026-03-14-checkout-timeouts in-review[/bold]
    """
    from ..listing import check_status_and_severity

    ws = state.workspace()
    check_status_and_severity(new_status, None, ws.settings)
    if new_status == "published":
        from ..reviews import publish

        publish(ws, doc_id, ws.author(state.author), dt.date.today())
        output.success(f"{doc_id}: status {new_status}")
        return

    def mutate(front: Any) -> None:
        front["status"] = new_status

    ws.store.update(
        doc_id, mutate, f"Set status of {doc_id} to {new_status}", ws.author(state.author)
    )
    output.success(f"{doc_id}: status {new_status}")


@app.command()
def log(
    doc_id: str = typer.Argument(..., metavar="ID"),
    fmt: Format = typer.Option(Format.table, "--format", "-f"),
) -> None:
    """Show the git history of one postmortem.

    Example: [bold]mortem log 2026-03-14-checkout-timeouts[/bold]
    """
    ws = state.workspace()
    commits = ws.store.history(doc_id)
    rows = [
        {"commit": c.sha[:10], "date": c.date, "author": c.author, "subject": c.subject}
        for c in commits
    ]
    output.emit(rows, fmt, ["commit", "date", "author", "subject"], empty="no history")


def _markdown_files(paths: list[Path], ws: Workspace) -> list[Path]:
    """The files named, and the Markdown files under the folders named.

    A folder is walked as `mortem lint` walks it (hidden folders and the
    `[lint] exclude` patterns skipped), and so are evidence folders (`ID/` beside
    `ID.md`) and the templates folder: their Markdown files are not postmortems.
    """
    import fnmatch
    import os

    root, exclude = ws.root, ws.settings.lint.exclude
    templates = ws.templates_folder.resolve()
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
            continue
        if not path.is_dir():
            raise UsageError(f"{path}: no such file or folder")
        for current, dirs, names in os.walk(path):
            here = Path(current)
            stems = {n[:-3] for n in names if n.endswith(".md")}
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".") and d not in stems and (here / d).resolve() != templates
            )
            for name in sorted(names):
                if not name.endswith(".md") or name.startswith("."):
                    continue
                file = here / name
                try:
                    shown = file.resolve().relative_to(root).as_posix()
                except ValueError:
                    shown = file.as_posix()
                if not any(fnmatch.fnmatchcase(shown, pattern) for pattern in exclude):
                    found.append(file)
    return found


@app.command()
def validate(
    paths: list[Path] = typer.Argument(
        None, help="Files or folders to check (default: the repository's postmortems)."
    ),
    fmt: Format = typer.Option(Format.table, "--format", "-f"),
) -> None:
    """Check postmortem files against the format. Exit 0 clean, 1 problems, 2 usage error.

    A folder is checked with the Markdown files under it, evidence folders aside.

    Example: [bold]mortem validate postmortems/2026-03-14-checkout-timeouts.md[/bold]
    """
    from ..document import Document
    from ..errors import ParseError

    problems = []
    if paths:
        ws = state.workspace()
        files = _markdown_files(paths, ws)
        for path in files:
            display = ws.store.display(path.resolve())
            try:
                doc = Document.read(path, display, path.stem, ws.settings.limits.max_file_bytes)
                problems += ws.validate_document(doc, path.resolve().parent)
            except ParseError as exc:
                problems += exc.problems
        checked = len(files)
    else:
        ws = state.workspace()
        found = ws.validate_all()
        problems = [p for doc_id in sorted(found) for p in found[doc_id]]
        checked = len(ws.index.rows())
    if fmt is Format.json:
        output.emit_json([p.__dict__ for p in problems])
    else:
        for problem in problems:
            print(problem)
        word = "file" if checked == 1 else "files"
        note = (
            f"{len(problems)} problem(s) in {checked} {word}"
            if problems
            else f"{checked} {word} valid"
        )
        output.err_console.print(note, markup=False)
    raise typer.Exit(1 if problems else 0)


@app.command()
def schema(
    write: bool = typer.Option(False, "--write", help="Also write schema/postmortem.schema.json."),
) -> None:
    """Print the JSON Schema of the front matter (for editor autocompletion).

    Example: [bold]mortem schema > postmortem.schema.json[/bold]
    """
    from ..model import json_schema

    print(json.dumps(json_schema(), indent=2))
    if write:
        path = state.workspace().write_schema()
        output.success(f"wrote {path}")


@app.command()
def config(fmt: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Show the effective settings and where each came from.

    Example: [bold]mortem config --format json[/bold]
    """
    from ..config import check_default_template, effective_settings, load_settings

    ws = state.workspace()
    loaded = load_settings(ws.config_path)
    check_default_template(loaded.settings, ws.config_path, ws.templates_folder)
    rows = [
        {"key": e.key, "value": e.value, "source": e.source, "help": e.help}
        for e in effective_settings(loaded)
    ]
    if fmt is Format.table:
        for row in rows:
            row["value"] = json.dumps(row["value"], default=str)
    output.emit(rows, fmt, ["key", "value", "source", "help"])


@app.command()
def templates(fmt: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """List the templates `mortem new --template` can use. Exit 1 if one cannot be read.

    Example: [bold]mortem templates[/bold]
    """
    from ..errors import Problem
    from ..templates import all_templates

    ws = state.workspace()
    broken: dict[str, Problem] = {}
    rows = [
        {
            "name": t.name,
            "description": t.description,
            "sections": list(t.sections),
            "origin": t.origin,
        }
        for t in all_templates(ws.templates_folder, broken).values()
    ]
    output.emit(rows, fmt, ["name", "description", "origin"])
    for problem in broken.values():
        sys.stderr.write(f"{problem}\n")
    if broken:
        raise typer.Exit(1)


@app.command()
def attach(
    doc_id: str = typer.Argument(..., metavar="ID"),
    files: list[Path] = typer.Argument(..., help="Images (PNG, JPEG, GIF, WebP) or text files."),
) -> None:
    """Copy evidence files beside a postmortem, link them from it, and commit.

    Example: [bold]mortem attach 2026-03-14-checkout-timeouts latency.png pool.log[/bold]
    """
    ws = state.workspace()
    for item in ws.attach(doc_id, files, ws.author(state.author)):
        output.success(f"attached {item.link}")
