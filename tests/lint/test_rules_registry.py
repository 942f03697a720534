"""Every rule's documented examples are its tests; the registry and docs stay in step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mortem.lint.docs import markdown_reference
from mortem.lint.engine import lint_text
from mortem.lint.rule_examples import base_text, example_config, example_findings, example_text
from mortem.lint.rules import GROUPS, Example, Rule, all_rules

ROOT = Path(__file__).resolve().parents[2]
RULES = list(all_rules().values())


def _cases(which: str) -> list[tuple[Rule, Example]]:
    return [(r, e) for r in RULES for e in (r.bad if which == "bad" else r.good)]


def _id(case: tuple[Rule, Example]) -> str:
    rule, example = case
    return f"{rule.code}:{example.text.splitlines()[0][:40]}"


def test_the_base_document_of_the_examples_is_clean() -> None:
    # Otherwise a good example could pass or fail because of its surroundings.
    assert lint_text(base_text(), "base.md", example_config()).findings == []


@pytest.mark.parametrize("case", _cases("bad"), ids=_id)
def test_bad_example_is_flagged_with_its_code(case: tuple[Rule, Example]) -> None:
    rule, example = case
    codes = [f.code for f in example_findings(example)]
    assert rule.code in codes, f"{example_text(example)}\n-> {codes}"


@pytest.mark.parametrize("case", _cases("good"), ids=_id)
def test_good_example_is_not_flagged_with_its_code(case: tuple[Rule, Example]) -> None:
    rule, example = case
    found = [f for f in example_findings(example) if f.code == rule.code]
    assert found == [], found


def test_every_rule_is_documented_completely() -> None:
    assert len(RULES) >= 40
    for rule in RULES:
        assert re.fullmatch(r"[A-Z][0-9]{3}", rule.code), rule.code
        assert rule.letter in GROUPS, rule.code
        assert re.fullmatch(r"[a-z]+(\.[a-z0-9-]+)+", rule.name), rule.name
        assert rule.severity in ("error", "warning", "info")
        assert rule.message and rule.suggestion, rule.code
        assert rule.bad and rule.good, f"{rule.code} needs a bad and a good example"
    names = [r.name for r in RULES]
    assert len(set(names)) == len(names), "rule names must be unique"


def test_every_group_of_the_issue_is_present() -> None:
    letters = {r.letter for r in RULES}
    assert {"B", "N", "A", "S", "W", "T", "V", "X"} <= letters


def test_docs_rules_md_is_generated_from_the_rules() -> None:
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert page == markdown_reference(), (
        "docs/rules.md is out of date: run `python -m mortem.lint.docs > docs/rules.md`"
    )


def test_the_reference_has_a_section_and_an_anchor_for_every_rule() -> None:
    page = markdown_reference()
    for rule in RULES:
        assert f"### {rule.code} `{rule.name}`" in page
        anchor = f"{rule.code.lower()}-{rule.name.replace('.', '').lower()}"
        assert f"(#{anchor})" in page
