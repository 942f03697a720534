"""V: the file format itself, as `mortem validate` checks it, so CI needs one command.

The checks are the foundation's (`Document.problems` and the evidence links); this
module only gives each kind of problem its own code, so a team can choose severities.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InvalidDocumentError, Problem
from ..evidence import missing_links
from .context import Context
from .rules import Example, Rule

RULES = [
    Rule(
        "V001",
        "format.unreadable",
        "format",
        "error",
        "the file cannot be read as a postmortem",
        "Fix the YAML between the --- lines; `mortem validate` shows the same problem.",
        bad=(Example("---\ntitle: [unclosed\n---\n# Body\n", "file"),),
        good=(Example("---\ntitle: Checkout timeouts\n---\n# Body\n", "file"),),
        why="A file mortem cannot parse is left out of every list, count and chart.",
    ),
    Rule(
        "V002",
        "format.no-front-matter",
        "format",
        "error",
        "no front matter: the file must start with a '---' line",
        "Add the YAML front matter (title, status, times, whys, action items); "
        "`mortem import` converts a free-form postmortem.",
        bad=(Example("# Checkout timeouts\n\nThe gateway timed out.\n", "file"),),
        good=(Example("---\ntitle: Checkout timeouts\n---\n# Checkout timeouts\n", "file"),),
        why="Without front matter the facts that are counted (times, actions) are missing; "
        "the language rules still read the body.",
    ),
    Rule(
        "V003",
        "format.invalid-field",
        "format",
        "error",
        "a front-matter field has a value of the wrong kind",
        "Write the value the schema expects (`mortem schema` prints it).",
        bad=(Example("status: finished\n", "front"),),
        good=(Example("status: published\n", "front"),),
    ),
    Rule(
        "V004",
        "format.inconsistent",
        "format",
        "error",
        "front-matter fields contradict each other",
        "Put the times in order (started, detected, mitigated, resolved) and give every "
        "action item its own id.",
        bad=(Example("detected_at: 2026-03-14T02:40:00Z\n", "front"),),
        good=(Example("detected_at: 2026-03-14T02:51:00Z\n", "front"),),
    ),
    Rule(
        "V005",
        "format.unknown-severity",
        "format",
        "error",
        "the severity is not one of those in mortem.toml",
        "Use a severity name from mortem.toml's [[severities]].",
        bad=(Example("severity: P1\n", "front"),),
        good=(Example("severity: SEV2\n", "front"),),
    ),
    Rule(
        "V006",
        "format.unknown-category",
        "format",
        "error",
        "the contributing-factor category is not in mortem.toml",
        "Use a category from [factors] categories, or add it there.",
        bad=(
            Example(
                "contributing_factors:\n  - category: bad-luck\n    description: A burst.\n",
                "front",
            ),
        ),
        good=(
            Example(
                "contributing_factors:\n  - category: capacity\n"
                "    description: The pool was sized for last year's peak.\n",
                "front",
            ),
        ),
    ),
    Rule(
        "V007",
        "format.missing-evidence",
        "format",
        "error",
        "a link points to a file that does not exist",
        "Attach the file with `mortem attach`, or fix the link.",
        bad=(Example("The graph shows the burst: ![latency](evidence/latency.png)\n"),),
        good=(Example("The graph shows the burst (see the dashboard).\n"),),
    ),
]


def check(ctx: Context) -> None:
    doc = ctx.doc
    if doc is None:
        return
    config = ctx.config
    problems = doc.problems(config.severities, config.categories)
    consistency: set[str] = set()
    try:
        ctx.pm = doc.model()
    except InvalidDocumentError:
        ctx.pm = None
    if ctx.pm is not None:
        consistency = {message for _, message in doc.consistency()}
    for problem in problems:
        ctx_report_problem(ctx, problem, _code(problem, consistency))


def _code(problem: Problem, consistency: set[str]) -> str:
    message = problem.message
    if message.startswith("timestamp has no timezone"):
        return "T102"
    if problem.field == "severity" and message.startswith("unknown severity"):
        return "V005"
    if message.startswith("unknown category"):
        return "V006"
    if message in consistency:
        return "V004"
    return "V003"


def ctx_report_problem(ctx: Context, problem: Problem, code: str) -> None:
    """A foundation problem at its line, from the first visible character to the end."""
    line = problem.line or 1
    start, end = ctx.line_span(line)
    text = ctx.text[start:end]
    start += len(text) - len(text.lstrip())
    message = f"{problem.field}: {problem.message}" if problem.field else problem.message
    ctx.report(code, start, max(start, end), message)


def check_links(ctx: Context, base: Path) -> list[str]:
    """V007 for links to missing files; returns the missing targets (for the cache)."""
    doc = ctx.doc
    if doc is None or "](" not in doc.body:
        return []
    missing = []
    for problem in missing_links(doc.body, doc.split.body_line, base, doc.display):
        target = problem.message.removeprefix("link to missing file ")
        missing.append(target)
        start, end = ctx.line_span(problem.line or 1)
        at = ctx.text.find(target, start, end)
        if at < 0:
            at = start
        ctx.report("V007", at, at + len(target), f"link to missing file {target}")
    return missing
