"""Round-trip editing, proven over generated postmortems written in many styles.

A person's file may quote strings in any style, indent lists either way, carry
comments and keys mortem does not know. Whatever the style, an unchanged save gives
the same bytes and an edit changes only the edited value's lines.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mortem.document import Document, YAML12Loader
from mortem.edits import append_item
from mortem.errors import ParseError

SAFE_TEXT = (
    st.text(
        alphabet=st.characters(
            whitelist_categories=("Lu", "Ll", "Nd", "Zs", "Po", "Pd", "Sm"),
            blacklist_characters="\\\x85\u2028\u2029",
        ),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)


@dataclass(frozen=True)
class Style:
    quote: str  # "plain", "single", "double"
    list_offset: int  # 0 -> "- " under the key, 2 -> indented
    comments: bool
    flow_lists: bool


def scalar(value: str, style: Style) -> str:
    try:
        plain_ok = ":" not in value and yaml.load(f"k: {value}", Loader=YAML12Loader) == {
            "k": value
        }
    except yaml.YAMLError:
        plain_ok = False
    if style.quote == "plain" and plain_ok and not value.startswith(("'", '"', "-", "#")):
        return value
    if style.quote == "single" or (style.quote == "plain" and "'" not in value):
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False)


def emit(fm: dict[str, Any], style: Style) -> str:
    """Write front matter the way a person might, in the given style."""
    pad = " " * style.list_offset
    out: list[str] = []
    for key, value in fm.items():
        comment = "  # noted" if style.comments and key in ("severity", "title") else ""
        if isinstance(value, list) and value and isinstance(value[0], dict):
            out.append(f"{key}:")
            for item in value:
                first = True
                for k, v in item.items():
                    lead = f"{pad}- " if first else f"{pad}  "
                    text = scalar(v, style) if isinstance(v, str) else yaml_value(v)
                    out.append(f"{lead}{k}: {text}")
                    first = False
        elif isinstance(value, list):
            if style.flow_lists or not value:
                out.append(
                    f"{key}: [{', '.join(scalar(v, Style('double', 0, False, True)) for v in value)}]"
                )
            else:
                out.append(f"{key}:")
                out += [f"{pad}- {scalar(v, style)}" for v in value]
        elif isinstance(value, str):
            out.append(f"{key}: {scalar(value, style)}{comment}")
        else:
            out.append(f"{key}: {yaml_value(value)}{comment}")
    return "---\n" + "\n".join(out) + "\n---\n# Body\n\nText stays.\n"


def yaml_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


times = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1)).map(
    lambda d: d.replace(microsecond=0, tzinfo=dt.UTC)
)


@st.composite
def postmortems(draw: st.DrawFn) -> tuple[dict[str, Any], Style]:
    start = draw(times)
    n_actions = draw(st.integers(1, 4))
    fm: dict[str, Any] = {
        "title": draw(SAFE_TEXT),
        "status": draw(st.sampled_from(["draft", "in-review", "published"])),
        "severity": draw(st.sampled_from(["SEV1", "SEV2", "SEV3"])),
        "services": draw(st.lists(SAFE_TEXT, max_size=3)),
        "started_at": start,
        "timeline": [
            {"at": start + dt.timedelta(minutes=i * 7), "event": draw(SAFE_TEXT)}
            for i in range(draw(st.integers(0, 4)))
        ],
        "action_items": [
            {
                "id": f"A{i + 1}",
                "title": draw(SAFE_TEXT),
                "owner": draw(SAFE_TEXT),
                "due": (start + dt.timedelta(days=14)).date(),
                "status": "open",
                "closed_on": None,
            }
            for i in range(n_actions)
        ],
        "x-custom": draw(SAFE_TEXT),
    }
    style = Style(
        quote=draw(st.sampled_from(["plain", "single", "double"])),
        list_offset=draw(st.sampled_from([0, 2])),
        comments=draw(st.booleans()),
        flow_lists=draw(st.booleans()),
    )
    return fm, style


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, before.splitlines(), after.splitlines()
    ).get_opcodes():
        if tag != "equal":
            out.append(
                ("\n".join(before.splitlines()[i1:i2]), "\n".join(after.splitlines()[j1:j2]))
            )
    return out


def front(text: str) -> Any:
    return yaml.load(text.split("---\n")[1], Loader=YAML12Loader)


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(postmortems())
def test_unchanged_save_is_byte_identical(case: tuple[dict[str, Any], Style]) -> None:
    text = emit(*case)
    doc = Document.parse(text, "p.md", "p")
    assert doc.model().title == case[0]["title"]
    assert doc.edited(lambda f: None) == text


@PROPERTY
@given(postmortems(), st.data())
def test_closing_an_action_changes_only_its_lines(
    case: tuple[dict[str, Any], Style], data: st.DataObject
) -> None:
    text = emit(*case)
    doc = Document.parse(text, "p.md", "p")
    index = data.draw(st.integers(0, len(case[0]["action_items"]) - 1))

    def close(fm: Any) -> None:
        fm["action_items"][index]["status"] = "done"
        fm["action_items"][index]["closed_on"] = dt.date(2030, 2, 3)

    new = doc.edited(close)
    old_lines, new_lines = text.splitlines(), new.splitlines()
    assert len(old_lines) == len(new_lines)
    differing = {(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b}
    assert differing == {
        (line_of(text, index, "status"), line_of(new, index, "status")),
        (line_of(text, index, "closed_on"), line_of(new, index, "closed_on")),
    }
    after = front(new)
    expected = front(text)
    expected["action_items"][index]["status"] = "done"
    expected["action_items"][index]["closed_on"] = dt.date(2030, 2, 3)
    assert after == expected


def line_of(text: str, index: int, key: str) -> str:
    """The text line of `key` within the index-th action item."""
    lines = text.split("---\n")[1].splitlines()
    start = lines.index("action_items:")
    seen = -1
    for line in lines[start + 1 :]:
        if line.lstrip().startswith("- "):
            seen += 1
        if seen == index and line.lstrip("- ").startswith(f"{key}:"):
            return line
    raise AssertionError(f"no {key} in item {index}")


@PROPERTY
@given(postmortems(), st.sampled_from(["SEV1", "SEV4"]))
def test_changing_severity_changes_one_line_and_keeps_its_comment(
    case: tuple[dict[str, Any], Style], severity: str
) -> None:
    fm, style = case
    text = emit(fm, style)
    doc = Document.parse(text, "p.md", "p")
    new = doc.edited(lambda f: f.__setitem__("severity", severity))
    if severity == fm["severity"]:
        assert new == text
        return
    diff = changed_lines(text, new)
    assert len(diff) == 1
    old_line, new_line = diff[0]
    assert old_line.startswith("severity:")
    # The person's quoting style stays with the key.
    assert new_line.split("#")[0].strip() in (
        f"severity: {severity}",
        f"severity: '{severity}'",
        f'severity: "{severity}"',
    )
    assert ("# noted" in new_line) == style.comments
    assert front(new)["x-custom"] == fm["x-custom"]


@PROPERTY
@given(postmortems(), SAFE_TEXT)
def test_appending_a_timeline_event_only_adds_lines(
    case: tuple[dict[str, Any], Style], event: str
) -> None:
    text = emit(*case)
    doc = Document.parse(text, "p.md", "p")
    at = dt.datetime(2031, 1, 1, 12, 0, tzinfo=dt.UTC)
    new = doc.edited(lambda f: append_item(f, "timeline", {"at": at, "event": event}))
    for old, _ in changed_lines(text, new):
        # Only insertions, or the one-line `timeline: []` that becomes a block list.
        assert old in ("", "timeline: []")
    parsed = Document.parse(new, "p.md", "p").model()
    assert parsed.timeline[-1].event == event and parsed.timeline[-1].at == at
    assert len(parsed.timeline) == len(case[0]["timeline"]) + 1


# -- real postmortems ---------------------------------------------------------------
# The DFDS and PostHog postmortems (MIT, licences beside them in tests/importers/data)
# converted by the Markdown importer into mortem files, then edited.

REAL = sorted(
    p
    for folder in ("dfds", "posthog")
    for p in (Path(__file__).parent / "importers" / "data" / folder).glob("*.md")
    if "template" not in p.name.lower()
)


def converted(path: Path) -> str:
    from mortem.importers.markdown import import_markdown
    from mortem.templates import render_front_matter

    result = import_markdown(path.read_text(encoding="utf-8"), path.name)
    fields = {k: v for k, v in result.fields.items() if k not in ("summary", "lessons")}
    fields.setdefault("action_items", [])
    return render_front_matter(fields) + result.body


def test_real_postmortems_are_all_converted() -> None:
    assert len(REAL) >= 25


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.stem[:40])
def test_real_postmortem_round_trip_and_edits(path: Path) -> None:
    text = converted(path)
    doc = Document.parse(text, path.name, path.stem)
    assert doc.model().title
    assert doc.edited(lambda f: None) == text
    # Edit the severity and, where there is one, the first action item.
    new = doc.edited(lambda f: f.__setitem__("severity", "SEV1"))
    after = Document.parse(new, path.name, path.stem).model()
    assert after.severity == "SEV1"
    # One hunk: the severity line replaced, or added where the file had none.
    hunks = changed_lines(text, new)
    assert len(hunks) == 1
    old_part, new_part = hunks[0]
    assert new_part == "severity: SEV1"
    assert old_part == "" or old_part.startswith("severity:")
    assert new.endswith(doc.body)
    if doc.model().action_items:
        target = "open" if doc.model().action_items[0].status == "done" else "done"

        def close(front: Any) -> None:
            front["action_items"][0]["status"] = target

        closed = doc.edited(close)
        changed = [
            (a, b) for a, b in zip(text.splitlines(), closed.splitlines(), strict=True) if a != b
        ]
        assert len(changed) == 1 and changed[0][1].strip() == f"status: {target}"
        reread = Document.parse(closed, path.name, path.stem).model()
        assert reread.action_items[0].status == target
        assert reread.action_items[1:] == doc.model().action_items[1:]


@functools.cache
def converted_once(path: Path) -> str:
    return converted(path)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(REAL), st.data())
def test_random_edits_of_real_postmortems_change_only_their_field(
    path: Path, data: st.DataObject
) -> None:
    text = converted_once(path)
    doc = Document.parse(text, path.name, path.stem)
    before = front(text)
    kind = data.draw(st.sampled_from(["title", "impact", "timeline", "action", "tags"]))
    if kind in ("timeline", "action") and not before.get(
        "timeline" if kind == "timeline" else "action_items"
    ):
        kind = "title"
    expected = front(text)
    if kind in ("title", "impact"):
        value = data.draw(SAFE_TEXT)
        expected[kind] = value

        def edit(f: Any) -> None:
            f[kind] = value

        field = kind
    elif kind == "timeline":
        index = data.draw(st.integers(0, len(before["timeline"]) - 1))
        value = data.draw(SAFE_TEXT)
        expected["timeline"][index]["event"] = value

        def edit(f: Any) -> None:
            f["timeline"][index]["event"] = value

        field = "event"
    elif kind == "action":
        index = data.draw(st.integers(0, len(before["action_items"]) - 1))
        value = data.draw(st.sampled_from(["open", "in-progress", "done", "wont-do"]))
        expected["action_items"][index]["status"] = value

        def edit(f: Any) -> None:
            f["action_items"][index]["status"] = value

        field = "status"
    else:
        value = data.draw(st.lists(SAFE_TEXT.map(lambda t: t.replace(" ", "-")), max_size=3))
        expected["tags"] = value

        def edit(f: Any) -> None:
            f["tags"] = value

        field = "tags"
    new = doc.edited(edit)
    assert front(new) == expected  # the edit, and nothing else, in the values
    assert new.endswith(doc.body)
    loc: tuple[str | int, ...] = {
        "title": ("title",),
        "impact": ("impact",),
        "tags": ("tags",),
    }.get(kind, ())
    if kind == "timeline":
        loc = ("timeline", index, "event")
    elif kind == "action":
        loc = ("action_items", index, "status")
    old_span, new_span = span_of(text, loc), span_of(new, loc)
    old_lines, new_lines = text.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        # Every changed line lies in the lines of the edited value, before and after.
        assert old_span[0] <= i1 and i2 <= old_span[1] + 1, (tag, i1, i2, old_span, field)
        assert new_span[0] <= j1 and j2 <= new_span[1] + 1, (tag, j1, j2, new_span, field)


def span_of(text: str, loc: tuple[str | int, ...]) -> tuple[int, int]:
    """0-based file lines from the key of the value at `loc` to the value's last line
    (the line after the value, when it ends at the start of a line, is not counted)."""
    front_text = text.split("---\n")[1]
    node: Any = yaml.compose(front_text, Loader=YAML12Loader)
    key_line = 0
    for part in loc:
        if isinstance(part, int):
            node = node.value[part]
        else:
            pair = [(k, v) for k, v in node.value if k.value == part]
            if not pair:  # a new key: added at the end of the front matter
                n = front_text.count("\n")
                return n, n + 2
            key_line = pair[0][0].start_mark.line
            node = pair[0][1]
    end = node.end_mark
    last = end.line if end.column > 0 else end.line - 1
    return key_line + 1, max(last, key_line) + 1  # +1: the opening '---' line


FLOW_AFTER_COMMENT = """---
title: Cache stampede
action_items:
  # the first two came from the review meeting
  - {id: A1, title: "Add a canary", owner: tess, status: open}  # note
  - id: A2
    title: Roll back faster   # inline
    status: open
reviews: []
---
# Summary
"""


def test_an_edit_next_to_lines_ruamel_rewrites_wrongly_keeps_them_as_written() -> None:
    # ruamel writes A2's first two lines as one ("- id: A2 title: ..."), which is not
    # even YAML; the edit of A1 must still go through and leave A2 as the person wrote it.
    doc = Document.parse(FLOW_AFTER_COMMENT, "x.md", "x")

    def close(data: Any) -> None:
        data["action_items"][0]["status"] = "done"
        data["action_items"][0]["closed_on"] = dt.date(2026, 11, 27)

    out = doc.edited(close)
    changed = [
        (a, b)
        for a, b in zip(FLOW_AFTER_COMMENT.splitlines(), out.splitlines(), strict=True)
        if a != b
    ]
    assert len(changed) == 1 and "closed_on: 2026-11-27" in changed[0][1]
    assert "# note" in changed[0][1]
    items = Document.parse(out, "x.md", "x").data["action_items"]
    assert items[0]["status"] == "done" and items[1] == {
        "id": "A2",
        "title": "Roll back faster",
        "status": "open",
    }


def test_an_edit_of_lines_ruamel_cannot_write_is_refused_with_a_reason() -> None:
    doc = Document.parse(FLOW_AFTER_COMMENT, "x.md", "x")

    def retitle(data: Any) -> None:
        data["action_items"][1]["title"] = "Roll back in one step"

    with pytest.raises(ParseError, match="make this change by hand"):
        doc.edited(retitle)

    def close(data: Any) -> None:  # A2's status line is its own: that edit goes through
        data["action_items"][1]["status"] = "done"

    assert "    status: done\n" in doc.edited(close)


MIXED_LAYOUT = """---
title: Mixed
tags:
- a
- b
action_items:
  - id: A1
    title: Add a canary
    status: open
impact: about 7% of checkouts
  for 34 minutes
---
# S
"""


def test_an_edit_that_would_rewrite_the_layout_is_refused_not_applied() -> None:
    # Two list indentations and a two-line plain value: ruamel would write every line
    # in its own layout. The edit is refused with a reason; nothing is rewritten.
    doc = Document.parse(MIXED_LAYOUT, "x.md", "x")

    def close(data: Any) -> None:
        data["action_items"][0]["status"] = "done"

    with pytest.raises(ParseError, match="make this change by hand"):
        doc.edited(close)
