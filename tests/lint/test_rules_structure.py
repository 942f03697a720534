"""The structure rules (S, W, A1, T, V) on small documents, with positions checked by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from mortem.lint.engine import lint_text
from mortem.lint.findings import Finding
from mortem.lint.options import LintConfig
from mortem.lint.rule_examples import BASE_BODY, BASE_FRONT, _merge_front, example_config


def lint(
    front: str = "",
    body: str = BASE_BODY,
    config: LintConfig | None = None,
    base: Path | None = None,
) -> list[Finding]:
    text = f"---\n{_merge_front(front) if front else BASE_FRONT}---\n{body}"
    return lint_text(text, "pm.md", config or example_config(), base).findings


def text_of(front: str = "", body: str = BASE_BODY) -> str:
    return f"---\n{_merge_front(front) if front else BASE_FRONT}---\n{body}"


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def where(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first occurrence of `needle`."""
    index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


ITEM = """\
action_items:
  - id: A1
    title: Count requests per client id.
{rest}"""


# -- action items ----------------------------------------------------------------------


def test_missing_owner_due_and_type_are_reported_on_the_item_title() -> None:
    front = ITEM.format(rest="    status: open\n")
    found = lint(front)
    assert sorted(codes(found)) == ["A101", "A102", "A105"]
    line, column = where(text_of(front), "Count requests per client id.")
    for finding in found:
        assert (finding.line, finding.column) == (line, column)
        assert finding.end_column == column + len("Count requests per client id.")
    messages = {f.code: f.message for f in found}
    assert messages["A101"] == "action item A1 has no owner"
    assert messages["A102"] == "action item A1 has no due date"


def test_due_horizon_counts_from_the_start_of_the_incident() -> None:
    # started_at is 2026-03-14: 90 days later is 2026-06-12.
    at_limit = ITEM.format(rest="    owner: payments\n    due: 2026-06-12\n    type: prevent\n")
    over = ITEM.format(rest="    owner: payments\n    due: 2026-06-13\n    type: prevent\n")
    assert "A103" not in codes(lint(at_limit))
    found = [f for f in lint(over) if f.code == "A103"]
    assert len(found) == 1
    assert found[0].message == "action item A1 is due 91 days after the incident (more than 90)"
    assert (found[0].line, found[0].column) == where(text_of(over), "2026-06-13")
    shorter = dataclasses.replace(example_config(), due_horizon_days=30)
    assert "A103" in codes(lint(at_limit, config=shorter))


def test_overdue_depends_on_today_and_status() -> None:
    front = ITEM.format(rest="    owner: payments\n    due: 2026-03-19\n    type: prevent\n")
    on_due_day = dataclasses.replace(example_config(), today=dt.date(2026, 3, 19))
    day_after = dataclasses.replace(example_config(), today=dt.date(2026, 3, 20))
    assert "A104" not in codes(lint(front, config=on_due_day))
    late = [f for f in lint(front, config=day_after) if f.code == "A104"]
    assert [f.message for f in late] == ["action item A1 is open and past its due date 2026-03-19"]
    done = front.replace("type: prevent", "type: prevent\n    status: done")
    assert "A104" not in codes(lint(done, config=day_after))


def test_wont_do_items_need_no_owner_or_date() -> None:
    front = ITEM.format(rest="    status: wont-do\n    notes: Superseded by the gateway rewrite.\n")
    assert not {"A101", "A102", "A105"} & set(codes(lint(front)))


# -- completeness ----------------------------------------------------------------------

BODY = """\
# Checkout requests timed out

> This postmortem is blameless.

## Summary

<!-- Two or three sentences. -->

## Impact

4,100 checkouts failed.
"""


def test_missing_and_empty_sections_of_the_template() -> None:
    text = text_of(body=BODY)
    found = lint(body=BODY)
    missing = [f for f in found if f.code == "S101"]
    empty = [f for f in found if f.code == "S102"]
    # Action items is missing but filled in the front matter: that counts as written.
    assert missing == []
    assert [f.message for f in empty] == ["section 'Summary' is empty"]
    assert (empty[0].line, empty[0].column) == where(text, "Summary")
    without_actions = lint("action_items: []\n", body=BODY)
    assert [f.message for f in without_actions if f.code == "S101"] == [
        "section 'Action items' is missing (the default template asks for it)"
    ]


def test_a_section_with_only_empty_subsections_is_empty() -> None:
    body = BODY.replace("<!-- Two or three sentences. -->", "### Detail\n\n### More\n")
    assert "section 'Summary' is empty" in [f.message for f in lint(body=body)]
    filled = body.replace("### More\n", "### More\n\nThe gateway timed out.\n")
    assert "S102" not in codes(lint(body=filled))


def test_the_template_field_chooses_the_sections() -> None:
    config = dataclasses.replace(
        example_config(), templates={"default": ("Summary",), "short": ("Summary", "Trigger")}
    )
    found = lint("template: short\n", config=config)
    assert [f.message for f in found if f.code == "S101"] == [
        "section 'Trigger' is missing (the short template asks for it)"
    ]
    assert "S101" not in codes(lint(config=config))
    unknown = lint("template: nope\n", config=config)
    assert [f.message for f in unknown if f.code == "S109"] == ["no template named 'nope'"]


def test_impact_times_factors_and_actions_by_status() -> None:
    front = 'impact: ""\ndetected_at: null\ncontributing_factors: []\naction_items: []\n'
    published = codes(lint(front))
    assert {"S103", "S104", "S107", "S108"} <= set(published)
    in_review = codes(lint(front + "status: in-review\n"))
    assert "S103" in in_review and not {"S104", "S107", "S108"} & set(in_review)
    draft = codes(lint(front + "status: draft\n"))
    assert not {"S103", "S104", "S107", "S108"} & set(draft)
    times = [f for f in lint(front) if f.code == "S104"]
    assert [f.message for f in times] == ["published, but detected_at is not set"]


def test_facilitator_among_responders() -> None:
    found = [f for f in lint("facilitator: alex\n") if f.code == "S106"]
    assert [f.message for f in found] == ["the facilitator alex is also among the responders"]


def test_disclaimer_is_looked_for_in_prose_only() -> None:
    body = BODY.replace("> This postmortem is blameless.\n", "<!-- blameless -->\n")
    assert "S105" in codes(lint(body=body))
    assert "S105" not in codes(lint(body=BODY))


# -- whys ------------------------------------------------------------------------------

WHYS = """\
whys:
  - why: Why did checkout time out?
    because: The connection pool was exhausted.
  - why: Why was the pool exhausted?
    because: {second}
"""


def test_whys_depth_follows_min_whys() -> None:
    front = WHYS.format(second="The limiter let a burst through.")
    found = [f for f in lint(front) if f.code in ("W101", "W102")]
    assert [(f.code, f.message) for f in found] == [("W101", "only 2 whys; ask at least 3")]
    two = dataclasses.replace(example_config(), min_whys=2)
    assert [f.code for f in lint(front, config=two) if f.code.startswith("W10")] == ["W102"]


def test_empty_answer_and_circular_chain() -> None:
    empty = lint(WHYS.format(second='"TBD"'))
    assert "W103" in codes(empty)
    circular = WHYS.format(second="Checkout timed out.")
    found = [f for f in lint(circular) if f.code == "W105"]
    assert [f.message for f in found] == [
        "the last why restates the first symptom (100% of its words)"
    ]
    assert (found[0].line, found[0].column) == where(text_of(circular), "Checkout timed out.")


def test_chain_ending_on_human_error_is_pinned_to_the_phrase() -> None:
    front = WHYS.format(second='"It was human error during the deploy."')
    found = [f for f in lint(front) if f.code == "W104"]
    assert len(found) == 1
    line, column = where(text_of(front), "human error during")
    assert (found[0].line, found[0].column) == (line, column)
    assert found[0].end_column == column + len("human error")


# -- timeline --------------------------------------------------------------------------

TIMELINE = """\
timeline:
  - at: {first}
    event: Gateway traffic arrives from 40 addresses.
  - at: 2026-03-14T02:51:00Z
    event: The latency alert pages the on-call engineer.
    kind: detection
  - at: 2026-03-14T03:12:00Z
    event: Latency is back at its baseline.
    kind: resolution
"""


def test_timeline_order_window_and_kinds() -> None:
    back = TIMELINE.format(first="2026-03-14T02:55:00Z")
    order = [f for f in lint(back) if f.code == "T101"]
    assert [f.message for f in order] == [
        "event 2 (2026-03-14T02:51:00Z) is earlier than the event before it (2026-03-14T02:55:00Z)"
    ]
    assert order[0].line == where(text_of(back), "2026-03-14T02:51:00Z\n    event: The latency")[0]
    # started_at is 02:47 and the tolerance 60 minutes: 01:47 is inside, 01:46 outside.
    assert "T103" not in codes(lint(TIMELINE.format(first="2026-03-14T01:47:00Z")))
    early = [f for f in lint(TIMELINE.format(first="2026-03-14T01:46:00Z")) if f.code == "T103"]
    assert [f.message for f in early] == [
        "event 1 (2026-03-14T01:46:00Z) is before started_at by more than 60 minutes"
    ]


def test_kind_events_must_match_the_front_matter_times() -> None:
    front = TIMELINE.format(first="2026-03-14T02:47:00Z").replace(
        "2026-03-14T02:51:00Z", "2026-03-14T03:51:00+01:00"
    )
    # The same instant in another timezone agrees.
    assert "T104" not in codes(lint(front))
    late = front.replace("03:51:00+01:00", "03:55:00+01:00")
    found = [f for f in lint(late) if f.code == "T104"]
    assert [f.message for f in found] == [
        "the detection event is at 2026-03-14T03:55:00+01:00 but detected_at is 2026-03-14T02:51:00Z"
    ]


def test_time_without_timezone_is_t102_not_a_generic_format_error() -> None:
    found = lint("started_at: 2026-03-14T02:47:00\n")
    assert [f.code for f in found if f.code in ("T102", "V003")] == ["T102"]
    t102 = next(f for f in found if f.code == "T102")
    assert t102.line == where(text_of("started_at: 2026-03-14T02:47:00\n"), "started_at:")[0]


# -- format ----------------------------------------------------------------------------


def test_format_problems_get_their_own_codes() -> None:
    assert "V003" in codes(lint("status: finished\n"))
    assert "V004" in codes(lint("detected_at: 2026-03-14T02:40:00Z\n"))
    assert "V005" in codes(lint("severity: P1\n"))
    factor = "contributing_factors:\n  - category: luck\n    description: A burst.\n"
    assert "V006" in codes(lint(factor))


def test_yaml_error_keeps_its_line_and_the_body_is_still_read() -> None:
    text = "---\ntitle: ok\nstatus: [draft\n---\n# T\n\nThe on-call engineer should have checked the lag.\n"
    found = lint_text(text, "pm.md", example_config()).findings
    v001 = [f for f in found if f.code == "V001"]
    assert len(v001) == 1 and v001[0].message.startswith("YAML syntax error")
    assert "B101" in codes(found)
    assert next(f for f in found if f.code == "B101").line == 7


def test_markdown_without_front_matter_gets_one_finding_and_the_language_rules() -> None:
    text = "# Outage\n\nThe engineer forgot to renew the certificate.\n"
    found = lint_text(text, "pm.md", example_config()).findings
    assert [f.code for f in found if f.code.startswith(("V", "S", "W", "A", "T"))] == ["V002"]
    assert [(f.code, f.line, f.column) for f in found if f.code == "B101"] == [("B101", 3, 14)]


def test_missing_evidence_link(tmp_path: Path) -> None:
    body = BASE_BODY + "\n![latency](evidence/latency.png)\n"
    found = [f for f in lint(body=body, base=tmp_path) if f.code == "V007"]
    assert [f.message for f in found] == ["link to missing file evidence/latency.png"]
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "latency.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert "V007" not in codes(lint(body=body, base=tmp_path))


def test_an_impossible_date_is_a_finding_not_a_crash() -> None:
    found = lint("started_at: 2026-02-30T02:47:00Z\n")
    assert [f.code for f in found if f.code == "V001"] == ["V001"]
    assert "day is out of range for month" in next(f for f in found if f.code == "V001").message
