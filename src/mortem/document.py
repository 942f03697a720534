"""One postmortem file: parse it, locate its fields, validate it, edit it in place.

Reading uses PyYAML's C loader because listing 10,000 files must be fast; editing uses
ruamel.yaml's round-trip mode because a person's formatting must survive. An edit is
applied as a line patch onto the original text (see `_patch_onto`), so that whatever
ruamel would have re-formatted elsewhere in the file is left exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import InvalidDocumentError, ParseError, Problem
from .fsutil import content_hash
from .model import Loc, Postmortem, consistency_problems

FENCE = "---"
DEFAULT_MAX_BYTES = 2_000_000

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YAML12Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """PyYAML's C loader with YAML 1.2 booleans.

    Under YAML 1.1 `on`, `off`, `yes` and `no` are booleans, so the `on:` key of a
    review would turn into `True`. ruamel (used for edits) reads YAML 1.2, where only
    true and false are; reading both ways alike keeps the two views of a file equal.
    """


_YAML11_ONLY = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:value")
YAML12Loader.yaml_implicit_resolvers = {
    # `=` is a plain string in YAML 1.2; PyYAML's 1.1 "value" tag cannot even load it.
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML11_ONLY]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
YAML12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@dataclass(frozen=True)
class Split:
    """Where the front matter and the body sit in the file text."""

    front: str
    body: str
    front_line: int  # 1-based line of the first front-matter line
    body_line: int  # 1-based line of the first body line
    close: str  # the closing fence line as written ("---" or "...")


def _load(front: str) -> tuple[Any, Any]:
    """(values, node tree) of the front matter. The usual plain front matter is read by
    the linter's own reader (compiled, and property-tested to give exactly PyYAML's
    values and to refuse whatever PyYAML refuses), seven times faster; the rest by PyYAML,
    whose nodes are composed again only when the values are good."""
    from .lint.frontparse import Unplain, from_yaml, read_plain

    try:
        return read_plain(front)
    except Unplain:
        data = yaml.load(front, Loader=YAML12Loader)
    node = yaml.compose(front, Loader=YAML12Loader) if isinstance(data, dict) else None
    return data, from_yaml(node) if node is not None else None


def _duplicate_key(tree: Any) -> tuple[list[str | int], int, int] | None:
    """(field path, offset, offset of the first) of a key written twice in one mapping:
    YAML loaders keep the last silently, so the first would be lost on the next edit."""
    from .lint.frontparse import Mapping, Sequence

    stack: list[tuple[Any, list[str | int]]] = [(tree, [])]
    while stack:
        node, loc = stack.pop()
        if isinstance(node, Mapping):
            seen: dict[str, int] = {}
            for key, value in node.value:
                if key.value in seen:
                    return [*loc, key.value], key.start, seen[key.value]
                seen[key.value] = key.start
                stack.append((value, [*loc, key.value]))
        elif isinstance(node, Sequence):
            stack += [(item, [*loc, i]) for i, item in enumerate(node.value)]
    return None


def split_front_matter(text: str) -> Split | None:
    """Split `---` fenced YAML from the Markdown body; None when there is no front matter."""
    if not text.startswith(FENCE):
        return None
    first_nl = text.find("\n")
    if first_nl < 0 or text[:first_nl].rstrip("\r ") != FENCE:
        return None
    pos = first_nl + 1
    line_no = 2
    while pos <= len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        line = text[pos:end].rstrip("\r")
        if line in (FENCE, "..."):
            body_start = len(text) if nl < 0 else nl + 1
            return Split(
                front=text[first_nl + 1 : pos],
                body=text[body_start:],
                front_line=2,
                body_line=line_no + 1,
                close=line,
            )
        if nl < 0:
            break
        pos = nl + 1
        line_no += 1
    return None


def _unbuildable_scalar(front: str) -> tuple[int, str, list[str | int]]:
    """(0-based line, text, field path) of the first scalar that PyYAML cannot turn
    into a value."""
    constructor = yaml.SafeLoader("")
    root = yaml.compose(front, Loader=YAML12Loader)
    if root is None:
        return 0, "", []
    stack: list[tuple[yaml.Node, list[str | int]]] = [(root, [])]
    while stack:
        node, loc = stack.pop(0)
        if isinstance(node, yaml.ScalarNode):
            try:
                constructor.construct_object(node)
            except (ValueError, OverflowError, yaml.YAMLError):
                return node.start_mark.line, str(node.value), loc
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += [(key, loc), (value, [*loc, str(key.value)])]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, [*loc, i]) for i, item in enumerate(node.value)]
    return 0, "", []


def decode(data: bytes, display: str) -> str:
    """UTF-8 text, or a ParseError naming the line of the first undecodable byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(
            [
                Problem(
                    display, line, None, f"not UTF-8 (byte {exc.start} is 0x{data[exc.start]:02x})"
                )
            ]
        ) from None
    return text.removeprefix("\ufeff")


@dataclass
class Document:
    """A parsed postmortem file. `data` is the front matter as plain Python values."""

    id: str
    display: str
    text: str
    split: Split
    data: dict[str, Any]
    revision: str
    _model: Postmortem | None = field(default=None, repr=False)
    _problems: list[Problem] | None = field(default=None, repr=False)
    _consistency: list[tuple[Loc, str]] = field(default_factory=list, repr=False)

    @property
    def body(self) -> str:
        return self.split.body

    @classmethod
    def parse(cls, text: str, display: str, doc_id: str, revision: str | None = None) -> Document:
        if not text.strip():
            raise ParseError([Problem(display, 1, None, "the file is empty")])
        split = split_front_matter(text)
        if split is None and text.split("\n", 1)[0].rstrip("\r ") == FENCE:
            raise ParseError(
                [
                    Problem(
                        display,
                        1,
                        None,
                        "the front matter opened here is never closed: end it with a '---' line",
                    )
                ]
            )
        if split is None:
            raise ParseError(
                [
                    Problem(
                        display, 1, None, "no front matter: the file must start with a '---' line"
                    )
                ]
            )
        try:
            data, tree = _load(split.front)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = split.front_line + mark.line if mark else split.front_line
            what = exc.problem or exc.context or "invalid YAML"
            if exc.problem and exc.context and exc.context_mark is not None:
                what += f" ({exc.context} at line {split.front_line + exc.context_mark.line})"
            raise ParseError([Problem(display, line, None, f"YAML syntax error: {what}")]) from None
        except yaml.YAMLError as exc:
            raise ParseError(
                [Problem(display, split.front_line, None, f"YAML error: {exc}")]
            ) from None
        except (ValueError, OverflowError) as exc:
            # A date that does not exist (2026-02-30) passes the YAML grammar and then
            # fails while being built; find the scalar to name its line and field.
            line, text, loc = _unbuildable_scalar(split.front)
            reason = str(exc)
            if "offset must be a timedelta" in reason:
                reason = "the time zone offset is out of range (-23:59 to +23:59)"
            raise ParseError(
                [
                    Problem(
                        display,
                        split.front_line + line,
                        _dotted(loc) or None,
                        f"invalid value {text!r}: {reason}",
                    )
                ]
            ) from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ParseError(
                [
                    Problem(
                        display, split.front_line, None, "front matter must be a mapping of fields"
                    )
                ]
            )
        duplicate = _duplicate_key(tree)
        if duplicate is not None:
            loc, at, first = duplicate
            line = split.front_line + split.front.count("\n", 0, at)
            first_line = split.front_line + split.front.count("\n", 0, first)
            raise ParseError(
                [
                    Problem(
                        display,
                        line,
                        _dotted(loc),
                        f"the key is written twice (first at line {first_line}); YAML would "
                        "keep only this one",
                    )
                ]
            )
        rev = revision or content_hash(text.encode("utf-8"))
        return cls(id=doc_id, display=display, text=text, split=split, data=data, revision=rev)

    @classmethod
    def read(
        cls, path: Path, display: str, doc_id: str, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> Document:
        size = path.stat().st_size
        if size > max_bytes:
            raise ParseError(
                [Problem(display, 1, None, f"file is {size} bytes, over the limit of {max_bytes}")]
            )
        raw = path.read_bytes()
        return cls.parse(decode(raw, display), display, doc_id, content_hash(raw))

    # -- locating fields -------------------------------------------------------------

    def line_of(self, loc: Sequence[str | int]) -> int:
        """The file line of the deepest field of `loc` that exists (the key's line)."""
        node = yaml.compose(self.split.front, Loader=YAML12Loader)
        line = 0
        for part in loc:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for key, value in node.value:
                    if key.value == part:
                        line = key.start_mark.line
                        node = value
                        break
                else:
                    break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    node = node.value[part]
                    line = node.start_mark.line
                else:
                    break
            else:
                break
        return self.split.front_line + line

    # -- validation ------------------------------------------------------------------

    def problems(
        self,
        severities: Iterable[str] = (),
        categories: Iterable[str] = (),
    ) -> list[Problem]:
        """Everything wrong with the front matter, each with its line and field."""
        if self._problems is None:
            self._validate(tuple(severities), tuple(categories))
        assert self._problems is not None
        return self._problems

    def consistency(self) -> list[tuple[Loc, str]]:
        """The problems among `problems()` that span fields (`consistency_problems`)."""
        if self._problems is None:
            self._validate((), ())
        return self._consistency

    def model(self) -> Postmortem:
        """The validated front matter; raises InvalidDocumentError listing the problems."""
        if self._model is None:
            self._validate((), ())
        if self._model is None:
            raise InvalidDocumentError(self._problems or [])
        return self._model

    def _problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.display, self.line_of(loc), _dotted(loc), message)

    def _validate(self, severities: tuple[str, ...], categories: tuple[str, ...]) -> None:
        problems: list[Problem] = []
        try:
            self._model = Postmortem.model_validate(self.data)
        except ValidationError as exc:
            self._model = None
            for err in exc.errors(include_url=False):
                loc = tuple(err["loc"])
                problems.append(self._problem(loc, _friendly(err)))
        pm = self._model
        if pm is not None:
            self._consistency = consistency_problems(pm)
            problems += [self._problem(loc, msg) for loc, msg in self._consistency]
        # Checked on the raw values, so that a type error elsewhere does not hide them.
        severity = self.data.get("severity")
        if severities and isinstance(severity, str) and severity not in severities:
            allowed = ", ".join(severities)
            problems.append(
                self._problem(("severity",), f"unknown severity {severity!r} (one of: {allowed})")
            )
        factors = self.data.get("contributing_factors")
        if categories and isinstance(factors, list):
            for i, factor in enumerate(factors):
                category = factor.get("category") if isinstance(factor, dict) else None
                if isinstance(category, str) and category not in categories:
                    problems.append(
                        self._problem(
                            ("contributing_factors", i, "category"),
                            f"unknown category {category!r} (see [factors] in mortem.toml)",
                        )
                    )
        problems.sort(key=lambda p: p.line or 0)
        self._problems = problems

    # -- editing ---------------------------------------------------------------------

    def edited(self, mutate: Callable[[Any], None]) -> str:
        """The file text after `mutate` changes the round-trip front matter in place.

        Only the lines of the changed values differ from the original text.
        """
        try:
            front = round_trip_edit(self.split.front, mutate)
        except Unpatchable:
            raise ParseError(
                [
                    Problem(
                        self.display,
                        self.split.front_line,
                        None,
                        "mortem cannot make this edit without rewriting the front matter "
                        "in its own layout (the indentation or line breaks differ from "
                        "what it writes): make this change by hand",
                    )
                ]
            ) from None
        if front != self.split.front:
            try:
                yaml.load(front, Loader=YAML12Loader)
            except yaml.YAMLError:
                # Only when the edit touches lines ruamel writes wrongly (see
                # `_same_as_mutated`); saying so beats a syntax error about our own output.
                raise ParseError(
                    [
                        Problem(
                            self.display,
                            self.split.front_line,
                            None,
                            "mortem cannot make this edit without rewriting lines in a "
                            "layout it does not write correctly (a block item after a flow "
                            "item with a comment): make this change by hand",
                        )
                    ]
                ) from None
        return self.split_text_with(front)

    def split_text_with(self, front: str) -> str:
        head = self.text[: self.text.find("\n") + 1]
        close_line = self.split.close + ("\r\n" if head.endswith("\r\n") else "\n")
        return head + front + close_line + self.split.body


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def _friendly(err: Any) -> str:
    kind = err["type"]
    if kind == "timezone_aware":
        return "timestamp has no timezone (write e.g. 2026-03-14T02:47:00Z)"
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"unknown value {err.get('input')!r} (expected {expected})"
    message: str = err["msg"]
    return f"{message} (got {err.get('input')!r})" if "input" in err else message


# -- round-trip editing -------------------------------------------------------------


def _represent_datetime(representer: Any, data: dt.datetime) -> Any:
    text = data.isoformat()
    if data.utcoffset() == dt.timedelta(0):
        text = data.replace(tzinfo=None).isoformat() + "Z"
    return representer.represent_scalar("tag:yaml.org,2002:timestamp", text)


def _represent_none(representer: Any, data: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def round_trip_yaml(front: str) -> Any:
    """A ruamel YAML instance set up to write like the given text was written."""
    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096  # never re-fold a person's long lines
    seq_indent, offset = _guess_sequence_indent(front)
    rt.indent(mapping=2, sequence=seq_indent, offset=offset)
    rt.representer.add_representer(dt.datetime, _represent_datetime)
    rt.representer.add_representer(type(None), _represent_none)
    # The same datetime object written twice must not become an anchor and an alias.
    rt.representer.ignore_aliases = lambda data: True
    return rt


def _guess_sequence_indent(front: str) -> tuple[int, int]:
    lines = front.splitlines()
    for prev, line in itertools.pairwise(lines):
        stripped = line.lstrip(" ")
        if stripped.startswith("- ") and prev.rstrip().endswith(":"):
            dash = len(line) - len(stripped)
            base = len(prev) - len(prev.lstrip(" "))
            offset = dash - base
            return offset + 2, offset
    return 4, 2


def _dump(rt: Any, data: Any) -> str:
    out = io.StringIO()
    rt.dump(data, out)
    return out.getvalue()


def round_trip_edit(front: str, mutate: Callable[[Any], None]) -> str:
    """Apply `mutate` to the round-trip data of `front`; return the new front matter text."""
    rt = round_trip_yaml(front)
    data = rt.load(front)
    baseline = _dump(rt, data)
    mutate(data)
    changed = _dump(rt, data)
    if changed == baseline:
        return front
    if baseline == front:
        return changed
    patched = _patch_onto(front, baseline, changed)
    if patched is not None and (
        _same_data(patched, changed) or _same_as_mutated(front, patched, mutate)
    ):
        return patched
    # The person's layout could not be kept line for line: refuse rather than rewrite
    # the whole front matter in ruamel's layout.
    raise Unpatchable()


class Unpatchable(Exception):
    """An edit that cannot be applied to the person's lines as they are written."""


def _same_data(a: str, b: str) -> bool:
    try:
        return bool(yaml.load(a, Loader=YAML12Loader) == yaml.load(b, Loader=YAML12Loader))
    except yaml.YAMLError:
        return False


def _same_as_mutated(front: str, patched: str, mutate: Callable[[Any], None]) -> bool:
    """Whether `patched` holds the values of `front` with `mutate` applied.

    ruamel sometimes writes an unchanged part wrongly (a block mapping after a flow
    mapping with a comment comes out on one line); the patch keeps the person's lines
    there, so its result is checked against the intended values instead of ruamel's.
    """
    try:
        expected = yaml.load(front, Loader=YAML12Loader)
        mutate(expected)
        return bool(yaml.load(patched, Loader=YAML12Loader) == expected)
    except Exception:  # a mutation that needs ruamel's types: no second opinion
        return False


def _patch_onto(original: str, baseline: str, changed: str) -> str | None:
    """Carry the baseline->changed line diff over to the original text.

    ruamel's dump of an unchanged file may differ from what the person wrote (spacing
    before a comment, `null` written as nothing, lines joined); those lines are kept
    as written unless the edit itself touches them, and an edit that touches lines
    which cannot be matched one to one gives up (None).
    """
    o_lines = original.splitlines(keepends=True)
    b_lines = baseline.splitlines(keepends=True)
    n_lines = changed.splitlines(keepends=True)
    to_original = _line_map(b_lines, o_lines)
    result = list(o_lines)
    edits = difflib.SequenceMatcher(None, b_lines, n_lines, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in reversed(edits):
        if tag == "equal":
            continue
        if i2 > i1:
            first, last = to_original[i1], to_original[i2 - 1]
            if first is None or last is None:
                return None
            o1, o2 = first, last + 1
        else:
            at = to_original[i1]
            if at is None:
                return None
            o1 = o2 = at
        result[o1:o2] = n_lines[j1:j2]
    return "".join(result)


def _line_map(b_lines: list[str], o_lines: list[str]) -> list[int | None]:
    """For each baseline line (and one past the end), the original line it stands for;
    None for a line with no one-to-one counterpart (ruamel joined, split or invented
    lines there)."""
    mapping: list[int | None] = []
    matcher = difflib.SequenceMatcher(None, b_lines, o_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "replace") and (i2 - i1) == (j2 - j1):
            mapping.extend(range(j1, j2))
        elif tag != "insert":
            mapping.extend([None] * (i2 - i1))
    mapping.append(len(o_lines))
    return mapping
