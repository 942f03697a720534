"""The block structure of a Markdown document, kept as line numbers.

The importer needs to know, for every line, which section it is in and whether it is
part of a table, a list item or a code block, so that it can move exactly the lines it
understood into the front matter and leave every other line in the body untouched. A
full CommonMark parser gives a tree of tokens; this reads the handful of constructs
postmortems use and answers in line numbers, which is what "nothing dropped" is
checked against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,3}[.)])(\s+|$)(.*)$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_THEMATIC = re.compile(r"^ {0,3}([-*_])(\s*\1){2,}\s*$")


@dataclass
class Heading:
    line: int  # index of the heading text line
    level: int
    text: str
    last_line: int  # the underline of a setext heading, else `line`


@dataclass
class Item:
    """One list item: its marker line, continuation lines and nested items."""

    line: int
    indent: int
    ordered: bool
    text: str
    lines: list[int] = field(default_factory=list)
    children: list[Item] = field(default_factory=list)

    def all_lines(self) -> list[int]:
        found = list(self.lines)
        for child in self.children:
            found += child.all_lines()
        return found

    def full_text(self, sep: str = "; ") -> str:
        parts = [self.text] + [c.full_text(sep) for c in self.children]
        return sep.join(p for p in parts if p)


@dataclass
class Block:
    kind: str  # para | list | table | code | rule
    start: int
    end: int  # exclusive
    items: list[Item] = field(default_factory=list)


@dataclass
class Section:
    heading: Heading | None
    level: int
    start: int  # first content line
    end: int  # exclusive: the next heading of any level
    parent: Section | None = None
    children: list[Section] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.heading.text if self.heading else ""

    def subtree(self) -> list[Section]:
        found = [self]
        for child in self.children:
            found += child.subtree()
        return found


def code_lines(lines: list[str]) -> set[int]:
    """Indexes of lines inside fenced code blocks, fences included."""
    inside: set[int] = set()
    fence: str | None = None
    for i, line in enumerate(lines):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * len(match.group(1))
            inside.add(i)
        elif fence is not None:
            inside.add(i)
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
    return inside


def is_item(line: str) -> re.Match[str] | None:
    return _ITEM.match(line)


def is_table_sep(line: str) -> bool:
    return "-" in line and bool(_TABLE_SEP.match(line)) and ("|" in line or line.count("-") >= 3)


def headings(lines: list[str], code: set[int]) -> list[Heading]:
    found: list[Heading] = []
    for i, line in enumerate(lines):
        if i in code:
            continue
        match = _ATX.match(line)
        if match:
            found.append(Heading(i, len(match.group(1)), (match.group(2) or "").strip(), i))
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if (
            line.strip()
            and i + 1 not in code
            and _SETEXT.match(nxt)
            and not _ITEM.match(line)
            and "|" not in line
            # Only a paragraph's first line is read as a heading: '---' after a list
            # item or a run of text is far more often a rule than an underline.
            and (i == 0 or not lines[i - 1].strip() or bool(_ATX.match(lines[i - 1])))
        ):
            level = 1 if nxt.strip().startswith("=") else 2
            found.append(Heading(i, level, line.strip(), i + 1))
    return found


def sections(lines: list[str], heads: list[Heading]) -> list[Section]:
    """All sections in document order; the first is the preamble before any heading."""
    result = [Section(None, 0, 0, heads[0].line if heads else len(lines))]
    stack: list[Section] = [result[0]]
    for n, head in enumerate(heads):
        end = heads[n + 1].line if n + 1 < len(heads) else len(lines)
        section = Section(head, head.level, head.last_line + 1, end)
        while stack and stack[-1].level >= head.level:
            stack.pop()
        parent = stack[-1] if stack else result[0]
        section.parent = parent
        parent.children.append(section)
        stack.append(section)
        result.append(section)
    return result


def _indent(line: str) -> int:
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip())


def blocks(lines: list[str], start: int, end: int, code: set[int]) -> list[Block]:
    """The blocks of lines[start:end], which must hold no headings."""
    found: list[Block] = []
    i = start
    while i < end:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if i in code:
            j = i
            while j < end and j in code:
                j += 1
            found.append(Block("code", i, j))
            i = j
            continue
        if "|" in line and i + 1 < end and is_table_sep(lines[i + 1]):
            j = i + 2
            while j < end and lines[j].strip() and "|" in lines[j] and j not in code:
                j += 1
            found.append(Block("table", i, j))
            i = j
            continue
        if _ITEM.match(line) and not _THEMATIC.match(line):
            j, items = _list(lines, i, end, code)
            found.append(Block("list", i, j, items))
            i = j
            continue
        if _THEMATIC.match(line):
            found.append(Block("rule", i, i + 1))
            i += 1
            continue
        j = i
        while (
            j < end
            and lines[j].strip()
            and j not in code
            and not (j > i and _ITEM.match(lines[j]))
            and not ("|" in lines[j] and j + 1 < end and is_table_sep(lines[j + 1]))
        ):
            j += 1
        found.append(Block("para", i, j))
        i = j
    return found


def _list(lines: list[str], start: int, end: int, code: set[int]) -> tuple[int, list[Item]]:
    """Parse a list starting at `start`; return (end line, top-level items)."""
    top: list[Item] = []
    stack: list[Item] = []
    i = start
    last = start
    while i < end:
        line = lines[i]
        if i in code:
            # A fence indented under an item belongs to it; otherwise the list is over.
            if stack and _indent(line) > stack[0].indent:
                while i < end and i in code:
                    stack[-1].lines.append(i)
                    i += 1
                last = i
                continue
            break
        if not line.strip():
            j = i
            while j < end and not lines[j].strip():
                j += 1
            if j >= end or j in code:
                break
            nxt = lines[j]
            if _ITEM.match(nxt) or (stack and _indent(nxt) > stack[0].indent):
                i = j
                continue
            break
        match = _ITEM.match(line)
        if match and not _THEMATIC.match(line):
            indent = _indent(match.group(1))
            marker = match.group(2)
            item = Item(i, indent, marker[0].isdigit(), match.group(4).strip(), [i])
            while stack and stack[-1].indent >= indent:
                stack.pop()
            if stack:
                stack[-1].children.append(item)
            else:
                top.append(item)
            stack.append(item)
            i += 1
            last = i
            continue
        if "|" in line and i + 1 < end and is_table_sep(lines[i + 1]) and _indent(line) == 0:
            break
        if not stack:
            break
        # Continuation (indented, or lazy directly after the item's text).
        if _indent(line) == 0 and not lines[i - 1].strip():
            break
        stack[-1].lines.append(i)
        stack[-1].text = f"{stack[-1].text} {line.strip()}".strip()
        i += 1
        last = i
    return last, top


def table_cells(line: str) -> list[str]:
    """The cells of a pipe-table row, with escaped pipes kept inside cells."""
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    cells = re.split(r"(?<!\\)\|", text)
    return [c.strip().replace("\\|", "|") for c in cells]
