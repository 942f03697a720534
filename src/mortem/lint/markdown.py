"""The prose of a Markdown body, with every character at its place in the file.

The language rules must read what a person wrote as narrative and nothing else: not
code, not log lines, not comments, not link targets. A CommonMark parser would give a
token tree, but at a couple of milliseconds a file it would take most of the lint
budget, and its tokens do not keep columns. This scanner reads the constructs that
postmortems use, line by line, and produces a *masked* copy of the body: same length,
same newlines, with everything that is not prose replaced by spaces. A rule's hit at
offset i of a block is then at offset i of the file, with no mapping to get wrong.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})")
_ITEM = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])([ \t]+|$)")
_QUOTE = re.compile(r"^ {0,3}>[ \t]?")
_THEMATIC = re.compile(r"^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$")
_TABLE_SEP = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
# Everything inline that is not prose, in one pass: code spans, autolinks, link
# targets, bare URLs, HTML tags, link and image brackets, escapes, emphasis markers.
# Every alternative starts with a literal character, so that the engine skips the
# positions no alternative can start at without trying them one by one.
_INLINE = re.compile(
    r"`(?P<ticks>`*)[^\n]+?`(?P=ticks)"  # a code span, closed by as many backticks
    r"|<(?:https?|mailto|ftp):[^<>\s]*>"
    r"|\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+\"[^\"]*\")?\)"
    r"|h(?<!\wh)ttps?://[^\s<>)\]]+"  # a bare URL that starts a word
    r"|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"
    r"|!\[|\["
    r"|\\(?P<esc>.)"
    r"|\*\**|~~|_(?<!\w_)_*|__*(?!\w)"
)
_LOG_LINE = re.compile(
    r"^\s*(?:\[?\d{4}-\d{2}-\d{2}[T ]\d|\[?\d{1,2}:\d{2}:\d{2}"
    r"|\[?(?:ERROR|WARN|WARNING|INFO|DEBUG|FATAL|TRACE|CRITICAL|PANIC)\b"
    r"|[{\[]\s*\"|\S+(?:Exception|Error)\b|at [\w.$<>]+\(|\$ |# )"
)
# Characters that can start a line that is more than plain text.
_MARKERS = frozenset("`~<>#=-*_+|")
# Sections whose purpose is to list people: names there are expected, not blame.
PEOPLE_SECTIONS = (
    "attendees",
    "participants",
    "authors",
    "people",
    "responders",
    "reviewers",
    "owners",
    "contributors",
)


@dataclass(slots=True)
class Heading:
    level: int
    title: str
    line: int  # file line of the heading text
    start: int  # file offset of the title text
    end: int


@dataclass(slots=True)
class Block:
    """A run of prose: a paragraph, a list item, a table cell, a heading or a quote."""

    kind: str
    start: int  # file offset; `text` is the masked file slice from here
    text: str
    path: tuple[str, ...]  # lower-cased titles of the enclosing headings, outermost first

    @property
    def in_timeline(self) -> bool:
        return any("timeline" in title for title in self.path)

    @property
    def in_people_section(self) -> bool:
        return any(title.startswith(PEOPLE_SECTIONS) for title in self.path[-1:])


@dataclass(slots=True)
class Comment:
    """An HTML comment: its inside text, where it sits, and whether it is alone on a line."""

    body: str
    start: int
    end: int
    line: int
    end_line: int
    alone: bool


@dataclass
class Section:
    heading: Heading
    end_line: int  # last file line before the next heading of the same or a higher level
    has_content: bool = False  # any prose, code, table or list under it (sub-sections too)


@dataclass
class Body:
    blocks: list[Block] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def _spaces(match: re.Match[str]) -> str:
    return " " * (match.end() - match.start())


def _inline(match: re.Match[str]) -> str:
    text = match.group()
    if match.lastgroup == "esc":
        return " " + text[1:]  # the escaped character itself is prose
    return " " * len(text)


def scan(body: str, offset: int, first_line: int) -> Body:
    """Scan `body`, which starts at file offset `offset` on file line `first_line`."""
    out = Body()
    lines = body.split("\n")
    starts = _line_starts(body)
    keep: list[tuple[int, int]] = [(0, len(line)) for line in lines]
    kinds = _classify(lines, out, keep, starts, first_line, offset)
    masked = "\n".join(
        line
        if a == 0 and b == len(line)
        else " " * a + line[a:b] + " " * (len(line) - max(a, b))
        if a < b
        else " " * len(line)
        for line, (a, b) in zip(lines, keep, strict=True)
    )
    if "<!--" in masked:
        masked = _comments(masked, out, starts, first_line, kinds, offset)
    masked = _INLINE.sub(_inline, masked)
    _collect(lines, kinds, masked, starts, offset, first_line, out)
    return out


def _comments(
    masked: str,
    out: Body,
    starts: list[int],
    first_line: int,
    kinds: list[int],
    offset: int,
) -> str:
    """Record the HTML comments outside code and blank them."""

    def line_of(pos: int) -> int:
        return bisect.bisect_right(starts, pos) - 1

    def record(m: re.Match[str]) -> str:
        first = line_of(m.start())
        last = line_of(m.end() - 1)
        end_of_last = starts[last + 1] - 1 if last + 1 < len(starts) else len(masked)
        before = masked[starts[first] : m.start()]
        after = masked[m.end() : end_of_last]
        out.comments.append(
            Comment(
                m.group(1).strip(),
                offset + m.start(),
                offset + m.end(),
                first_line + first,
                first_line + last,
                not before.strip() and not after.strip(),
            )
        )
        return _spaces(m)

    return _COMMENT.sub(record, masked)


# Line kinds: what the first pass decided about each line of the body.
BLANK, CODE, HEADING, PARA, ITEM, CONT, QUOTE, LOG, TABLE, SEP, RULE, HTML = range(12)


def _classify(
    lines: list[str],
    out: Body,
    keep: list[tuple[int, int]],
    starts: list[int],
    first_line: int,
    offset: int,
) -> list[int]:
    """Decide each line's kind; narrow `keep` (the visible slice of each line) to prose."""
    kinds = [BLANK] * len(lines)
    fence: tuple[str, int] | None = None
    in_comment = False
    item_indent = -1  # content indent of the list item being continued, -1 if none
    prev = BLANK
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if fence is not None:
            kinds[i] = CODE
            stripped = line.strip()
            if stripped.startswith(fence[0][0] * fence[1]) and set(stripped) == {fence[0][0]}:
                fence = None
            keep[i] = (0, 0)
            prev = CODE
            i += 1
            continue
        if in_comment:
            kinds[i] = HTML
            in_comment = "-->" not in line
            prev = HTML
            i += 1
            continue
        stripped = line.strip()
        if not stripped:
            kinds[i] = BLANK
            prev = BLANK
            i += 1
            continue
        indent = len(line) - len(line.lstrip(" \t"))
        first = stripped[0]
        if indent < 4 and first not in _MARKERS and not first.isdigit() and "|" not in line:
            # Most lines are plain text: no marker can start them, skip the patterns.
            kinds[i], item_indent, prev = _text_kind(prev, item_indent, indent)
            i += 1
            continue
        m = _FENCE.match(line)
        if m:
            fence = (m.group(2)[0], len(m.group(2)))
            kinds[i] = CODE
            keep[i] = (0, 0)
            prev = CODE
            i += 1
            continue
        if indent >= 4 and prev in (BLANK, CODE) and (item_indent < 0 or indent >= item_indent + 4):
            kinds[i] = CODE
            keep[i] = (0, 0)
            prev = CODE
            i += 1
            continue
        if stripped.startswith("<!--"):
            close = stripped.find("-->", 4)
            if close < 0 or not stripped[close + 3 :].strip():
                # A comment on lines of its own is not content; text after a comment
                # on the same line is, and is read as usual below.
                kinds[i] = HTML
                in_comment = close < 0
                prev = HTML
                i += 1
                continue
        if _QUOTE.match(line):
            j = i
            while j < n and lines[j].strip() and _QUOTE.match(lines[j]):
                j += 1
            inner = [_QUOTE.sub("", lines[k]).lstrip("> ") for k in range(i, j)]
            logs = sum(1 for text in inner if _LOG_LINE.match(text))
            is_log = logs * 2 > len(inner)
            for k in range(i, j):
                kinds[k] = LOG if is_log else QUOTE
                if is_log:
                    keep[k] = (0, 0)
                else:
                    m2 = re.match(r"^(?: {0,3}>[ \t]?)+", lines[k])
                    if m2:
                        keep[k] = (m2.end(), len(lines[k]))
            prev = kinds[j - 1]
            item_indent = -1
            i = j
            continue
        m = _ATX.match(line)
        if m:
            kinds[i] = HEADING
            keep[i] = _add_heading(
                out, line, offset + starts[i], first_line + i, len(m.group(2)), m.end()
            )
            prev = HEADING
            item_indent = -1
            i += 1
            continue
        if prev == PARA and _SETEXT.match(line):
            # The paragraph above is a heading; only its last line is kept as the title.
            level = 1 if line.strip()[0] == "=" else 2
            kinds[i - 1] = HEADING
            kinds[i] = RULE
            keep[i] = (0, 0)
            keep[i - 1] = _add_heading(
                out, lines[i - 1], offset + starts[i - 1], first_line + i - 1, level, 0
            )
            prev = HEADING
            i += 1
            continue
        if _THEMATIC.match(line):
            kinds[i] = RULE
            keep[i] = (0, 0)
            prev = RULE
            item_indent = -1
            i += 1
            continue
        if "|" in line and (
            stripped.startswith("|") or (i + 1 < n and _TABLE_SEP.match(lines[i + 1]))
        ):
            j = i
            while j < n and lines[j].strip() and "|" in lines[j]:
                kinds[j] = SEP if _TABLE_SEP.match(lines[j]) else TABLE
                if kinds[j] == SEP:
                    keep[j] = (0, 0)
                j += 1
            prev = TABLE
            item_indent = -1
            i = j
            continue
        m = _ITEM.match(line)
        if m and not (prev == PARA and m.group(2)[0].isdigit() and m.group(2) != "1."):
            kinds[i] = ITEM
            item_indent = m.end() if m.group(3) else m.end() + 1
            keep[i] = (m.end(), len(line))
            prev = ITEM
            i += 1
            continue
        kinds[i], item_indent, prev = _text_kind(prev, item_indent, indent)
        i += 1
    return kinds


def _text_kind(prev: int, item_indent: int, indent: int) -> tuple[int, int, int]:
    """(kind, item indent, prev) of a line of plain text: a list item's or a paragraph's."""
    if prev in (ITEM, CONT) or (prev == BLANK and 0 <= item_indent <= indent):
        return CONT, item_indent, CONT
    return PARA, -1, PARA


def _add_heading(
    out: Body,
    line: str,
    line_start: int,
    file_line: int,
    level: int,
    marker_end: int,
) -> tuple[int, int]:
    """Record a heading; returns the slice of its line that is the title."""
    text = line[marker_end:]
    closing = re.search(r"[ \t]+#+[ \t]*$", text)
    if closing:
        text = text[: closing.start()]
    lead = len(text) - len(text.lstrip())
    title = text.strip()
    start = marker_end + lead
    out.headings.append(
        Heading(level, title, file_line, line_start + start, line_start + start + len(title))
    )
    return start, start + len(title)


def _collect(
    lines: list[str],
    kinds: list[int],
    masked: str,
    starts: list[int],
    offset: int,
    first_line: int,
    out: Body,
) -> None:
    """Group lines into blocks, note sections and which lines hold content."""
    headings = {h.line: h for h in out.headings}
    path: list[tuple[int, str]] = []
    titles: tuple[str, ...] = ()
    open_sections: list[Section] = []
    n = len(lines)
    i = 0

    def end_of(k: int) -> int:
        return starts[k] + len(lines[k])

    def add(kind: str, a: int, b: int) -> None:
        text = masked[a:b]
        if text.strip():
            out.blocks.append(Block(kind, offset + a, text, titles))

    while i < n:
        kind = kinds[i]
        file_line = first_line + i
        if kind == HEADING and file_line in headings:
            heading = headings[file_line]
            while path and path[-1][0] >= heading.level:
                path.pop()
            for section in list(open_sections):
                if section.heading.level >= heading.level:
                    section.end_line = file_line - 1
                    open_sections.remove(section)
            section = Section(heading, first_line + n - 1)
            out.sections.append(section)
            open_sections.append(section)
            path.append((heading.level, heading.title.lower()))
            titles = tuple(t for _, t in path)
            if not heading.title.rstrip().endswith("?"):
                add("heading", starts[i], end_of(i))
            i += 1
            continue
        if kind in (BLANK, HTML, RULE, SEP, HEADING):
            i += 1
            continue
        if kind in (CODE, LOG):
            if lines[i].strip():
                _mark(open_sections)
            i += 1
            continue
        if kind == TABLE:
            _mark(open_sections)
            row = masked[starts[i] : end_of(i)]
            cell_start = 0
            for m in re.finditer(r"(?<!\\)\|", row + "|"):
                add("cell", starts[i] + cell_start, starts[i] + min(m.start(), len(row)))
                cell_start = m.end()
            i += 1
            continue
        # A paragraph, a list item (with its continuation lines) or a quote.
        j = i + 1
        if kind == ITEM:
            while j < n and kinds[j] == CONT:
                j += 1
            block_kind = "item"
        elif kind == QUOTE:
            while j < n and kinds[j] == QUOTE:
                j += 1
            block_kind = "quote"
        else:
            while j < n and kinds[j] in (PARA, CONT) and kinds[j] == kind:
                j += 1
            block_kind = "paragraph"
        if masked[starts[i] : end_of(j - 1)].strip():
            _mark(open_sections)
        add(block_kind, starts[i], end_of(j - 1))
        i = j


def _mark(open_sections: list[Section]) -> None:
    """Something a reader sees: the sections around it are not empty."""
    for section in open_sections:
        section.has_content = True
