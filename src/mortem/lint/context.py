"""One file being linted: its parts, where they are, and the findings so far."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..document import Document
from ..model import Postmortem
from .findings import Finding, Fix, Loc
from .frontmap import STR_TAG, FrontMap, Mapping, Scalar, Sequence, value_positions
from .markdown import Body
from .options import LintConfig
from .rules import all_rules

# Front-matter strings that are prose a reader reads, and the kind of text each is.
PROSE_FIELDS: dict[str, str] = {"title": "title", "impact": "impact"}
PROSE_ITEMS: dict[str, dict[str, str]] = {
    "timeline": {"event": "timeline"},
    "whys": {"why": "why", "because": "because"},
    "contributing_factors": {"description": "factor"},
    "action_items": {"title": "action", "notes": "notes"},
    "reviews": {"notes": "notes"},
}


@dataclass(slots=True)
class Segment:
    """A piece of prose and where each of its characters sits in the file."""

    text: str
    kind: str  # body kinds: paragraph, item, cell, heading, quote; or a front-matter kind
    start: int  # file offset of text[0] for body text
    loc: Loc | None = None  # the front-matter field it is the value of
    node: Scalar | None = None
    names_allowed: bool = False
    _positions: list[int] | None = field(default=None, repr=False)

    def span(self, ctx: Context, start: int, end: int) -> tuple[int, int]:
        """File offsets of text[start:end]."""
        if self.node is None:
            return self.start + start, self.start + end
        if self._positions is None:
            assert ctx.doc is not None
            self._positions = value_positions(self.node, ctx.doc.split.front, ctx.front_base)
        positions = self._positions
        if not positions:
            return self.start, self.start
        first = positions[min(start, len(positions) - 1)]
        last = positions[min(max(end - 1, start), len(positions) - 1)] + 1
        return first, max(first, last)


class Context:
    def __init__(
        self,
        text: str,
        display: str,
        config: LintConfig,
        doc: Document | None,
        body: Body,
        front: FrontMap | None,
    ) -> None:
        self.text = text
        self.display = display
        self.config = config
        self.doc = doc
        self.body = body
        self.front = front
        # The front matter starts on the line after the opening fence.
        self.front_base = text.find("\n") + 1 if doc is not None else 0
        self.pm: Postmortem | None = None
        self.data: dict[str, Any] = doc.data if doc is not None else {}
        self.findings: list[Finding] = []
        self._rules = all_rules()
        self.memo: dict[str, Any] = {}  # per-file values that several rules share
        self.expires: dt.date | None = None

    def expire(self, day: dt.date) -> None:
        """The findings depend on the date and may change on `day`."""
        if self.expires is None or day < self.expires:
            self.expires = day

    # -- positions ---------------------------------------------------------------------

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a file offset (counted in C: a file has few findings)."""
        text = self.text
        return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)

    def line_span(self, line: int) -> tuple[int, int]:
        """File offsets of a whole line (1-based), without its newline."""
        text = self.text
        start = 0
        for _ in range(max(line - 1, 0)):
            found = text.find("\n", start)
            if found < 0:
                break
            start = found + 1
        end = text.find("\n", start)
        return start, len(text) if end < 0 else end

    # -- reporting ---------------------------------------------------------------------

    def enabled(self, code: str) -> bool:
        return code in self.config.enabled

    def report(
        self,
        code: str,
        start: int,
        end: int,
        message: str | None = None,
        suggestion: str | None = None,
        fix: Fix | None = None,
    ) -> None:
        if code not in self.config.enabled:
            return
        rule = self._rules[code]
        line, column = self.position(start)
        end_line, end_column = self.position(max(start, end))
        self.findings.append(
            Finding(
                code=code,
                name=rule.name,
                severity=self.config.severity.get(code, rule.severity),
                path=self.display,
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
                message=message or rule.message,
                suggestion=rule.suggestion if suggestion is None else suggestion,
                fix=fix,
            )
        )

    def report_field(
        self,
        code: str,
        loc: Loc,
        message: str | None = None,
        suggestion: str | None = None,
        part: str = "key",
    ) -> None:
        """A finding on a front-matter field (its key, or its value with part='value')."""
        if code not in self.config.enabled:
            return
        if self.front is None:
            self.report(code, 0, 0, message, suggestion)
            return
        span = self.front.span(loc, part)
        self.report(code, span.start, span.end, message, suggestion)

    # -- prose -------------------------------------------------------------------------

    def segments(self) -> Iterator[Segment]:
        """Every piece of prose: the body's blocks, then the front matter's strings."""
        in_timeline = self.config.allow_names_in_timeline
        for block in self.body.blocks:
            allowed = bool(block.path) and (
                block.in_people_section or (in_timeline and block.in_timeline)
            )
            yield Segment(block.text, block.kind, block.start, None, None, allowed)
        root = self.front.root if self.front is not None else None
        if not isinstance(root, Mapping):
            return
        in_timeline = self.config.allow_names_in_timeline
        for k, v in root.value:
            key = k.value
            kind = PROSE_FIELDS.get(key)
            if kind is not None and isinstance(v, Scalar) and v.tag == STR_TAG:
                yield Segment(v.value, kind, 0, (key,), v)
                continue
            fields = PROSE_ITEMS.get(key)
            if fields is None or not isinstance(v, Sequence):
                continue
            for i, item in enumerate(v.value):
                if not isinstance(item, Mapping):
                    continue
                for fk, fv in item.value:
                    kind = fields.get(fk.value)
                    if kind is not None and isinstance(fv, Scalar) and fv.tag == STR_TAG:
                        allowed = in_timeline and kind == "timeline"
                        yield Segment(fv.value, kind, 0, (key, i, fk.value), fv, allowed)
