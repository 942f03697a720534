"""The front matter as YAML nodes, so that every finding gets its line and column.

`Document.parse` loads the front matter into plain values; the linter also needs to
know where each value is written. Composing the node tree and constructing the values
from it costs the same as loading alone (PyYAML's C parser builds the nodes either
way), so the linter does both in one pass and keeps the nodes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from ..document import YAML12Loader
from .findings import Loc

STR_TAG = "tag:yaml.org,2002:str"


_STR, _MAP, _SEQ = STR_TAG, "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SCALAR_CONSTRUCTORS = {
    f"tag:yaml.org,2002:{name}": yaml.constructor.SafeConstructor.yaml_constructors[
        f"tag:yaml.org,2002:{name}"
    ]
    for name in ("null", "bool", "int", "float", "timestamp")
}


class _Fallback(Exception):
    """A construct the fast path does not handle (merge keys, sets, binary...)."""


def _build(node: yaml.Node, scalar: Any) -> Any:
    """Plain values from a node tree: the common tags by hand, the rest by PyYAML.

    PyYAML's generic constructor (generators, recursion bookkeeping) costs about as
    much as composing the nodes; front matter only uses maps, lists and plain
    scalars, which this builds directly (strings inline, as they are most values).
    """
    tag = node.tag
    if tag == _MAP:
        out = {}
        for key, value in node.value:
            k = key.value if key.tag == _STR else _build_key(key, scalar)
            v = value.value if value.tag == _STR else _build(value, scalar)
            try:
                out[k] = v
            except TypeError:  # an unhashable key
                raise _Fallback from None
        return out
    if tag == _SEQ:
        return [item.value if item.tag == _STR else _build(item, scalar) for item in node.value]
    if tag == _STR:
        return node.value
    if tag == _TIMESTAMP:
        return _timestamp(node, scalar)
    if isinstance(node, yaml.ScalarNode):
        construct = _SCALAR_CONSTRUCTORS.get(tag)
        if construct is not None:
            return construct(scalar, node)
    raise _Fallback


def _timestamp(node: yaml.Node, scalar: Any) -> Any:
    """ISO dates and times by the standard library (a third of the cost of PyYAML's
    regular expression), anything less common by PyYAML, which has the last word."""
    value: str = node.value
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        if len(value) >= 19 and value[10] == "T" and value[4] == "-" and value[7] == "-":
            return dt.datetime.fromisoformat(value[:-1] + "+00:00" if value[-1] == "Z" else value)
    except ValueError:
        pass
    return _SCALAR_CONSTRUCTORS[_TIMESTAMP](scalar, node)


def _build_key(node: yaml.Node, scalar: Any) -> Any:
    if node.tag == "tag:yaml.org,2002:merge":
        raise _Fallback
    return _build(node, scalar)


_TAGS: dict[str, str] = {}  # plain scalar -> resolved tag, shared by every file of a run
# First characters that some implicit resolver (int, float, null, bool, timestamp...)
# looks at; a plain scalar starting with any other character is a string.
_RESOLVABLE = frozenset(k for k, v in YAML12Loader.yaml_implicit_resolvers.items() if v)


class _Loader(YAML12Loader):
    """YAML12Loader with a memo of resolved tags.

    Resolving a plain scalar's tag runs a list of regular expressions; front matter
    repeats the same keys and values (`at`, `kind`, `open`) thousands of times, and a
    plain scalar's tag depends on nothing but its text (no path resolvers are set).
    """

    def resolve(
        self,
        kind: Any,
        value: Any,
        implicit: Any,
        _get: Any = _TAGS.get,
        _scalar: Any = yaml.ScalarNode,
        _resolvable: frozenset[str] = _RESOLVABLE,
    ) -> Any:
        if kind is _scalar:
            if not implicit[0] or value[:1] not in _resolvable:
                return _STR  # quoted, or plain text no resolver claims
            tag = _get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_TAGS) < 100_000 and len(value) < 64:
                    _TAGS[value] = tag
            return tag
        return _MAP if kind is yaml.MappingNode else _SEQ

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


def load_with_nodes(front: str) -> tuple[Any, yaml.Node | None]:
    """(values, node tree) of a YAML text; raises yaml.YAMLError like yaml.load."""
    loader = _Loader(front)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        try:
            data = _build(node, loader)
        except (_Fallback, RecursionError):
            data = loader.construct_document(node)
    finally:
        loader.dispose()
    return data, node


@dataclass(frozen=True)
class Span:
    start: int  # file offsets
    end: int


class FrontMap:
    """Find the node of a field by its path, in file offsets."""

    def __init__(self, root: yaml.Node | None, base: int) -> None:
        self.root = root
        self.base = base  # file offset of the first front-matter character

    def find(self, loc: Loc) -> tuple[yaml.Node | None, yaml.Node | None]:
        """(key node, value node) of the deepest existing field along `loc`."""
        node = self.root
        key: yaml.Node | None = None
        for part in loc:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for k, v in node.value:
                    if k.value == part:
                        key, node = k, v
                        break
                else:
                    return key, node
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    key, node = None, node.value[part]
                else:
                    return key, node
            else:
                return key, node
        return key, node

    def span(self, loc: Loc, part: str = "key") -> Span:
        """The span of a field's key (`part="key"`) or value; falls back to the nearest."""
        key, value = self.find(loc)
        node = key if part == "key" and key is not None else value
        if node is None:
            node = key
        if node is None:
            return Span(self.base, self.base)
        start = node.start_mark.index
        end = node.end_mark.index
        if not isinstance(node, yaml.ScalarNode):
            # A whole mapping or list: point at its first line only.
            end = start
        return Span(self.base + start, self.base + end)

    def strings(self, loc: Loc) -> Iterator[tuple[Loc, yaml.ScalarNode]]:
        """Every string scalar at `loc`: the value itself, or the items of a list."""
        _, node = self.find(loc)
        if node is None:
            return
        if isinstance(node, yaml.ScalarNode):
            if node.tag == STR_TAG:
                yield loc, node
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                if isinstance(item, yaml.ScalarNode) and item.tag == STR_TAG:
                    yield (*loc, i), item

    def items(self, key: str) -> Iterator[tuple[int, yaml.MappingNode]]:
        _, node = self.find((key,))
        if isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                if isinstance(item, yaml.MappingNode):
                    yield i, item


def child(mapping: yaml.MappingNode, name: str) -> yaml.Node | None:
    for k, v in mapping.value:
        if k.value == name:
            return v  # type: ignore[no-any-return]
    return None


def value_positions(node: yaml.ScalarNode, front: str, base: int) -> list[int]:
    """For each character of the scalar's value, its offset in the file.

    A plain scalar on one line maps one to one. Quoted, folded and multi-line scalars
    do not (escapes, indentation, folded line breaks), so each visible character of
    the value is matched with the next equal character of its source; characters the
    value adds (a folded space, an unescaped quote) take the position of the last match.
    """
    value: str = node.value
    start = node.start_mark.index
    end = node.end_mark.index
    source = front[start:end]
    if node.style in (None, "") and source == value:
        return [base + start + i for i in range(len(value))]
    if node.style in ("'", '"') and source[1:-1] == value:
        return [base + start + 1 + i for i in range(len(value))]
    positions: list[int] = []
    j = 0
    last = start
    for ch in value:
        if ch.isspace():
            positions.append(base + last)
            continue
        found = source.find(ch, j)
        if found < 0:
            positions.append(base + last)
            continue
        last = start + found
        positions.append(base + last)
        j = found + 1
    return positions
