"""Parsing, locating and validating one postmortem file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mortem.document import Document, split_front_matter
from mortem.errors import InvalidDocumentError, ParseError

GOOD = """---
title: Checkout requests timed out   # a comment survives
status: published
severity: SEV2
services: [payments-api]
authors: [priya]
facilitator: sam
responders: [alex, jordan]
impact: "4,100 checkouts failed over 25 minutes."
started_at: 2026-03-14T02:47:00Z
detected_at: 2026-03-14T02:51:00Z
mitigated_at: 2026-03-14T03:05:00Z
resolved_at: 2026-03-14T03:12:00Z
timeline:
  - at: 2026-03-14T02:47:00Z
    event: Gateway traffic arrives from 40 addresses instead of 3.
  - at: 2026-03-14T02:51:00Z
    event: Latency alert pages the on-call engineer.
    kind: detection
whys:
  - why: Why did checkout time out?
    because: The connection pool was exhausted.
contributing_factors:
  - category: testing
    description: No tests for rate limiting across many source addresses.
action_items:
  - id: A1
    title: Count requests per client id in the rate limiter.
    owner: payments-team
    due: 2026-03-28
    status: open
    type: prevent
    closed_on: null
    link: null
reviews:
  - on: 2026-03-20
    kind: approval
    reviewers: [sam, lee]
x-team-notes: kept as is
---
# Summary

Body text.
"""


def line(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the nth line containing `needle` (so tests need no counting)."""
    hits = [i for i, row in enumerate(text.splitlines(), start=1) if needle in row]
    return hits[nth - 1]


def parse(text: str) -> Document:
    return Document.parse(text, "postmortems/x.md", "x")


def only_problem(text: str, **validate: tuple[str, ...]) -> str:
    problems = parse(text).problems(**validate)
    assert len(problems) == 1, problems
    return str(problems[0])


def test_good_file_has_no_problems_and_keeps_unknown_keys() -> None:
    doc = parse(GOOD)
    assert doc.problems(severities=("SEV1", "SEV2")) == []
    pm = doc.model()
    assert pm.title == "Checkout requests timed out"
    assert pm.model_extra == {"x-team-notes": "kept as is"}
    assert pm.action_items[0].due == dt.date(2026, 3, 28)
    assert pm.started_at == dt.datetime(2026, 3, 14, 2, 47, tzinfo=dt.UTC)
    assert doc.body.startswith("# Summary")
    assert doc.split.body_line == line(GOOD, "# Summary")


def test_split_front_matter_without_fence_is_none() -> None:
    assert split_front_matter("# Title\n\ntext") is None
    assert split_front_matter("---\ntitle: x\n") is None  # never closed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "postmortems/x.md:1: the file is empty"),
        ("   \n\n", "postmortems/x.md:1: the file is empty"),
        ("# Just markdown\n", "postmortems/x.md:1: no front matter"),
        (
            "---\ntitle: [unclosed\nstatus: draft\n---\n",
            "postmortems/x.md:3: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 2)",
        ),
        ("---\n- a\n- b\n---\n", "postmortems/x.md:2: front matter must be a mapping"),
    ],
)
def test_unparseable_files_say_where(text: str, expected: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert str(info.value).startswith(expected)


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_bytes(b"---\ntitle: ok\n---\ncaf\xe9\n")
    with pytest.raises(ParseError) as info:
        Document.read(path, "postmortems/bad.md", "bad")
    assert str(info.value) == "postmortems/bad.md:4: not UTF-8 (byte 21 is 0xe9)"


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_text("---\ntitle: big\n---\n" + "x" * 5000, encoding="utf-8")
    with pytest.raises(ParseError, match="over the limit of 1000"):
        Document.read(path, "postmortems/big.md", "big", max_bytes=1000)


def test_wrong_type_points_at_field_line() -> None:
    text = GOOD.replace("services: [payments-api]", "services: 12")
    assert only_problem(text).startswith(f"postmortems/x.md:{line(text, 'services:')}: services: ")


def test_unknown_status() -> None:
    text = GOOD.replace("status: published", "status: finished")
    assert only_problem(text) == (
        f"postmortems/x.md:{line(text, 'status:')}: status: unknown value 'finished' "
        "(expected 'draft', 'in-review' or 'published')"
    )


def test_unknown_severity_against_settings() -> None:
    text = GOOD.replace("severity: SEV2", "severity: P0")
    message = only_problem(text, severities=("SEV1", "SEV2"))
    assert (
        message
        == f"postmortems/x.md:{line(text, 'severity:')}: severity: unknown severity 'P0' (one of: SEV1, SEV2)"
    )


def test_timestamp_without_timezone_names_the_nested_line() -> None:
    text = GOOD.replace("  - at: 2026-03-14T02:51:00Z", "  - at: 2026-03-14T02:51:00")
    assert only_problem(text).startswith(
        f"postmortems/x.md:{line(text, '- at:', 2)}: timeline[1].at: timestamp has no timezone"
    )


def test_resolved_before_started() -> None:
    text = GOOD.replace("resolved_at: 2026-03-14T03:12:00Z", "resolved_at: 2026-03-14T01:12:00Z")
    messages = [str(p) for p in parse(text).problems()]
    assert (
        f"postmortems/x.md:{line(text, 'resolved_at:')}: resolved_at: resolved_at 2026-03-14T01:12:00+00:00 is before started_at"
        in messages
    )


def test_detected_before_started() -> None:
    text = GOOD.replace("detected_at: 2026-03-14T02:51:00Z", "detected_at: 2026-03-14T02:40:00Z")
    assert f"postmortems/x.md:{line(text, 'detected_at:')}: detected_at:" in only_problem(text)


def test_duplicate_action_item_id() -> None:
    extra = "  - id: A1\n    title: Add an alert on pool saturation above 80%.\n"
    text = GOOD.replace("reviews:\n", extra + "reviews:\n")
    assert only_problem(text) == (
        f"postmortems/x.md:{line(text, '- id: A1', 2)}: action_items[1].id: duplicate action-item id 'A1' (first at item 1)"
    )


def test_unknown_category_against_settings() -> None:
    message = only_problem(GOOD, categories=("monitoring",))
    assert message.startswith(
        f"postmortems/x.md:{line(GOOD, '- category:')}: contributing_factors[0].category: unknown category"
    )


def test_model_raises_with_all_problems() -> None:
    text = GOOD.replace("status: published", "status: nope").replace("title: Checkout", "title:")
    doc = parse(text.replace("title: requests timed out   # a comment survives", "title: ''"))
    with pytest.raises(InvalidDocumentError) as info:
        doc.model()
    assert "status" in str(info.value)


def test_edit_changes_only_the_edited_lines() -> None:
    doc = parse(GOOD)

    def close(front: object) -> None:
        item = front["action_items"][0]  # type: ignore[index]
        item["status"] = "done"
        item["closed_on"] = dt.date(2026, 3, 27)

    new = doc.edited(close)
    old_lines, new_lines = GOOD.splitlines(), new.splitlines()
    assert len(old_lines) == len(new_lines)
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
    assert changed == [
        ("    status: open", "    status: done"),
        ("    closed_on: null", "    closed_on: 2026-03-27"),
    ]


def test_appending_to_empty_flow_list_writes_block_items() -> None:
    from mortem.edits import append_item

    text = "---\ntitle: t\ntimeline: []\nwhys: []\n---\nbody\n"
    doc = parse(text)
    new = doc.edited(
        lambda f: append_item(
            f, "timeline", {"at": dt.datetime(2026, 1, 1, 10, 0, tzinfo=dt.UTC), "event": "Alert"}
        )
    )
    assert new == (
        "---\ntitle: t\ntimeline:\n  - at: 2026-01-01T10:00:00Z\n    event: Alert\nwhys: []\n---\nbody\n"
    )
    assert parse(new).model().timeline[0].event == "Alert"


def test_implausible_year_is_a_problem_not_a_crash_later() -> None:
    text = GOOD.replace("started_at: 2026-03-14T02:47:00Z", "started_at: 0202-03-14T02:47:00Z")
    messages = [str(p) for p in parse(text).problems()]
    assert (
        f"postmortems/x.md:{line(text, 'started_at:')}: started_at: year 202 is implausible (a typo?)"
        in messages
    )


def test_a_date_that_does_not_exist_is_a_parse_error_with_its_line() -> None:
    text = GOOD.replace("due: 2026-03-28", "due: 2026-02-30")
    with pytest.raises(ParseError) as info:
        parse(text)
    assert str(info.value) == (
        f"postmortems/x.md:{line(text, 'due:')}: action_items[0].due: invalid value "
        "'2026-02-30': day is out of range for month"
    )


def test_an_impossible_time_zone_offset_says_so_in_words() -> None:
    text = GOOD.replace("started_at: 2026-03-14T02:47:00Z", "started_at: 2026-03-14T02:47:00+25:00")
    with pytest.raises(ParseError) as info:
        parse(text)
    assert str(info.value) == (
        f"postmortems/x.md:{line(text, 'started_at:')}: started_at: invalid value "
        "'2026-03-14T02:47:00+25:00': the time zone offset is out of range (-23:59 to +23:59)"
    )


@pytest.mark.parametrize("flow", [False, True])
def test_a_key_written_twice_is_an_error_naming_both_lines(flow: bool) -> None:
    extra = "title: Checkout timed out again\n"
    if flow:  # outside the plain subset: read by PyYAML
        extra += "x-anchor: &a [1]\nx-alias: *a\n"
    text = GOOD.replace("status: published\n", "status: published\n" + extra)
    with pytest.raises(ParseError) as info:
        parse(text)
    assert str(info.value) == (
        f"postmortems/x.md:{line(text, 'title:', 2)}: title: the key is written twice "
        f"(first at line {line(text, 'title:')}); YAML would keep only this one"
    )
    nested = GOOD.replace(
        "    owner: payments-team\n", "    owner: payments-team\n    owner: sam\n"
    )
    with pytest.raises(ParseError, match=r"action_items\[0\]\.owner: the key is written twice"):
        parse(nested)


def test_front_matter_that_is_never_closed_says_so() -> None:
    with pytest.raises(ParseError) as info:
        parse("---\ntitle: x\nstatus: draft\n\n# Summary\n")
    assert str(info.value) == (
        "postmortems/x.md:1: the front matter opened here is never closed: end it with a '---' line"
    )


def test_a_type_error_does_not_hide_an_unknown_severity_or_category() -> None:
    text = (
        GOOD.replace("severity: SEV2", "severity: SEV9")
        .replace("services: [payments-api]", "services: 5")
        .replace("category: testing", "category: vibes")
    )
    messages = [
        str(p) for p in parse(text).problems(severities=("SEV1", "SEV2"), categories=("testing",))
    ]
    assert any("services:" in m for m in messages)
    assert any("unknown severity 'SEV9'" in m for m in messages)
    assert any("unknown category 'vibes'" in m for m in messages)


def _pyyaml_values(text: str) -> object:
    import yaml

    from mortem.document import YAML12Loader

    split = split_front_matter(text)
    assert split is not None
    return yaml.load(split.front, Loader=YAML12Loader)


def test_front_matter_values_are_pyyamls_for_every_sample() -> None:
    # Parsing reads plain front matter with the linter's own reader: on every sample
    # postmortem the values (and their types) must be exactly what PyYAML gives.
    root = Path(__file__).parent.parent / "examples" / "postmortems"
    files = sorted(root.glob("*.md"))
    assert len(files) >= 30
    for path in files:
        text = path.read_text(encoding="utf-8")
        data = Document.parse(text, path.name, path.stem).data
        expected = _pyyaml_values(text)
        assert data == expected, path.name
        assert repr(data) == repr(expected), path.name  # same types and time zones


def test_front_matter_outside_the_plain_subset_still_parses() -> None:
    text = GOOD.replace("services: [payments-api]", "services: &s [payments-api]\ntags: *s")
    data = Document.parse(text, "x.md", "x").data
    assert data["tags"] == ["payments-api"] == data["services"]
    assert data == _pyyaml_values(text)


@pytest.mark.parametrize("value", ["&a [*a]", "&a {self: *a}"])
def test_an_alias_inside_its_own_value_is_a_parse_error(value: str) -> None:
    with pytest.raises(ParseError, match="alias refers to the value that holds it"):
        parse(f"---\ntitle: Loop\nx: {value}\n---\n# S\n")


def test_a_number_is_not_taken_for_a_time_or_a_date() -> None:
    text = GOOD.replace("started_at: 2026-03-14T02:47:00Z", "started_at: 1700000000").replace(
        "due: 2026-03-28", "due: 20260328"
    )
    messages = [str(p) for p in parse(text).problems()]
    assert f"postmortems/x.md:{line(text, 'started_at:')}: started_at: " in "\n".join(messages)
    assert any(
        m.startswith(f"postmortems/x.md:{line(text, 'due:')}: action_items[0].due:")
        for m in messages
    )
    assert all(
        "a number is not a time or a date" in m for m in messages if "_at:" in m or "due:" in m
    )
