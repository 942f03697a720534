"""The API of mortem.lint.language: offsets, names, quoting, grammar traps, speed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mortem.lint import language
from mortem.lint.language import (
    RULES,
    Hit,
    blame_hits,
    is_blaming,
    is_vague_action,
    name_hits,
    vague_action_hits,
)

DATA = Path(__file__).resolve().parent / "data"


def flagged(text: str, names: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    return [(h.code, text[h.start : h.end]) for h in blame_hits(text, names)]


# --- offsets and spans ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "phrase"),
    [
        ("The on-call should have checked the lag.", "B101", "should have checked"),
        ("Sadly, the SRE forgot to renew it.", "B101", "forgot"),
        ("In hindsight the signs were there.", "B102", "hindsight"),
        ("Root cause: operator error.", "B104", "operator error"),
        ("It was Dave's fault.", "B105", "Dave's fault"),
        ("It was their fault.", "B105", "their fault"),
        ("Engineers must be more careful.", "B109", "be more careful"),
        ("The release process was not followed.", "B101", "was not followed"),
        ("Of course the review passed.", "B108", "Of course"),
        ("Whoever merged this broke it.", "B107", "Whoever merged"),
    ],
)
def test_offsets_point_at_the_phrase(text: str, code: str, phrase: str) -> None:
    hits = blame_hits(text)
    assert (code, phrase) in [(h.code, text[h.start : h.end]) for h in hits]


def test_offsets_survive_leading_text_and_newlines() -> None:
    text = "Timeline notes.\n\n- 10:02 The engineer   should\nprobably have   verified the backup."
    (hit,) = blame_hits(text)
    assert hit.code == "B101"
    assert re.sub(r"\s+", " ", text[hit.start : hit.end]) == "should probably have verified"


def test_curly_apostrophes_are_read_as_straight_ones() -> None:
    text = "The change shouldn\u2019t have been merged, and the on-call\u2019s failure to escalate hurt."
    got = flagged(text)
    assert ("B101", "shouldn\u2019t have been merged") in got
    assert any(code == "B101" and "failure to escalate" in phrase for code, phrase in got)
    assert flagged("We should\u2019ve caught this.") == [("B101", "should\u2019ve caught")]


def test_hits_carry_a_message_and_a_suggestion() -> None:
    for hit in blame_hits("The careless operator should have known better."):
        assert isinstance(hit, Hit)
        assert hit.message and "\n" not in hit.message
        assert hit.suggestion
        assert repr(" ".join(("x",))) != hit.message


# --- grammatical context --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The health check failed to detect the stale replica.",
        "All inbound traffic failed to reach the cluster.",
        "Each service should have an owner.",
        "We should have a talk with the platform team.",
        "Downstream actions should have been automatically corrected as the backlog was processed.",
        "The old index should have been dropped by the migration.",
        "What could we have done better?",
        "Could we have caught this in staging?",
        "A retry with backoff would have absorbed the burst.",
        "If the alert had fired at 80%, the on-call would have had two hours.",
        "Users could have seen stale prices for ten minutes.",
        "We should have automated tests for the parser.",
        "Priya restarted the pod.",
        "The alert fired at 02:14.",
        "The instance was terminated by the autoscaler.",
        "The upgrade broke DNS.",
        "A page fault storm slowed every request.",
        "It was nobody's fault.",
        "Nobody is to blame.",
        "We automated the failover to remove the risk of human error.",
        "The runbook step no longer depends on human error being avoided.",
        "It became clear at 10:20 that the primary was out of disk.",
        "We want to avoid hindsight bias.",
        "The engineer who approved the change had the same information.",
        "Why did the pods crash?",
        "Alerts go to whoever is on call.",
        "We just had to wait for the backlog to drain.",
        "The team is careful to keep reviews blameless.",
        "The parser is lazy loading the schema.",
        "Responders didn't know the flag existed because it was undocumented.",
        "The tool did not ask for confirmation.",
        "Customers who did not update the SDK were affected too.",
    ],
)
def test_clean_sentences_are_not_flagged(text: str) -> None:
    assert flagged(text) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The on-call engineer on the payments team failed to acknowledge the page.", "B101"),
        ("The engineer should probably have checked.", "B101"),
        ("The engineer should have really, definitely checked.", "B101"),
        ("Unfortunately we failed to verify that the agent was running.", "B101"),
        ("The SRE neglected to update the runbook.", "B101"),
        ("They forgot to drain the node.", "B101"),
        ("The developer has forgotten to pin the version.", "B101"),
        ("The team didn't bother to test it.", "B101"),
        ("If the developer had run the tests, this would not have happened.", "B101"),
        ("Had they informed us, we would have prepared.", "B101"),
        ("The change shouldn't have been rushed to production.", "B101"),
        ("The issue should have been addressed before it created impact.", "B101"),
        ("The outage was caused by an engineer running a script.", "B105"),
        ("The outage was caused by a human.", "B105"),
        ("The intern is to blame.", "B105"),
        ("The engineer was fired.", "B106"),
        ("Who approved this?", "B107"),
        ("Why didn't you escalate?", "B107"),
        ("Everyone knows that.", "B108"),
        ("Remind engineers to check the target cluster.", "B109"),
        ("How could they not have noticed?", "B102"),
        ("It was obvious that the disk would fill up.", "B102"),
        ("The operator was sloppy.", "B103"),
    ],
)
def test_blaming_sentences_are_flagged(text: str, code: str) -> None:
    assert code in [c for c, _ in flagged(text)]


def test_inflections_and_contractions() -> None:
    for text in (
        "He forgets to rotate the keys.",
        "She is forgetting the flag.",
        "The admin neglects the backups.",
        "The engineer fails to escalate.",
        "The operator shouldn't've restarted it.",
        "The developer could've avoided this.",
        "The SRE wouldn't have been paged if the engineer had tested it.",
        "The operator should of checked.",
    ):
        assert is_blaming(text), text


# --- quoting --------------------------------------------------------------------------


def test_code_spans_and_quotes_are_ignored() -> None:
    assert flagged("The log said `the operator failed to connect` at 10:00.") == []
    assert flagged('The service logged "human error: invalid token" for each request.') == []
    assert flagged("The service logged \u201chuman error\u201d for each request.") == []
    assert flagged("See https://example.com/should-have-known-better for details.") == []
    # Outside the quotes the same words still count.
    assert flagged('He logged "ok" and the operator failed to verify it.') == [
        ("B101", "failed to verify")
    ]


# --- names ----------------------------------------------------------------------------


def test_names_make_a_person_subject_case_insensitively() -> None:
    text = "Zed broke production."
    assert flagged(text) == []  # an unknown capitalised word is not assumed to be a person
    assert flagged(text, frozenset({"zed"})) == [("B105", "broke")]
    assert flagged("ZED broke production.", frozenset({"Zed"})) == [("B105", "broke")]
    assert flagged("@zed broke production.") == [("B105", "broke")]


def test_name_hits_finds_roster_names_handles_and_common_first_names() -> None:
    text = "Priya restarted the pod; @sam and PRIYA watched. Peter Taylor joined."
    got = [(h.code, text[h.start : h.end]) for h in name_hits(text, frozenset({"priya", "@sam"}))]
    assert got == [
        ("N101", "Priya"),
        ("N101", "@sam"),
        ("N101", "PRIYA"),
        ("N101", "Peter Taylor"),
    ]


def test_name_hits_multiword_roster_names_and_possessives() -> None:
    text = "Lloyd Middleton's board was created."
    (hit,) = name_hits(text, frozenset({"Lloyd Middleton"}))
    assert text[hit.start : hit.end] == "Lloyd Middleton"


def test_name_hits_ignores_emails_code_and_lowercase_common_words() -> None:
    names = frozenset({"will", "mark"})
    text = "Mail ops@example.com; run `@deploy-bot`; we will mark it done. Mark paged."
    got = [text[h.start : h.end] for h in name_hits(text, names)]
    assert got == ["Mark"]


def test_name_hits_without_names() -> None:
    assert name_hits("The on-call engineer restarted the pod.", frozenset()) == []
    assert [h.code for h in name_hits("Owner: @lucasheriques", frozenset())] == ["N101"]


# --- extra phrases --------------------------------------------------------------------


def test_extra_phrases_are_b110_with_offsets() -> None:
    text = "A classic  Rogue\nCommit took us down; another rogue commit followed."
    hits = [h for h in blame_hits(text, extra_phrases=("rogue commit",)) if h.code == "B110"]
    assert [text[h.start : h.end] for h in hits] == ["Rogue\nCommit", "rogue commit"]
    assert blame_hits("Nothing here.", extra_phrases=("", "  ")) == []


def test_b110_has_rule_metadata() -> None:
    (rule,) = [r for r in RULES if r.code == "B110"]
    assert rule.name == "blame.custom-phrase"
    assert rule.group == "blame"


# --- action items ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "codes"),
    [
        ("Improve monitoring", {"A201"}),
        ("Monitoring for disk usage", {"A201", "A202"}),
        ("Better alerts", {"A201", "A202"}),
        ("Look into smoketesting during node roll over", {"A201"}),
        ("- [ ] A3: Follow up with the vendor", {"A201"}),
        ("Alert when disk usage exceeds 85% for 10 minutes", set()),
        ("Version lock Flux", set()),
        ("Run `terraform plan` in CI to test commits", set()),
        ("Setup alerts for unshipped logs - consider monitoring both sides", set()),
    ],
)
def test_vague_action_codes(title: str, codes: set[str]) -> None:
    assert {h.code for h in vague_action_hits(title)} == codes
    assert is_vague_action(title) == bool(codes)


def test_vague_action_suggestions_say_how_to_be_specific() -> None:
    (hit,) = [h for h in vague_action_hits("Monitor the queue") if h.code == "A201"]
    assert "threshold" in hit.suggestion or "alert" in hit.suggestion
    assert "Monitor the queue"[hit.start : hit.end] == "Monitor"


# --- robustness and speed -------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_any_text_gives_hits_inside_the_text(text: str) -> None:
    for hit in (
        blame_hits(text, frozenset({"priya"}), ("bad apple",))
        + name_hits(text, frozenset({"priya"}))
        + vague_action_hits(text)
    ):
        assert 0 <= hit.start < hit.end <= len(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "the",
                "engineer",
                "should",
                "have",
                "checked",
                "failed",
                "to",
                "forgot",
                "we",
                "they",
                "it",
                "was",
                "not",
                "obviously",
                "careless",
                "human",
                "error",
                "fault",
                "blame",
                "who",
                "why",
                "of",
                "course",
                "’",
                "`",
                '"',
                ",",
                ".",
                "?",
                "if",
                "had",
                "been",
                "more",
                "careful",
                "@sam",
                "Priya",
            ]
        ),
        max_size=40,
    )
)
def test_blame_like_word_salad_never_crashes(words: list[str]) -> None:
    text = " ".join(words)
    for hit in blame_hits(text, frozenset({"priya"})):
        assert text[hit.start : hit.end].strip() == text[hit.start : hit.end]


def _paragraphs() -> list[tuple[str, str]]:
    out = []
    for path in sorted((DATA / "postmortems").glob("*/*.md")):
        text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
        for para in re.split(r"\n\s*\n", text):
            if para.strip() and not para.lstrip().startswith("#"):
                out.append((path.name, para))
    return out


# Every finding on the real postmortems, reviewed by hand: these are the sentences the
# guidance lists as blaming (plus one embedded counterfactual). Anything else is a
# false positive on real prose.
EXPECTED_REAL = {
    ("PM2019-009", "B101", "should have been addressed"),
    ("PM2020-002", "B109", "be more aware"),
    ("PM2020-004", "B109", "more carefully"),
    ("PM2020-009", "B101", "failed to verify"),
    ("PM2020-009", "B109", "Be more careful"),
    ("PM2021-002", "B101", "shouldn't have been rushed"),
    ("PM2021-003", "B101", "Did not disable"),
    ("PM2021-003", "B102", "despite being aware"),
    ("PM2021-003", "B101", "shouldn't have been rushed"),
    ("PM2021-006", "B103", "poor release strategy"),
    ("PM2021-008", "B101", "should have been communicated"),
    ("PM2021-008", "B101", "could have tested"),
    ("PM2021-010", "B104", "user error"),
    ("2026-01-17", "B101", "was not followed"),
}


def test_real_postmortems_give_only_the_reviewed_findings() -> None:
    found = set()
    for name, para in _paragraphs():
        for hit in blame_hits(para):
            found.add((name[:10], hit.code, para[hit.start : hit.end]))
    assert found == EXPECTED_REAL


def test_every_anchor_of_the_phrase_table_compiles() -> None:
    # The patterns are compiled when an anchor first occurs; a broken one must not wait
    # for a postmortem that happens to use its word.
    for anchor in language._PHRASES:
        patterns = language._patterns(anchor)
        assert patterns.phrases and patterns.quick.pattern


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "had",
                "hadn't",
                "shad",
                "had-",
                "@had",
                "had's",
                "had'd",
                "x",
                " ",
                ".",
                "é",
                "_",
                "'",
                "-",
                "hadé",
                "had1",
                "\n",
                "had'",
            ]
        ),
        max_size=12,
    )
)
def test_anchor_occurrences_are_whole_words(parts: list[str]) -> None:
    text = "".join(parts)
    expected = [m.start() for m in re.finditer(r"(?<![a-z0-9_@'-])had(?![\w-]|'[a-z])", text)]
    assert language._occurrences(text, "had") == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["priya's", "’s", "'s", "x's's", " ", ".", "team’s", "`a's`", "sam", "s'", "\n", "-"]
        ),
        max_size=10,
    )
)
def test_possessed_words_are_the_words_that_end_in_s(parts: list[str]) -> None:
    text = "".join(parts)
    expected = [w[:-2] for w in language.words(text) if w.endswith("'s") and len(w) > 2]
    assert language.possessed(text) == expected
