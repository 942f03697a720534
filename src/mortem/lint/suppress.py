"""Inline suppressions for justified exceptions, and X rules for the ones that do nothing.

In the body:   <!-- mortem: disable=N101 the on-call engineer asked to be named -->
               <!-- mortem: disable-section=B1 -->
In the front matter:   # mortem: disable=N101

`disable` on a line of its own covers the next line and the rest of the paragraph or
item that starts there; after text on the same line it covers that line.
`disable-section` covers the rest of the section it is in. Codes may be prefixes
(`B1` for every B1xx rule); anything after the codes is a reason, for the reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .context import Context
from .findings import Finding, Fix
from .rules import Example, Rule, all_rules

_DIRECTIVE = re.compile(r"^mortem\s*:\s*(?P<verb>[a-z-]+)\s*=\s*(?P<rest>.*)$", re.S)
_CODES = re.compile(r"^\s*([A-Z][0-9]{0,3}(?:\s*,\s*[A-Z][0-9]{0,3})*)(?=\s|$)")
_YAML_COMMENT = re.compile(r"(?:^|\s)#\s*(mortem\s*:.*)$")

RULES = [
    Rule(
        "X001",
        "suppression.unused",
        "suppressions",
        "warning",
        "a suppression comment suppresses nothing",
        "Remove the comment (`--fix` does), or move it to the line it is meant for.",
        bad=(Example("<!-- mortem: disable=B101 -->\nThe pool was exhausted by the burst."),),
        good=(Example("The pool was exhausted by the burst."),),
        fixable=True,
        why="A stale suppression would silently hide the next real finding on that line.",
    ),
    Rule(
        "X002",
        "suppression.invalid",
        "suppressions",
        "warning",
        "a suppression comment cannot be read",
        "Write `<!-- mortem: disable=CODE -->` or `<!-- mortem: disable-section=CODE -->` "
        "with codes that `mortem rules` lists.",
        bad=(Example("<!-- mortem: disabel=B101 -->\nThe pool was exhausted by the burst."),),
        good=(Example("The pool was exhausted by the burst."),),
    ),
]


@dataclass
class Directive:
    codes: tuple[str, ...]
    first: int  # lines covered, inclusive
    last: int
    start: int  # file offsets of the comment, for X001 and its fix
    end: int
    remove: tuple[int, int] | None  # what the fix deletes (the line when alone); body only
    used: set[str] = field(default_factory=set)


def _parse(text: str) -> tuple[str, tuple[str, ...]] | str | None:
    """(verb, codes), an error message, or None when it is not a mortem directive."""
    m = _DIRECTIVE.match(text.strip())
    if not m:
        return (
            "not a directive: write mortem: disable=CODE"
            if text.strip().startswith("mortem")
            else None
        )
    verb = m.group("verb")
    if verb not in ("disable", "disable-section"):
        return f"unknown directive {verb!r} (use disable or disable-section)"
    codes_match = _CODES.match(m.group("rest"))
    if not codes_match:
        return "no rule codes after '=' (e.g. disable=B101)"
    codes = tuple(c.strip() for c in codes_match.group(1).split(","))
    known = all_rules()
    unknown = [c for c in codes if not any(k.startswith(c) for k in known)]
    if unknown:
        return f"no rule has a code starting with {', '.join(unknown)}"
    return verb, codes


def _next_block(lines: list[str], index: int) -> tuple[int, int]:
    """0-based (first, last) lines of the paragraph that starts after line `index`."""
    first = index + 1
    while first < len(lines) and not lines[first].strip():
        first += 1
    last = first
    while last + 1 < len(lines) and lines[last + 1].strip():
        last += 1
    return first, last


def _yaml_block(lines: list[str], index: int, stop: int) -> tuple[int, int]:
    """0-based lines of the YAML entry that starts after line `index`, nested lines too."""
    first = index + 1
    while first < stop and (not lines[first].strip() or lines[first].lstrip().startswith("#")):
        first += 1
    if first >= stop:
        return first, first
    indent = len(lines[first]) - len(lines[first].lstrip())
    last = first
    while last + 1 < stop:
        nxt = lines[last + 1]
        if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
            break
        last += 1
    return first, last


def collect(ctx: Context) -> list[Directive]:
    """Every directive in the file; X002 for those that cannot be read."""
    text = ctx.text
    if "mortem" not in text:
        return []
    directives: list[Directive] = []
    lines = text.split("\n")
    for comment in ctx.body.comments:
        parsed = _parse(comment.body)
        if parsed is None:
            continue
        if isinstance(parsed, str):
            ctx.report("X002", comment.start, comment.end, f"suppression comment: {parsed}")
            continue
        verb, codes = parsed
        line_start, line_end = ctx.line_span(comment.line)
        if verb == "disable-section":
            first, last = comment.line, _section_end(ctx, comment.line)
        elif comment.alone:
            a, b = _next_block(lines, comment.end_line - 1)
            first, last = a + 1, b + 1
        else:
            first, last = comment.line, comment.end_line
        if comment.alone and comment.line == comment.end_line:
            remove = (line_start, min(line_end + 1, len(text)))
        else:
            remove = (comment.start, comment.end)
        directives.append(Directive(codes, first, last, comment.start, comment.end, remove))
    if ctx.doc is not None and "mortem" in ctx.doc.split.front:
        directives += _front_directives(ctx, lines)
    return directives


def _front_directives(ctx: Context, lines: list[str]) -> list[Directive]:
    assert ctx.doc is not None
    found: list[Directive] = []
    first_line = ctx.doc.split.front_line
    stop = ctx.doc.split.body_line - 2  # 0-based index of the closing fence
    for index in range(first_line - 1, stop):
        line = lines[index]
        m = _YAML_COMMENT.search(line)
        if not m:
            continue
        parsed = _parse(m.group(1))
        line_start, line_end = ctx.line_span(index + 1)
        start = line_start + m.start(1) - 1
        while start > line_start and ctx.text[start] != "#":
            start -= 1
        if parsed is None:
            continue
        if isinstance(parsed, str):
            ctx.report("X002", start, line_end, f"suppression comment: {parsed}")
            continue
        _verb, codes = parsed
        alone = not line[: m.start(1)].strip().rstrip("#").strip()
        if alone:
            a, b = _yaml_block(lines, index, stop)
            first, last = a + 1, b + 1
        else:
            first = last = index + 1
        # No fix in the front matter: the YAML is only ever edited round-trip.
        found.append(Directive(codes, first, last, start, line_end, None))
    return found


def _section_end(ctx: Context, line: int) -> int:
    """The last line of the innermost section around `line` (the file's end if none)."""
    inner = [s for s in ctx.body.sections if s.heading.line <= line <= s.end_line]
    if inner:
        return max(inner, key=lambda s: s.heading.line).end_line
    return ctx.text.count("\n") + 1


def apply(ctx: Context, directives: list[Directive]) -> None:
    """Drop suppressed findings; report directives that suppressed nothing."""
    if not directives:
        return
    kept: list[Finding] = []
    for finding in ctx.findings:
        suppressed = False
        if not finding.code.startswith("X"):
            for directive in directives:
                if directive.first <= finding.line <= directive.last:
                    for code in directive.codes:
                        if finding.code.startswith(code):
                            directive.used.add(code)
                            suppressed = True
        if not suppressed:
            kept.append(finding)
    ctx.findings = kept
    enabled = ctx.config.enabled
    for directive in directives:
        unused = [
            c
            for c in directive.codes
            if c not in directive.used and any(e.startswith(c) for e in enabled)
        ]
        if not unused:
            continue
        fix = None
        if len(unused) == len(directive.codes) and directive.remove is not None:
            a, b = directive.remove
            fix = Fix("remove the unused suppression", a, b, "")
        ctx.report(
            "X001",
            directive.start,
            directive.end,
            f"the suppression of {', '.join(unused)} suppresses nothing here",
            fix=fix,
        )
