"""Small edits on round-trip front matter, shared by every command that changes a file."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .errors import NotFoundError, UsageError


def _block(seq: Any) -> Any:
    # `[]` written by a template would otherwise stay a one-line flow list once filled.
    fa = getattr(seq, "fa", None)
    if fa is not None and len(seq) == 0:
        fa.set_block_style()
    return seq


def ensure_list(front: Any, key: str) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    value = front.get(key)
    if value is None:
        value = CommentedSeq()
        front[key] = value
    if not isinstance(value, list):
        raise UsageError(f"{key} is not a list in this file")
    return _block(value)


def append_item(front: Any, key: str, item: dict[str, Any]) -> None:
    """Append a mapping to a list field, creating the list when absent."""
    from ruamel.yaml.comments import CommentedMap

    ensure_list(front, key).append(CommentedMap(item))


def set_path(front: Any, loc: Sequence[str | int], value: Any) -> None:
    """Set a nested value; new keys go at the end of their mapping."""
    node = front
    for part in loc[:-1]:
        node = node[part]
    last = loc[-1]
    if isinstance(value, list):
        from ruamel.yaml.comments import CommentedSeq

        old = node.get(last) if isinstance(node, dict) else None
        if isinstance(old, CommentedSeq) and value and not isinstance(value, CommentedSeq):
            # Filled in place, the list keeps the style it was written in (`[a, b]`
            # stays on one line) and the spacing of its comment.
            while old:
                old.pop()
            old.extend(value)
            return
        if not value:
            value = CommentedSeq()
            value.fa.set_flow_style()
    node[last] = value


def find_action(front: Any, action_id: str, doc_id: str) -> tuple[int, Any]:
    items = front.get("action_items")
    items = items if isinstance(items, list) else []  # a wrong type has no items to find
    for index, item in enumerate(items):
        if isinstance(item, dict) and str(item.get("id")) == action_id:
            return index, item
    known = ", ".join(str(i.get("id")) for i in items if isinstance(i, dict))
    raise NotFoundError(
        f"{doc_id} has no action item {action_id!r}" + (f" (it has: {known})" if known else "")
    )
