"""Front matter as a tree of positioned nodes, read fast when it is written plainly.

Front matter is nearly always block mappings and lists of scalars (on one line, over
several plain lines, or as `|` and `>` blocks) and short flow lists (`tags: [db,
deploy]`). For that subset this line reader builds the nodes and the values in one
pass; compiled by mypyc it takes under half the time PyYAML needs to hand its C
parser's events to Python as nodes. Anything outside the subset (comments after a
value, anchors, escapes, flow mappings, tabs, odd characters, anything that would be
a YAML error) makes the reader give up, and the caller parses the text with PyYAML,
which has the last word. Property tests hold the two to the same trees, values and
positions.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from ..document import YAML12Loader

STR_TAG = "tag:yaml.org,2002:str"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
NULL_TAG = "tag:yaml.org,2002:null"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class Scalar:
    __slots__ = ("end", "start", "style", "tag", "value")

    def __init__(self, tag: str, value: str, start: int, end: int, style: str) -> None:
        self.tag = tag
        self.value = value
        self.start = start  # offsets in the front-matter text
        self.end = end
        self.style = style  # "" plain, "'" or '"' quoted, "|" or ">" block


class Mapping:
    __slots__ = ("start", "tag", "value")

    def __init__(self, value: list[tuple[Scalar, Node]], start: int) -> None:
        self.tag = MAP_TAG
        self.value = value
        self.start = start


class Sequence:
    __slots__ = ("start", "tag", "value")

    def __init__(self, value: list[Node], start: int) -> None:
        self.tag = SEQ_TAG
        self.value = value
        self.start = start


Node = Scalar | Mapping | Sequence


class Unplain(Exception):
    """The text uses YAML beyond the plain subset: PyYAML must read it."""


# -- tags and values of plain scalars -------------------------------------------------

_RESOLVERS = YAML12Loader.yaml_implicit_resolvers
_RESOLVABLE = frozenset(k for k, v in _RESOLVERS.items() if v)
_TAGS: dict[str, str] = {}  # plain scalar -> tag; a plain scalar's tag is its text's
# What the timestamp resolver accepts, in its usual forms; no other resolver does.
_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\d(?:T\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d))?\Z")


def plain_tag(value: str) -> str:
    """The tag YAML12Loader resolves a plain scalar to."""
    if value[:1] not in _RESOLVABLE:
        return STR_TAG
    tag = _TAGS.get(value)
    if tag is None:
        if _ISO_TIME.match(value):
            return TIMESTAMP_TAG  # the most common non-string, and rarely repeated
        tag = STR_TAG
        for candidate, regexp in _RESOLVERS.get(value[:1], []) + _RESOLVERS.get(None, []):
            if regexp.match(value):
                tag = candidate
                break
        if len(_TAGS) < 100_000 and len(value) < 64:
            _TAGS[value] = tag
    return tag


_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_CONSTRUCTORS = {
    f"tag:yaml.org,2002:{name}": yaml.constructor.SafeConstructor.yaml_constructors[
        f"tag:yaml.org,2002:{name}"
    ]
    for name in ("null", "bool", "int", "float", "timestamp")
}


def scalar_value(tag: str, value: str) -> Any:
    """The Python value of a resolved scalar, as PyYAML's safe constructor makes it;
    ISO dates and times by the standard library, which is three times faster."""
    if tag == STR_TAG:
        return value
    if tag == TIMESTAMP_TAG:
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value)
            if len(value) >= 19 and value[10] == "T" and value[4] == "-" and value[7] == "-":
                return dt.datetime.fromisoformat(
                    value[:-1] + "+00:00" if value[-1] == "Z" else value
                )
        except ValueError:
            pass
    construct = _CONSTRUCTORS.get(tag)
    if construct is None:
        raise Unplain(tag)
    return construct(_CONSTRUCTOR, yaml.ScalarNode(tag, value))


# -- the reader -------------------------------------------------------------------------

# Characters YAML reads as something other than printable text on one line: controls,
# tabs, carriage returns, the other line breaks (NEL, LS, PS) and byte-order marks.
_ODD = re.compile(
    "[^\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# A plain scalar may not start with an indicator (YAML 1.2, 7.3.3).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_FORBIDDEN = re.compile(r"[\[\]{}\"'#:]")


def _not_plain(text: str) -> bool:
    """Whether a line's text cannot be (part of) a plain scalar in block context: it
    starts with an indicator, holds a mapping colon or a comment, or ends a key."""
    return text[0] in _INDICATORS or ": " in text or " #" in text or text[-1] == ":"


def _key_of(content: str) -> tuple[str, str, int]:
    """(key, rest, offset of the rest) of a line's content after any list dash: a key
    is `[A-Za-z_][A-Za-z0-9_-]{0,99}` followed by a colon and a space or the end of
    the line; without one the key is empty and the rest is the whole content."""
    colon = content.find(":")
    if 0 < colon <= 100:
        key = content[:colon]
        if (
            (colon + 1 == len(content) or content[colon + 1] == " ")
            and key[0] != "-"
            and key.isascii()
            and key.replace("-", "_").isidentifier()
        ):
            rest = content[colon + 1 :].lstrip(" ")
            return key, rest, len(content) - len(rest)
    return "", content, 0


class _Reader:
    """The front matter's significant lines, and the block structure they make."""

    __slots__ = ("columns", "dashes", "keys", "lines", "n", "offsets", "raws", "rests", "starts")

    def __init__(self, text: str) -> None:
        columns: list[int] = []  # where the dash or the key is
        dashes: list[int] = []  # the length of the dash and its spaces, or 0
        keys: list[str] = []
        starts: list[int] = []  # offset of the key, or of the rest when there is no key
        rests: list[tuple[str, int]] = []  # the value written on the line, and its offset
        raws: list[int] = []  # the line's number in the text, from 0
        lines = text.split("\n")
        offsets: list[int] = []  # of every line's first character
        at = 0
        for number, line in enumerate(lines):
            offsets.append(at)
            content = line.lstrip(" ")
            column = len(line) - len(content)
            dash = 0
            if content[:1] == "-" and (len(content) == 1 or content[1] == " "):
                after = content[1:].lstrip(" ")
                dash = len(content) - len(after)
                content = after
            key, rest, rest_at = _key_of(content)
            if rest and rest[-1] == " ":
                rest = rest.rstrip(" ")
            if key or dash or (rest and rest[0] != "#"):
                columns.append(column)
                dashes.append(dash)
                keys.append(key)
                start = at + column + dash
                starts.append(start)
                rests.append((rest, start + rest_at))
                raws.append(number)
            at += len(line) + 1
        offsets.append(len(text))  # where a block scalar that runs to the end stops
        self.lines = lines
        self.offsets = offsets
        self.columns = columns
        self.dashes = dashes
        self.keys = keys
        self.starts = starts
        self.rests = rests
        self.raws = raws
        self.n = len(keys)

    def block(self, i: int) -> tuple[Node, Any, int]:
        """The mapping or list whose first line is line `i`."""
        if self.dashes[i]:
            return self.sequence(i, self.columns[i])
        return self.mapping(i, self.columns[i])

    def mapping(self, i: int, column: int, in_item: bool = False) -> tuple[Node, Any, int]:
        """A mapping of keys at `column`; `in_item`: its first key follows a list dash."""
        columns, dashes, keys, starts, rests, n = (
            self.columns,
            self.dashes,
            self.keys,
            self.starts,
            self.rests,
            self.n,
        )
        pairs: list[tuple[Scalar, Node]] = []
        out: dict[str, Any] = {}
        node = Mapping(pairs, starts[i])
        while i < n and (in_item or (columns[i] == column and not dashes[i])):
            in_item = False
            key = keys[i]
            if not key or (key[0] in _RESOLVABLE and plain_tag(key) is not STR_TAG):
                raise Unplain(i)
            at = starts[i]
            rest, rest_at = rests[i]
            i += 1
            if rest:
                value_node, value, i = self.value(rest, rest_at, i, column)
            elif i < n and columns[i] > column:
                value_node, value, i = self.block(i)
            elif i < n and columns[i] == column and dashes[i]:
                value_node, value, i = self.sequence(i, column)
            else:
                colon = at + len(key) + 1
                value_node, value = Scalar(NULL_TAG, "", colon, colon, ""), None
            pairs.append((Scalar(STR_TAG, key, at, at + len(key), ""), value_node))
            out[key] = value
        if i < n and columns[i] > column:
            raise Unplain(i)  # indentation YAML would refuse
        return node, out, i

    def sequence(self, i: int, column: int) -> tuple[Node, Any, int]:
        columns, dashes, keys, rests, n = self.columns, self.dashes, self.keys, self.rests, self.n
        items: list[Node] = []
        out: list[Any] = []
        node = Sequence(items, self.starts[i] - dashes[i])
        while i < n and columns[i] == column and dashes[i]:
            if keys[i]:
                # `- key: value`: a mapping whose keys line up after the dash.
                item, value, i = self.mapping(i, column + dashes[i], in_item=True)
            else:
                rest, rest_at = rests[i]
                if not rest:
                    raise Unplain(i)  # an empty item, or one on the lines below
                item, value, i = self.value(rest, rest_at, i + 1, column)
            items.append(item)
            out.append(value)
        if i < n and columns[i] > column:
            raise Unplain(i)
        return node, out, i

    def value(self, text: str, at: int, i: int, column: int) -> tuple[Node, Any, int]:
        """A value that starts on the line before line `i`, after a key or a dash at
        `column`, and may go on over the more indented lines that follow."""
        first = text[0]
        if first == ">" or first == "|":
            return self.block_scalar(text, at, i, column)
        node, value = self.inline(text, at)
        if i < self.n and self.columns[i] > column:
            if not isinstance(node, Scalar) or node.style:
                raise Unplain(i)  # only a plain scalar goes on
            return self.continued(node, i, column)
        return node, value, i

    def inline(self, text: str, at: int) -> tuple[Scalar | Sequence, Any]:
        """A value written on one line."""
        first = text[0]
        if first == '"':
            inner = text[1:-1]
            if len(text) < 2 or text[-1] != '"' or '"' in inner or "\\" in inner:
                raise Unplain(text)
            return Scalar(STR_TAG, inner, at, at + len(text), '"'), inner
        if first == "'":
            inner = text[1:-1]
            if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
                raise Unplain(text)
            value = inner.replace("''", "'")
            return Scalar(STR_TAG, value, at, at + len(text), "'"), value
        if first == "[":
            return self.flow(text, at)
        if _not_plain(text):
            raise Unplain(text)
        if first in _RESOLVABLE:
            tag = plain_tag(text)
            return Scalar(tag, text, at, at + len(text), ""), scalar_value(tag, text)
        return Scalar(STR_TAG, text, at, at + len(text), ""), text

    def continued(self, node: Scalar, i: int, column: int) -> tuple[Node, Any, int]:
        """A plain scalar over several lines: the lines are joined with spaces."""
        parts = [node.value]
        end = node.end
        columns, dashes, keys, rests, raws = (
            self.columns,
            self.dashes,
            self.keys,
            self.rests,
            self.raws,
        )
        while i < self.n and columns[i] > column:
            rest, rest_at = rests[i]
            if raws[i] != raws[i - 1] + 1 or dashes[i] or keys[i]:
                raise Unplain(i)  # a blank or comment line inside, or a structure
            if _not_plain(rest):
                raise Unplain(i)
            parts.append(rest)
            end = rest_at + len(rest)
            i += 1
        text = " ".join(parts)
        tag = plain_tag(text)
        return Scalar(tag, text, node.start, end, ""), scalar_value(tag, text), i

    def block_scalar(self, header: str, at: int, i: int, column: int) -> tuple[Node, Any, int]:
        """`|`, `|-`, `>` or `>-` and the more indented lines under it."""
        if header not in ("|", "|-", ">", ">-"):
            raise Unplain(header)  # keep (+), an indentation digit, or a comment
        lines = self.lines
        r = self.raws[i - 1] + 1
        indent = -1
        content: list[str | None] = []  # None for a blank line
        while r < len(lines):
            line = lines[r]
            stripped = line.lstrip(" ")
            if not stripped:
                if indent >= 0 and len(line) > indent:
                    raise Unplain(r)  # spaces that would be part of the value
                content.append(None)
                r += 1
                continue
            spaces = len(line) - len(stripped)
            if indent < 0:
                if spaces <= column or content:
                    raise Unplain(r)  # empty, or opened by blank lines
                indent = spaces
            elif spaces < indent:
                if spaces > column:
                    raise Unplain(r)
                break
            elif spaces > indent and header[0] == ">":
                raise Unplain(r)  # a more indented line keeps its breaks when folded
            content.append(line[indent:])
            r += 1
        if indent < 0:
            raise Unplain(header)
        while content and content[-1] is None:
            content.pop()
        if header[0] == "|":
            value = "\n".join(piece or "" for piece in content)
        else:
            value = ""
            blanks = 0
            for piece in content:
                if piece is None:
                    blanks += 1
                    continue
                if value:
                    value += "\n" * blanks if blanks else " "
                value += piece
                blanks = 0
        if len(header) == 1:
            value += "\n"
        end = self.offsets[r]
        while i < self.n and self.raws[i] < r:
            i += 1
        return Scalar(STR_TAG, value, at, end, header[0]), value, i

    def flow(self, text: str, at: int) -> tuple[Sequence, Any]:
        """`[a, b, c]`: a flow list of plain scalars on one line."""
        if text[-1] != "]" or _FLOW_FORBIDDEN.search(text, 1, len(text) - 1):
            raise Unplain(text)
        items: list[Node] = []
        out: list[Any] = []
        if text[1:-1].strip(" "):
            start = 1
            for part in text[1:-1].split(","):
                word = part.strip(" ")
                if not word or word[0] in _INDICATORS:
                    raise Unplain(text)
                begin = at + start + len(part) - len(part.lstrip(" "))
                tag = plain_tag(word) if word[0] in _RESOLVABLE else STR_TAG
                items.append(Scalar(tag, word, begin, begin + len(word), ""))
                out.append(scalar_value(tag, word))
                start += len(part) + 1
        return Sequence(items, at), out


def _odd(text: str) -> bool:
    """Whether the text holds a character `_ODD` matches. For ASCII, which front matter
    nearly always is, the characters it allows besides line breaks are exactly the
    printable ones, which `str.isprintable` tests many times faster than the pattern."""
    if text.isascii():
        return not text.replace("\n", "").isprintable()
    return _ODD.search(text) is not None


def read_plain(text: str) -> tuple[Any, Node | None]:
    """(values, node tree) of front matter in the plain subset; raises `Unplain` for
    anything else, including everything PyYAML would reject."""
    if _odd(text) or "\n..." in text or "\n---" in text or text.startswith(("---", "...")):
        raise Unplain("document markers or unusual characters")
    reader = _Reader(text)
    if reader.n == 0:
        return None, None
    try:
        node, value, end = reader.block(0)
    except ValueError:
        # An impossible date (2021-13-45): PyYAML says whether the text is even YAML.
        raise Unplain("a value that is not what it looks like") from None
    if end != reader.n:
        raise Unplain(end)
    return value, node


def from_yaml(node: yaml.Node) -> Node:
    """The same tree from PyYAML's nodes, for text outside the plain subset; raises
    yaml.YAMLError for an alias inside the value it names (`&a [*a]`), whose tree would
    never end."""
    _refuse_cycles(node)
    return _from_yaml(node)


def _refuse_cycles(root: yaml.Node) -> None:
    # Depth-first without recursion: compiled code has no recursion limit to stop it.
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            on_path.discard(id(node))
            continue
        if isinstance(node, yaml.ScalarNode):
            continue
        if id(node) in on_path:
            raise yaml.YAMLError(
                "an alias refers to the value that holds it, so the value never ends"
            )
        on_path.add(id(node))
        stack.append((node, True))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += [(key, False), (value, False)]
        else:
            stack += [(item, False) for item in node.value]


def _from_yaml(node: yaml.Node) -> Node:
    if isinstance(node, yaml.ScalarNode):
        return Scalar(
            node.tag, node.value, node.start_mark.index, node.end_mark.index, node.style or ""
        )
    if isinstance(node, yaml.MappingNode):
        pairs = [(_key(k), _from_yaml(v)) for k, v in node.value]
        return Mapping(pairs, node.start_mark.index)
    return Sequence([_from_yaml(item) for item in node.value], node.start_mark.index)


def _key(node: yaml.Node) -> Scalar:
    key = _from_yaml(node)
    if not isinstance(key, Scalar):
        # PyYAML's constructor has refused such a key already; this keeps it so.
        raise ValueError("a key in the front matter must be a single value")
    return key
