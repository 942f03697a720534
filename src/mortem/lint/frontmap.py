"""The front matter as positioned nodes, so that every finding gets its line and column.

`Document.parse` loads the front matter into plain values; the linter also needs to
know where each value is written. `frontparse` reads the usual plain front matter
into nodes and values in one pass; anything else goes through PyYAML (composing the
node tree and constructing the values from it), whose nodes are then copied into the
same small node classes, so that the rules see one kind of tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..document import YAML12Loader
from .findings import Loc
from .frontparse import (
    STR_TAG,
    Mapping,
    Node,
    Scalar,
    Sequence,
    Unplain,
    from_yaml,
    read_plain,
)

__all__ = ["STR_TAG", "FrontMap", "Mapping", "Node", "Scalar", "Sequence", "load_with_nodes"]


def load_with_nodes(front: str) -> tuple[Any, Node | None]:
    """(values, node tree) of a YAML text; raises yaml.YAMLError like yaml.load, and
    ValueError for a value that is well-formed but impossible (2026-02-30)."""
    try:
        return read_plain(front)
    except Unplain:
        pass
    loader = YAML12Loader(front)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    try:
        return data, from_yaml(node)
    except RecursionError:
        raise ValueError("the front matter is nested too deeply") from None


@dataclass(frozen=True)
class Span:
    start: int  # file offsets
    end: int


class FrontMap:
    """Find the node of a field by its path, in file offsets."""

    def __init__(self, root: Node | None, base: int) -> None:
        self.root = root
        self.base = base  # file offset of the first front-matter character

    def find(self, loc: Loc) -> tuple[Node | None, Node | None]:
        """(key node, value node) of the deepest existing field along `loc`."""
        node = self.root
        key: Node | None = None
        for part in loc:
            if isinstance(node, Mapping) and isinstance(part, str):
                for k, v in node.value:
                    if k.value == part:
                        key, node = k, v
                        break
                else:
                    return key, node
            elif isinstance(node, Sequence) and isinstance(part, int):
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
        start = node.start
        # A whole mapping or list: point at its first line only.
        end = node.end if isinstance(node, Scalar) else start
        return Span(self.base + start, self.base + end)

    def strings(self, loc: Loc) -> Iterator[tuple[Loc, Scalar]]:
        """Every string scalar at `loc`: the value itself, or the items of a list."""
        _, node = self.find(loc)
        if node is None:
            return
        if isinstance(node, Scalar):
            if node.tag == STR_TAG:
                yield loc, node
        elif isinstance(node, Sequence):
            for i, item in enumerate(node.value):
                if isinstance(item, Scalar) and item.tag == STR_TAG:
                    yield (*loc, i), item

    def items(self, key: str) -> Iterator[tuple[int, Mapping]]:
        _, node = self.find((key,))
        if isinstance(node, Sequence):
            for i, item in enumerate(node.value):
                if isinstance(item, Mapping):
                    yield i, item


def child(mapping: Mapping, name: str) -> Node | None:
    for k, v in mapping.value:
        if k.value == name:
            return v
    return None


def value_positions(node: Scalar, front: str, base: int) -> list[int]:
    """For each character of the scalar's value, its offset in the file.

    A plain scalar on one line maps one to one. Quoted, folded and multi-line scalars
    do not (escapes, indentation, folded line breaks), so each visible character of
    the value is matched with the next equal character of its source; characters the
    value adds (a folded space, an unescaped quote) take the position of the last match.
    """
    value: str = node.value
    start = node.start
    end = node.end
    source = front[start:end]
    if node.style == "" and source == value:
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
