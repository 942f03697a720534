"""Small round-trip edits shared by the commands: lists keep the style they were written in."""

from __future__ import annotations

from typing import Any

from mortem.document import Document
from mortem.edits import set_path

TEXT = """---
title: Cache stampede
services: [catalog-api, search]   # the two that paged
tags:
  - caching
  - thundering-herd
---
# Summary
"""


def edit(loc: tuple[str, ...], value: Any) -> list[tuple[str, str]]:
    doc = Document.parse(TEXT, "x.md", "x")
    out = doc.edited(lambda front: set_path(front, loc, value))
    assert Document.parse(out, "x.md", "x").data[loc[0]] == value
    before, after = TEXT.splitlines(), out.splitlines()
    return [(a, b) for a, b in zip(before, after, strict=False) if a != b] + [
        ("", b) for b in after[len(before) :]
    ]


def test_a_flow_list_stays_on_its_line_with_its_comment() -> None:
    changed = edit(("services",), ["catalog-api", "gateway"])
    assert len(changed) == 1
    after = changed[0][1]
    # ruamel keeps the comment in its column, so the spaces before it may shrink.
    assert after.startswith("services: [catalog-api, gateway]  ")
    assert after.index("# the two that paged") == changed[0][0].index("# the two that paged")


def test_a_block_list_stays_a_block_list() -> None:
    changed = edit(("tags",), ["caching", "retries"])
    assert changed == [("  - thundering-herd", "  - retries")]


def test_an_emptied_list_and_a_new_one_are_written_flow_and_block() -> None:
    assert edit(("services",), [])[0][1].startswith("services: []")
    doc = Document.parse(TEXT, "x.md", "x")
    out = doc.edited(lambda front: set_path(front, ("responders",), ["sam", "lee"]))
    assert out == TEXT.replace("---\n# Summary", "responders:\n  - sam\n  - lee\n---\n# Summary")
