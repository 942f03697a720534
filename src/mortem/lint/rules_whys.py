"""W: the 5 whys. Deep enough, no blank answers, ending on the system, not circular."""

from __future__ import annotations

import re

from . import language
from .context import Context, Segment
from .findings import Loc
from .frontmap import Scalar
from .rules import Example, Rule
from .rules_language import names_for, present

EMPTY_ANSWERS = {"", "?", "??", "...", "tbd", "todo", "unknown", "n/a", "na", "-", "—"}

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
    ]
)

_CHAIN = """\
whys:
  - why: Why did checkout time out?
    because: The connection pool of payments-api was exhausted.
  - why: Why was the pool exhausted?
    because: The rate limiter let a burst from 40 addresses through.
  - why: Why did the limiter let it through?
    because: It counted requests per address, a rule written for three gateways.
"""

RULES = [
    Rule(
        "W101",
        "whys.too-few",
        "root-cause",
        "warning",
        "the whys stop too early",
        "Keep asking why until the answer is a condition of the system that a change "
        "can remove (at least [lint] min_whys, 3 by default).",
        bad=(
            Example(
                "whys:\n  - why: Why did checkout time out?\n"
                "    because: The connection pool was exhausted.\n",
                "front",
            ),
        ),
        good=(Example(_CHAIN, "front"),),
    ),
    Rule(
        "W102",
        "whys.fewer-than-five",
        "root-cause",
        "info",
        "fewer than five whys",
        "Five whys is the usual depth; one or two more questions often reach a cause "
        "in how the work is organised.",
        bad=(Example(_CHAIN, "front"),),
        good=(
            Example(
                _CHAIN + "  - why: Why was the rule never revisited?\n"
                "    because: The gateway migration plan did not list services that read "
                "client addresses.\n"
                "  - why: Why did the plan not list them?\n"
                "    because: No inventory records which services read the source address.\n",
                "front",
            ),
        ),
    ),
    Rule(
        "W103",
        "whys.empty-answer",
        "root-cause",
        "error",
        "a why has no answer",
        "Answer the question, or remove it; write what is not known yet as a question "
        "for the review.",
        bad=(
            Example(
                _CHAIN.replace(
                    "It counted requests per address, a rule written for three gateways.", "TBD"
                ),
                "front",
            ),
        ),
        good=(Example(_CHAIN, "front"),),
    ),
    Rule(
        "W104",
        "whys.ends-on-person",
        "root-cause",
        "error",
        "the last why ends on a person or on human error",
        "Ask one more why: what made the action reasonable at the time, and what in the "
        "system let it cause harm?",
        bad=(
            Example(
                _CHAIN.replace(
                    "It counted requests per address, a rule written for three gateways.",
                    '"Human error: the engineer forgot to update the limiter."',
                ),
                "front",
            ),
        ),
        good=(Example(_CHAIN, "front"),),
        why="An individual's action is never a root cause; the chain has stopped where "
        "the interesting questions start.",
    ),
    Rule(
        "W105",
        "whys.circular",
        "root-cause",
        "warning",
        "the last why restates the first symptom",
        "The chain has come back to where it started; ask why about the system's "
        "conditions instead of restating the failure.",
        bad=(
            Example(
                _CHAIN.replace(
                    "It counted requests per address, a rule written for three gateways.",
                    "Checkout timed out.",
                ),
                "front",
            ),
        ),
        good=(Example(_CHAIN, "front"),),
        why="Measured as the share of the last answer's words that appear in the first "
        "question or answer ([lint] restatement_threshold, 0.6 by default).",
    ),
]


def words(text: str) -> set[str]:
    """Content words, crudely stemmed, for comparing two sentences."""
    found = set()
    for word in re.findall(r"[a-z0-9][a-z0-9'-]*", text.lower()):
        word = word.strip("'-")
        if len(word) < 3 or word in STOPWORDS:
            continue
        for suffix in ("ing", "ed", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
        if word.endswith("e") and len(word) > 3:
            word = word[:-1]  # "time" and "timed" meet at "tim"
        found.add(word)
    return found


def overlap(last: str | set[str], first: str) -> float:
    """Share of the last answer's content words that the first text has too."""
    a = words(last) if isinstance(last, str) else last
    if len(a) < 2:
        return 0.0
    return len(a & words(first)) / len(a)


def _ends_on_person(ctx: Context, loc: Loc, last: str) -> None:
    """W104 at the phrase that puts a person (or human error) at the end of the chain."""
    recorded = ctx.memo.get("language_hits")
    if recorded is not None:
        hits = sorted(recorded.get(loc, []), key=lambda h: h.start)
    else:
        names = present(names_for(ctx), last)
        hits = language.blame_hits(last, names) + language.name_hits(last, names)
    if not hits or ctx.front is None:
        return
    hit = hits[0]
    _, node = ctx.front.find(loc)
    if not isinstance(node, Scalar) or node.value != last:
        ctx.report_field("W104", loc, part="value")
        return
    start, end = Segment(last, "because", 0, loc, node).span(ctx, hit.start, hit.end)
    shown = last[hit.start : hit.end]
    ctx.report("W104", start, end, f"the last why ends on a person or human error ({shown!r})")


def check(ctx: Context) -> None:
    pm = ctx.pm
    if pm is None:
        return
    whys = pm.whys
    minimum = ctx.config.min_whys
    if len(whys) < minimum:
        what = "no whys" if not whys else f"only {len(whys)} why" + ("s" if len(whys) > 1 else "")
        ctx.report_field("W101", ("whys",), f"{what}; ask at least {minimum}")
    elif len(whys) < 5:
        ctx.report_field("W102", ("whys",), f"{len(whys)} whys; five is the usual depth")
    for i, why in enumerate(whys):
        if why.because.strip().lower() in EMPTY_ANSWERS:
            ctx.report_field("W103", ("whys", i, "because"), part="value")
    if not whys:
        return
    last = whys[-1].because
    i = len(whys) - 1
    if ctx.enabled("W104") and last.strip():
        _ends_on_person(ctx, ("whys", i, "because"), last)
    if ctx.enabled("W105") and len(whys) >= 2:
        first = whys[0]
        said = words(last)
        score = max(overlap(said, first.why), overlap(said, first.because)) if len(said) > 1 else 0
        if score >= ctx.config.restatement_threshold:
            ctx.report_field(
                "W105",
                ("whys", i, "because"),
                f"the last why restates the first symptom ({score:.0%} of its words)",
                part="value",
            )
