"""The engine: what counts as prose, where findings are, names, suppressions, settings."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mortem.config import Lint, Person, Settings
from mortem.document import split_front_matter
from mortem.errors import ConfigError, UsageError
from mortem.lint.engine import lint_text, split_text
from mortem.lint.findings import Finding
from mortem.lint.markdown import scan
from mortem.lint.options import LintConfig, build_config, resolve_enabled
from mortem.lint.rule_examples import BASE_BODY, BASE_FRONT, TEMPLATES, TODAY, example_config

BLAME = "The on-call engineer should have checked the replication lag."


def run(body: str, front: str = BASE_FRONT, config: LintConfig | None = None) -> list[Finding]:
    text = f"---\n{front}---\n{body}"
    return lint_text(text, "pm.md", config or example_config()).findings


def language(findings: list[Finding]) -> list[tuple[str, int, int]]:
    return [(f.code, f.line, f.column) for f in findings if f.code[0] in "BN"]


def body_line(body: str, needle: str) -> int:
    return BASE_FRONT.count("\n") + 3 + body[: body.index(needle)].count("\n")


# -- what is prose -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wrapped",
    [
        f"```\n{BLAME}\n```\n",
        f"~~~text\n{BLAME}\n~~~\n",
        f"    {BLAME}\n",
        f"<!-- {BLAME} -->\n",
        f"<!--\n{BLAME}\n-->\n",
        f"Run `{BLAME}` to see.\n",
        f"> 2026-03-14T02:51:00Z ERROR {BLAME}\n> 2026-03-14T02:52:00Z WARN retrying\n",
        "## Why did the engineer not check the lag?\n\n",
    ],
    ids=[
        "fence",
        "tilde-fence",
        "indented",
        "comment",
        "multi-line-comment",
        "code-span",
        "log-quote",
        "question-heading",
    ],
)
def test_text_that_is_not_prose_is_not_read(wrapped: str) -> None:
    body = BASE_BODY + "\n" + wrapped
    assert language(run(body)) == []


@pytest.mark.parametrize(
    "wrapped",
    [
        f"{BLAME}\n",
        f"- {BLAME}\n",
        f"1. {BLAME}\n",
        f"> {BLAME}\n",
        f"| 02:51 | {BLAME} |\n|---|---|\n",
    ],
    ids=["paragraph", "bullet", "ordered", "quote", "table-cell"],
)
def test_narrative_in_every_block_kind_is_read(wrapped: str) -> None:
    body = BASE_BODY + "\n" + wrapped
    found = language(run(body))
    assert [code for code, _, _ in found] == ["B101"]
    line = body_line(body, BLAME)
    assert found[0][1] == line


def test_columns_count_from_the_start_of_the_line() -> None:
    body = BASE_BODY + "\nAt 02:51, " + BLAME[0].lower() + BLAME[1:] + "\n"
    found = [f for f in run(body) if f.code == "B101"]
    text = f"---\n{BASE_FRONT}---\n{body}"
    start = text.index("should have checked")
    line_start = text.rfind("\n", 0, start) + 1
    assert (found[0].line, found[0].column) == (
        text.count("\n", 0, start) + 1,
        start - line_start + 1,
    )


def test_front_matter_strings_are_prose_with_their_file_position() -> None:
    front = BASE_FRONT.replace(
        "    because: No inventory records which services read the source address of a request.",
        "    because: >-\n      No inventory was kept, and the engineer should have\n      checked the lag.",
    )
    found = [f for f in run(BASE_BODY, front) if f.code == "B101"]
    text = f"---\n{front}---\n{BASE_BODY}"
    start = text.index("should have\n")
    line = text.count("\n", 0, start) + 1
    assert (found[0].line, found[0].column) == (line, start - (text.rfind("\n", 0, start) + 1) + 1)
    # The phrase is folded over two lines: the finding ends on the second.
    assert found[0].end_line == line + 1


def test_scan_keeps_offsets_and_records_comments() -> None:
    body = "# Title\n\nA `code` line <!-- mortem: disable=B101 --> here.\n"
    result = scan(body, 100, 5)
    paragraph = next(b for b in result.blocks if b.kind == "paragraph")
    assert paragraph.start == 100 + body.index("A `code`")
    assert len(paragraph.text) == len("A `code` line <!-- mortem: disable=B101 --> here.")
    assert "code" not in paragraph.text and "here." in paragraph.text
    assert [(c.body, c.line, c.alone) for c in result.comments] == [
        ("mortem: disable=B101", 7, False)
    ]
    assert [(h.title, h.line, h.start) for h in result.headings] == [("Title", 5, 102)]


# -- names -------------------------------------------------------------------------------


def test_roster_names_and_handles_are_found_and_fixable() -> None:
    body = BASE_BODY + "\nPriya restarted the pool at 03:01. @jordan watched the graphs.\n"
    found = [f for f in run(body) if f.code == "N101"]
    assert [f.message for f in found] == [
        "names a person ('Priya') in the narrative",
        "names a person ('@jordan') in the narrative",
    ]
    assert found[0].fix is not None and found[0].fix.text == "The payments engineer"
    # A name that opens a sentence gives way to a capitalised role.
    assert found[1].fix is not None and found[1].fix.text == "The platform SRE"


def test_names_are_allowed_in_people_sections_and_optionally_in_the_timeline() -> None:
    body = BASE_BODY + "\n## Attendees\n\n- Priya Raman\n- Sam Keller\n"
    assert [f for f in run(body) if f.code == "N101"] == []
    front = BASE_FRONT.replace(
        "event: The latency alert pages the on-call engineer.",
        "event: The latency alert pages Jordan.",
    )
    assert [f.code for f in run(BASE_BODY, front) if f.code == "N101"] == ["N101"]
    allowed = dataclasses.replace(example_config(), allow_names_in_timeline=True)
    assert [f for f in run(BASE_BODY, front, allowed) if f.code == "N101"] == []


def test_allowed_names_are_not_people() -> None:
    settings = Settings(people={"sam": Person(name="Sam Keller")}, lint=Lint(allowed_names=["Sam"]))
    config = build_config(settings, TEMPLATES, today=TODAY)
    body = BASE_BODY + "\nThe SAM module of the directory synchronised accounts.\n"
    assert [f for f in run(body, config=config) if f.code == "N101"] == []


# -- suppressions ------------------------------------------------------------------------


def test_disable_for_the_next_paragraph_and_the_same_line() -> None:
    above = BASE_BODY + f"\n<!-- mortem: disable=B101 quoted from the chat -->\n{BLAME}\n"
    assert [f.code for f in run(above) if f.code in ("B101", "X001")] == []
    same = BASE_BODY + f"\n{BLAME} <!-- mortem: disable=B1 -->\n"
    assert [f.code for f in run(same) if f.code in ("B101", "X001")] == []
    other = BASE_BODY + f"\n<!-- mortem: disable=B101 -->\nFine.\n\n{BLAME}\n"
    assert sorted(f.code for f in run(other) if f.code in ("B101", "X001")) == ["B101", "X001"]


def test_disable_section_covers_the_rest_of_its_section_only() -> None:
    body = (
        BASE_BODY.replace(
            "## Impact\n",
            f"## Impact\n\n<!-- mortem: disable-section=B101 -->\n\n{BLAME}\n\n{BLAME}\n",
        )
        + f"\n## Later\n\n{BLAME}\n"
    )
    found = [f for f in run(body) if f.code == "B101"]
    assert [f.line for f in found] == [body_line(body, "## Later") + 2]


def test_unused_and_invalid_suppressions_are_reported() -> None:
    body = (
        BASE_BODY
        + "\n<!-- mortem: disable=B101 -->\nThe pool was exhausted.\n\n<!-- mortem: disabel=B101 -->\n"
    )
    found = {f.code: f for f in run(body) if f.code.startswith("X")}
    assert set(found) == {"X001", "X002"}
    assert found["X001"].message == "the suppression of B101 suppresses nothing here"
    assert found["X001"].fix is not None and found["X001"].fix.text == ""
    assert "unknown directive 'disabel'" in found["X002"].message


def test_front_matter_comment_suppresses_the_entry_below_it() -> None:
    front = BASE_FRONT.replace(
        "  - at: 2026-03-14T02:51:00Z\n    event: The latency alert pages the on-call engineer.",
        "  # mortem: disable=N101 the responder asked to be named\n"
        "  - at: 2026-03-14T02:51:00Z\n    event: The latency alert pages Jordan.",
    )
    assert [f.code for f in run(BASE_BODY, front) if f.code in ("N101", "X001")] == []


# -- settings ----------------------------------------------------------------------------


def test_select_and_ignore_by_prefix_longest_wins() -> None:
    enabled = resolve_enabled(["B", "N"], ["B1"])
    assert "N101" in enabled and not any(c.startswith("B1") for c in enabled)
    assert resolve_enabled(["B104"], ["B"]) == frozenset({"B104"})
    assert resolve_enabled(["B"], ["B"]) == frozenset()
    assert resolve_enabled(["B104"], ["B1"]) == frozenset({"B104"})
    assert resolve_enabled(["B1"], ["B104"]) == resolve_enabled(["B1"], []) - {"B104"}


def test_severity_overrides_apply_by_longest_prefix() -> None:
    settings = Settings(lint=Lint(severity={"B": "info", "B101": "error"}))
    config = build_config(settings, TEMPLATES, today=TODAY)
    assert config.severity["B101"] == "error"
    assert config.severity["B103"] == "info"
    body = BASE_BODY + "\n" + BLAME + "\n"
    assert [f.severity for f in run(body, config=config) if f.code == "B101"] == ["error"]


def test_extra_phrases_are_flagged_as_b110() -> None:
    settings = Settings(lint=Lint(extra_phrases=["war room heroics"]))
    config = build_config(settings, TEMPLATES, today=TODAY)
    body = BASE_BODY + "\nIt took war room heroics to restore the service.\n"
    assert [f.code for f in run(body, config=config) if f.code.startswith("B")] == ["B110"]


def test_unknown_codes_in_settings_are_errors_naming_the_place() -> None:
    with pytest.raises(
        ConfigError,
        match=r"\[lint\] select in mortem.toml: no lint rule has a code starting with 'Q'",
    ):
        build_config(Settings(lint=Lint(select=["Q"])), TEMPLATES)
    with pytest.raises(UsageError, match="--ignore: no lint rule"):
        build_config(Settings(), TEMPLATES, ignore=["Z9"])
    with pytest.raises(ValueError, match="not a rule code or prefix: b1"):
        Lint(select=["b1"])
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        Lint(min_why=3)  # type: ignore[call-arg]


# -- robustness --------------------------------------------------------------------------

PIECES = [
    "---\n",
    "...\n",
    "# H\n",
    "## Summary\n",
    "```\n",
    "~~~\n",
    "<!--",
    "-->",
    "<!-- mortem: disable=B101 -->\n",
    "<!-- mortem: disable-section=Q -->\n",
    "> ",
    "- ",
    "1. ",
    "| a | b |\n",
    "|---|---|\n",
    "    code\n",
    "`x`",
    "[a](b)",
    "![i](gone.png)",
    "Priya should have checked.\n",
    "\n",
    "  # mortem: disable=N101\n",
    "title: x\n",
    "timeline: 5\n",
    "whys: [1, 2]\n",
    "action_items:\n  - id: A1\n",
    "    title: [x]\n",
    "status: published\n",
    "started_at: 2026-01-01\n",
    "é",
    "\r\n",
    "\t",
    "***",
    "===\n",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30), st.booleans())
def test_any_text_lints_without_error_and_with_positions_inside_the_file(
    pieces: list[str], with_front: bool
) -> None:
    text = "".join(pieces)
    if with_front:
        text = f"---\n{BASE_FRONT}---\n{text}"
    lines = text.split("\n")
    for finding in lint_text(text, "pm.md", example_config()).findings:
        assert 1 <= finding.line <= finding.end_line <= len(lines)
        assert finding.column >= 1
        assert finding.column <= len(lines[finding.line - 1]) + 1


def test_an_unused_front_matter_suppression_is_reported_without_a_fix() -> None:
    front = BASE_FRONT.replace("timeline:\n", "timeline:\n  # mortem: disable=N101\n")
    found = [f for f in run(BASE_BODY, front) if f.code == "X001"]
    assert len(found) == 1 and found[0].fix is None
    assert found[0].line == f"---\n{front}".splitlines().index("  # mortem: disable=N101") + 1


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["---", "...", "--- ", "x: 1", "", "\r", "a", "----"]), max_size=8))
def test_the_fast_front_matter_split_agrees_with_the_foundation(lines: list[str]) -> None:
    for ending in ("\n", "\r\n"):
        text = ending.join(lines)
        assert split_text(text) == split_front_matter(text), repr(text)


def test_guided_chunks_cover_every_job_once_in_order_and_shrink() -> None:
    from mortem.lint.engine import Job, guided_chunks

    jobs = [Job(f"{n}.md", f"{n}.md", ".") for n in range(10_000)]
    chunks = guided_chunks(jobs, workers=2, smallest=40)
    assert [job for chunk in chunks for job in chunk] == jobs
    sizes = [len(chunk) for chunk in chunks]
    assert sizes == sorted(sizes, reverse=True) and all(sizes)
    # The work left at the end is small enough that no worker waits long for another.
    assert sizes[-1] <= 40 and sizes[-2] == 40
    assert sizes[0] > 1_000  # and the first hand-overs are few
    assert [len(c) for c in guided_chunks(jobs[:30], workers=2, smallest=40)] == [30]


@pytest.mark.parametrize("value", ["&a [*a]", "&a {self: *a}", "&a [1, [2, *a]]"])
def test_an_alias_inside_its_own_value_is_a_yaml_finding_not_a_crash(value: str) -> None:
    # The node tree of such a value never ends; compiled code has no recursion limit,
    # so walking it took the whole process down before the cycle was refused.
    findings = run("# Summary\n\nText.\n", front=f"title: Loop\nx: {value}\n")
    assert [f.code for f in findings] == ["V001"]
    assert "alias refers to the value that holds it" in findings[0].message


WRONG_VALUES = ["3", "text", "{a: 1}", "[1, {b: 2}, [3]]", "null", "true"]


def _fields_of_base_front() -> list[str]:
    return [line.split(":")[0] for line in BASE_FRONT.splitlines() if line[:1].isalpha()] + [
        "reviews",
        "tags",
    ]


@pytest.mark.parametrize("field", _fields_of_base_front())
def test_any_wrong_type_in_any_field_gives_findings_not_a_crash(field: str) -> None:
    lines = BASE_FRONT.splitlines()
    for value in WRONG_VALUES:
        # The field's whole value (its nested lines too) replaced by the wrong one.
        kept, skipping = [], False
        for line in lines:
            if line.startswith(f"{field}:"):
                skipping = True
                continue
            if skipping and line[:1] in (" ", "-"):
                continue
            skipping = False
            kept.append(line)
        front = "\n".join([*kept, f"{field}: {value}"]) + "\n"
        findings = run("# Summary\n\nText.\n", front=front)
        assert all(f.line >= 1 for f in findings), (field, value)
