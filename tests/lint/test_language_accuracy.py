"""Accuracy of the blame and action-wording rules on hand-labelled data.

`data/blame_sentences.tsv` and `data/action_titles.tsv` are split deterministically
(CRC-32 of the text): about 30% of the rows are a held-out split that was not looked at
while the rules were tuned. Both splits are measured and printed (`pytest -s`), and the
figures are part of every assertion message.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from mortem.lint.language import RULES, blame_hits, name_hits, vague_action_hits

DATA = Path(__file__).resolve().parent / "data"

RECALL_TARGET = 0.90
FPR_TARGET = 0.05
VAGUE_RECALL_TARGET = 0.90
SPECIFIC_FLAGGED_TARGET = 0.10


def held_out(text: str) -> bool:
    return zlib.crc32(text.encode("utf-8")) % 10 < 3


def read_tsv(name: str) -> list[list[str]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


@dataclass
class Figures:
    split: str
    positives: int
    found: int
    negatives: int
    flagged: int
    misses: list[str]
    false_alarms: list[str]

    @property
    def recall(self) -> float:
        return self.found / self.positives if self.positives else 1.0

    @property
    def false_rate(self) -> float:
        return self.flagged / self.negatives if self.negatives else 0.0


def blame_figures(split: str) -> Figures:
    rows = [
        r
        for r in read_tsv("blame_sentences.tsv")
        if split == "all" or held_out(r[1]) == (split == "held-out")
    ]
    fig = Figures(split, 0, 0, 0, 0, [], [])
    for label, sentence, _source in rows:
        flagged = bool(blame_hits(sentence))
        if label == "blame":
            fig.positives += 1
            fig.found += flagged
            if not flagged:
                fig.misses.append(sentence)
        else:
            assert label == "clean", label
            fig.negatives += 1
            fig.flagged += flagged
            if flagged:
                fig.false_alarms.append(sentence)
    return fig


def action_figures(split: str) -> Figures:
    rows = [
        r
        for r in read_tsv("action_titles.tsv")
        if split == "all" or held_out(r[1]) == (split == "held-out")
    ]
    fig = Figures(split, 0, 0, 0, 0, [], [])
    for label, title in rows:
        flagged = bool(vague_action_hits(title))
        if label == "vague":
            fig.positives += 1
            fig.found += flagged
            if not flagged:
                fig.misses.append(title)
        else:
            assert label == "specific", label
            fig.negatives += 1
            fig.flagged += flagged
            if flagged:
                fig.false_alarms.append(title)
    return fig


def describe(kind: str, fig: Figures) -> str:
    return (
        f"{kind} [{fig.split}]: recall {fig.recall:.3f} ({fig.found}/{fig.positives}), "
        f"false-positive rate {fig.false_rate:.3f} ({fig.flagged}/{fig.negatives}); "
        f"missed {fig.misses[:5]}, false alarms {fig.false_alarms[:5]}"
    )


def test_datasets_are_large_enough() -> None:
    blame = read_tsv("blame_sentences.tsv")
    assert len(blame) >= 220
    assert sum(r[0] == "blame" for r in blame) >= 90
    assert sum(r[0] == "clean" for r in blame) >= 110
    assert all(len(r) == 3 and r[0] in ("blame", "clean") for r in blame)
    actions = read_tsv("action_titles.tsv")
    assert len(actions) >= 70
    assert sum(r[0] == "vague" for r in actions) >= 30
    assert sum(r[0] == "specific" for r in actions) >= 30
    assert all(len(r) == 2 and r[0] in ("vague", "specific") for r in actions)


@pytest.mark.parametrize("split", ["tuning", "held-out", "all"])
def test_blame_accuracy(split: str) -> None:
    fig = blame_figures(split)
    message = describe("blame", fig)
    print("\n" + message)
    assert fig.recall >= RECALL_TARGET, message
    assert fig.false_rate <= FPR_TARGET, message


@pytest.mark.parametrize("split", ["tuning", "held-out", "all"])
def test_action_title_accuracy(split: str) -> None:
    fig = action_figures(split)
    message = describe("action titles", fig)
    print("\n" + message)
    assert fig.recall >= VAGUE_RECALL_TARGET, message
    assert fig.false_rate <= SPECIFIC_FLAGGED_TARGET, message


def codes_for(code: str, text: str) -> set[str]:
    if code.startswith("A"):
        return {h.code for h in vague_action_hits(text)}
    if code == "N101":
        return {h.code for h in name_hits(text, frozenset())}
    return {h.code for h in blame_hits(text)}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_examples(rule) -> None:  # type: ignore[no-untyped-def]
    for bad in rule.bad_examples:
        assert rule.code in codes_for(rule.code, bad), f"{rule.code} should flag: {bad!r}"
    for good in rule.good_examples:
        assert rule.code not in codes_for(rule.code, good), f"{rule.code} should not flag: {good!r}"


def test_rule_table_is_complete() -> None:
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    expected = {f"B10{i}" for i in range(1, 10)} | {"B110", "N101", "A201", "A202"}
    assert set(codes) == expected
    for rule in RULES:
        assert rule.severity in ("error", "warning", "info")
        assert rule.name.count(".") == 1 and rule.name.split(".")[0] in (
            "blame",
            "naming",
            "action",
        )
        assert rule.message and rule.suggestion
        if rule.code != "B110":  # examples need a configured phrase; see test_language_api
            assert rule.bad_examples and rule.good_examples, rule.code
