"""`mortem lint` and `mortem rules`: check postmortems, and explain the rules."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..errors import UsageError
from . import output
from .main import app, state
from .output import escape

if TYPE_CHECKING:
    from ..lint.cache import Target
    from ..lint.findings import Finding
    from ..lint.options import LintConfig
    from ..lint.service import Run
    from ..workspace import Workspace


class LintFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _codes(values: list[str]) -> list[str]:
    """Codes from repeated and comma-separated options: --select B,N --select A1."""
    return [c.strip().upper() for v in values for c in v.split(",") if c.strip()]


def _workspace() -> Workspace | None:
    """The repository, or None when linting loose files outside any mortem repository."""
    from ..workspace import find_root

    if state.repo is None and find_root(Path.cwd()) is None:
        return None
    return state.workspace()


def _today(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--today: {value!r} is not a date (YYYY-MM-DD)") from None


@app.command()
def lint(
    paths: list[Path] = typer.Argument(
        None, help="Files or folders (default: the repository); - reads stdin."
    ),
    fmt: LintFormat = typer.Option(
        LintFormat.text, "--format", "-f", help="text, json, sarif or github."
    ),
    select: list[str] = typer.Option(
        [], "--select", help="Only rules with these code prefixes (B,N1,...)."
    ),
    ignore: list[str] = typer.Option([], "--ignore", help="Skip rules with these code prefixes."),
    fix: bool = typer.Option(
        False, "--fix", help="Apply the fixes of fixable rules (N101, S105, X001)."
    ),
    changed: bool = typer.Option(False, "--changed", help="Only files changed in git (vs --base)."),
    base: str | None = typer.Option(
        None, "--base", help="Revision --changed compares with (default HEAD)."
    ),
    today: str | None = typer.Option(
        None, "--today", help="Check due dates as of this day (YYYY-MM-DD)."
    ),
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Lint every file again, ignoring the cache."
    ),
) -> None:
    """Check postmortems for blame, gaps, shallow whys, vague actions. Exit 1 on errors.

    Example: [bold]mortem lint --changed --format github[/bold]
    """
    from ..lint.service import cache_folder, lint_config, lint_source, run_lint
    from ..lint.speedups import stale_message

    stale = stale_message()
    if stale is not None:
        output.warning(stale)
    ws = _workspace()
    config = lint_config(ws, _codes(select) or None, _codes(ignore), _today(today))
    if paths and str(paths[0]) == "-":
        if len(paths) > 1 or fix or changed:
            raise UsageError(
                "- (standard input) cannot be combined with other paths, --fix or --changed"
            )
        run = lint_source(ws, config, sys.stdin.read(), "<stdin>")
    else:
        targets = _targets(ws, paths or [], changed, base)
        run = run_lint(
            targets, config, None if no_cache else cache_folder(ws), prune=not paths and not changed
        )
        if fix:
            run = _fix(ws, run, targets, config)
    _render(run, fmt, ws)
    raise typer.Exit(1 if any(f.severity == "error" for f in run.findings) else 0)


def _targets(
    ws: Workspace | None, paths: list[Path], changed: bool, base: str | None
) -> list[Target]:
    from ..lint.service import changed_targets, targets_for

    if base is not None and not changed:
        raise UsageError("--base only makes sense with --changed")
    if not changed:
        return targets_for(ws, paths)
    if ws is None:
        raise UsageError("--changed needs a mortem repository (mortem.toml)")
    return changed_targets(ws, paths, base)


def _fix(ws: Workspace | None, run: Run, targets: list[Target], config: LintConfig) -> Run:
    """Apply the fixes, then lint the files again to show what is left."""
    from ..lint.fix import fix_run
    from ..lint.service import cache_folder, run_lint

    store = ws.store if ws is not None else None
    author = ws.author(state.author) if ws is not None else None
    fixed = fix_run(run.results, targets, store, author)
    if not fixed:
        return run
    count = sum(len(f.codes) for f in fixed)
    plural = "s" if count != 1 else ""
    output.success(f"fixed {count} problem{plural} in {len(fixed)} file(s)")
    return run_lint(targets, config, cache_folder(ws))


def _render(run: Run, fmt: LintFormat, ws: Workspace | None) -> None:
    from ..lint import formats

    findings = run.findings  # in the order of the files, each file's already sorted
    if fmt is LintFormat.json:
        sys.stdout.write(formats.json_text(findings))
    elif fmt is LintFormat.sarif:
        root = ws.root.as_uri() + "/" if ws is not None else None
        sys.stdout.write(formats.sarif_text(findings, root))
    elif fmt is LintFormat.github:
        sys.stdout.write(formats.github(findings))
    elif output.console.is_terminal:
        _render_terminal(findings)
    else:
        sys.stdout.write(formats.text(findings))
    _summary(run, findings)


def _render_terminal(findings: list[Finding]) -> None:
    """Grouped by file, coloured by severity, the suggestion dimmed under each finding."""
    current = None
    for f in findings:
        if f.path != current:
            if current is not None:
                output.console.print()
            output.console.print(f"[bold underline]{escape(f.path)}[/bold underline]")
            current = f.path
        style = STYLE[f.severity]
        fixable = " [dim](fixable)[/dim]" if f.fix else ""
        output.console.print(
            f"  [dim]{f.line}:{f.column}[/dim]  [{style}]{f.code}[/{style}]  {escape(f.message)}{fixable}"
        )
        if f.suggestion:
            output.console.print(f"      [dim]→ {escape(f.suggestion)}[/dim]")


def _summary(run: Run, findings: list[Finding]) -> None:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity] += 1
    files = f"{run.files} file{'s' if run.files != 1 else ''}"
    if not findings:
        output.err_console.print(f"[green]✓[/green] {files} checked, no findings", highlight=False)
        return
    parts = [
        f"{n} {name}{'s' if n != 1 and name != 'info' else ''}" for name, n in counts.items() if n
    ]
    fixable = sum(1 for f in findings if f.fix)
    tail = f" ({fixable} fixable with --fix)" if fixable else ""
    output.err_console.print(f"{', '.join(parts)} in {files}{tail}", highlight=False)


@app.command()
def rules(
    code: str | None = typer.Argument(None, help="A rule code, e.g. B101, to explain it."),
    markdown: bool = typer.Option(
        False, "--markdown", help="Print docs/rules.md (the rule reference)."
    ),
    fmt: output.Format = typer.Option(
        output.Format.table, "--format", "-f", help="table, json or csv."
    ),
) -> None:
    """List the lint rules, or explain one with its examples.

    Example: [bold]mortem rules B101[/bold]
    """
    from ..lint.docs import explain, markdown_reference
    from ..lint.rules import all_rules

    if markdown:
        sys.stdout.write(markdown_reference())
        return
    if code is not None:
        rule = all_rules().get(code.upper())
        if rule is None:
            raise UsageError(f"no rule {code!r}: `mortem rules` lists them")
        output.console.print(explain(rule), markup=False, highlight=False)
        return
    rows = [
        {
            "code": r.code,
            "name": r.name,
            "severity": r.severity,
            "fix": "yes" if r.fixable else "",
            "message": r.message,
        }
        for r in all_rules().values()
    ]
    output.emit(rows, fmt, ["code", "name", "severity", "fix", "message"])
