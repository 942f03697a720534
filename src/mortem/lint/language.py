"""Language analysis behind the linter's blame (B), naming (N) and action-wording (A) rules.

Pure functions over text. The phrase table lives in `phrases.py`; this module compiles
it into one gate regex (a trie of every anchor word), so a document is scanned once in
C, and only at the few anchor positions does Python look at the grammatical context:
who the subject of the clause is, whether the phrase is negated or asked as a
question, and what follows it.

Conventions that callers can rely on:
- offsets in a `Hit` index the text passed in, so `text[hit.start:hit.end]` is the
  flagged phrase;
- text inside backticks or double quotes is treated as quoted material (log lines,
  commands) and never flagged, and URLs are ignored;
- curly apostrophes and quotes are treated as straight ones.

Deliberate choices, so that results are consistent:
- a person, a role noun, a personal pronoun or a name is a person; a system is not:
  "the health check failed to detect" is fine, "the on-call failed to escalate" is not;
- "we" counts: "we failed to verify" is a counterfactual even when self-directed;
- counterfactuals about controls are fine ("a retry with backoff would have absorbed
  the burst", "should have been automatically corrected"): they point at safeguards;
- "human error" mentioned as something the system now guards against ("removes the
  risk of human error", "no longer depends on human error being avoided") is not
  flagged; given as a cause or an explanation it is;
- a name with a neutral verb ("Priya restarted the pod") is not blame; `name_hits`
  reports it separately as N101.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from mortem.lint import phrases as P
from mortem.lint.phrases import Subj

Severity = Literal["error", "warning", "info"]

__all__ = [
    "RULES",
    "Hit",
    "RuleInfo",
    "blame_hits",
    "is_blaming",
    "is_vague_action",
    "name_hits",
    "vague_action_hits",
]


@dataclass(frozen=True)
class Hit:
    code: str
    start: int
    end: int
    message: str
    suggestion: str


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    group: str
    severity: Severity
    message: str
    suggestion: str
    bad_examples: list[str]
    good_examples: list[str]


# --- text preparation ------------------------------------------------------------------

_STRAIGHTEN = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"'}
)
# Inline code, double-quoted text (log lines), URLs, Markdown link targets, HTML tags.
_CURLY = re.compile("[\u2018\u2019\u201b\u2032\u201c\u201d]")
_MASK = re.compile(r"`[^`\n]*`|\"[^\"\n]*\"|https?://\S+|\]\([^)\s]*\)|<[a-z/!][^>\n]*>")
_PUNCT = frozenset(".!?;:,()[]{}|\n")
_HARD = frozenset(".!?;:([{|\n")


# Punctuation that separates words; apostrophes and hyphens are inside words.
_SEPARATORS = str.maketrans({c: " " for c in '\t\n.,;:!?()[]{}"`*_@<>/\\|=+~#$%^&'})


class _Prepared:
    __slots__ = ("_spaced", "_words", "low", "text")

    def __init__(self, text: str, low: str) -> None:
        self.text = text  # straightened, same length as the input
        self.low = low  # lower-cased and masked, same length
        self._spaced: str | None = None
        self._words: list[str] | None = None

    @property
    def spaced(self) -> str:
        """`low` with the punctuation between words turned into spaces."""
        if self._spaced is None:
            self._spaced = self.low.translate(_SEPARATORS)
        return self._spaced

    @property
    def words(self) -> list[str]:
        """The words of the masked text, in order: the anchor and the name lookups both
        start from them. A list and not a set: each lookup intersects a set of its own
        with it, and building a set of every word cost more than those lookups."""
        if self._words is None:
            self._words = self.spaced.split()
        return self._words


def words(text: str) -> list[str]:
    """The lower-cased words of prose, in order, code spans, quoted text and links left out."""
    return _prepare(text).words


def possessed(text: str) -> list[str]:
    """The words of `words(text)` that end in 's, without it ("priya's" -> "priya"):
    found from each 's back to the start of its word, as a file has few of them."""
    spaced = _prepare(text).spaced
    found: list[str] = []
    at = spaced.find("'s")
    while at >= 0:
        after = at + 2
        if after == len(spaced) or spaced[after].isspace():
            start = at
            while start > 0 and not spaced[start - 1].isspace():
                start -= 1
            if start < at:
                found.append(spaced[start:at])
        at = spaced.find("'s", at + 1)
    return found


def _mask(match: re.Match[str]) -> str:
    # A placeholder word, not blanks: a masked command in subject position must still
    # read as a noun ("`terraform apply` failed to lock"), not as a missing subject.
    return "x" * (match.end() - match.start())


@functools.lru_cache(maxsize=512)
def _prepare(text: str) -> _Prepared:
    ascii_only = text.isascii()
    straight = text if ascii_only or not _CURLY.search(text) else text.translate(_STRAIGHTEN)
    low = straight.lower()
    if not ascii_only and len(low) != len(straight):  # "İ" lower-cases to two code points
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in straight)
    if "`" in low or '"' in low or "http" in low or "](" in low or "<" in low:
        low = _MASK.sub(_mask, low)
    if "no one" in low:  # one token, so "no one is to blame" has a negative subject
        low = low.replace("no one", "no-one")
    return _Prepared(straight, low)


# --- compiled phrase table -----------------------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    phrase: P.Phrase
    rx: re.Pattern[str]
    before: re.Pattern[str] | None
    not_before: re.Pattern[str] | None


def _phrases_by_anchor() -> dict[str, tuple[P.Phrase, ...]]:
    by_anchor: dict[str, list[P.Phrase]] = {}
    for phrase in P.PHRASES:
        for anchor in phrase.anchors:
            by_anchor.setdefault(anchor, []).append(phrase)
    return {k: tuple(v) for k, v in by_anchor.items()}


_PHRASES = _phrases_by_anchor()
_WORDCHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_@'-")  # inside a word


class _AnchorPatterns:
    """An anchor's compiled patterns: the quick test of all its phrases at once, and
    each phrase's own patterns.

    Compiled when an anchor first occurs, not at import: a run meets a fraction of the
    three hundred anchors, and compiling all of them took 60 ms before the first file.
    """

    __slots__ = ("phrases", "quick")

    def __init__(self, anchor: str) -> None:
        phrases = _PHRASES[anchor]
        self.quick = re.compile(
            "|".join("(?:" + re.sub(r"\(\?P<\w+>", "(?:", p.pattern) + ")" for p in phrases)
        )
        self.phrases = tuple(_compiled(p) for p in phrases)


_PATTERNS: dict[str, _AnchorPatterns] = {}
_COMPILED: dict[int, _Compiled] = {}  # by id of the phrase: one phrase has several anchors


def _patterns(anchor: str) -> _AnchorPatterns:
    found = _PATTERNS.get(anchor)
    if found is None:
        found = _PATTERNS[anchor] = _AnchorPatterns(anchor)
    return found


def _compiled(phrase: P.Phrase) -> _Compiled:
    found = _COMPILED.get(id(phrase))
    if found is None:
        found = _COMPILED[id(phrase)] = _Compiled(
            phrase,
            re.compile(phrase.pattern),
            re.compile(phrase.before) if phrase.before else None,
            re.compile(phrase.not_before) if phrase.not_before else None,
        )
    return found


# A text's words are intersected with every spelling an anchor can have as a word;
# only anchors that occur are then located (`_occurrences`). The affixes also serve
# `_PERSON_KEYS`, which is matched against words split on whitespace alone.
_PREFIXES = ("", "(", "[", "*", "**", "_", "'", '"', "x")
_SUFFIXES = (
    "",
    ".",
    ",",
    ";",
    ":",
    "?",
    "!",
    ")",
    "]",
    "*",
    "**",
    "_",
    "'",
    '"',
    ").",
    "),",
    ".)",
    "?)",
    "...",
    ".*",
    ".**",
    "*.",
    "**.",
    "**,",
    ",*",
)


def _variants(words: Iterable[str]) -> dict[str, str]:
    return {pre + w + suf: w for w in words for pre in _PREFIXES for suf in _SUFFIXES}


# The words of a text are split after `_SEPARATORS` turned punctuation into spaces, so
# an anchor's only spellings there are those whose affixes survive that.
_ANCHOR_TOKENS = {
    pre + w + suf: w
    for w in _PHRASES
    for pre in _PREFIXES
    for suf in _SUFFIXES
    if (pre + suf).translate(_SEPARATORS) == pre + suf
}
_PERSON_KEYS = frozenset(
    _variants(P.FIRST_PERSON | P.THIRD_PRONOUNS | P.ROLE_NOUNS | P.EXTERNAL_NOUNS)
)
_ANCHOR_KEYS = frozenset(_ANCHOR_TOKENS)


def _occurrences(low: str, word: str) -> list[int]:
    """Where `word` occurs in `low` as a whole word: not inside a longer word, hyphenated
    compound or handle, and not followed by a word character or a contraction ('d, 's).

    `str.find` and not a regular expression: it skips to the word's first letter in
    C, and most files hold a few dozen anchors to look for.
    """
    found: list[int] = []
    size = len(word)
    end = len(low)
    at = low.find(word)
    while at >= 0:
        after = at + size
        if at == 0 or low[at - 1] not in _WORDCHARS:
            if after >= end:
                found.append(at)
            else:
                c = low[after]
                if not (
                    c.isalnum()
                    or c == "_"
                    or c == "-"
                    or (c == "'" and after + 1 < end and "a" <= low[after + 1] <= "z")
                ):
                    found.append(at)
        at = low.find(word, at + 1)
    return found


def _anchor_positions(prepared: _Prepared) -> list[tuple[int, str]]:
    low = prepared.low
    found: list[tuple[int, str]] = []
    present = _ANCHOR_KEYS.intersection(prepared.words)
    for anchor in {_ANCHOR_TOKENS[t] for t in present} if present else ():
        found += [(at, anchor) for at in _occurrences(low, anchor)]
    found.sort()
    return found


_TOKEN = re.compile(
    r"@?[a-z0-9_](?:[a-z0-9_'-]*[a-z0-9_])?|[.!?;:,()\[\]{}|\n]|\s[-\u2013\u2014]\s"
)
_WORD = re.compile(r"[a-z][a-z'-]*")
_CONTRACTED_S = frozenset(
    ["it", "that", "there", "what", "he", "she", "who", "let", "here", "where", "how"]
)
_SENT_END = re.compile(r"[.!?](?=\s|$)|\n|\|")
_CONTROL = re.compile(
    r"\bif\s+(?:there|the|a|an|our|this|that|it|its)\b[^.?!]{0,60}?\bhad\b"
    r"|\bhad\s+(?:there|the|a|an|our|this|it)\s+[a-z-]+(?:\s+[a-z-]+)?\s+been\b"
    r"|\bwith\s+(?:a|an|better|proper|more|the\s+right|automated)\b"
    r"|\bhad\s+had\b|\bif\s+there\s+had\s+been\b"
)
_PASSIVE_VETO = re.compile(
    r"(?:\s+" + P.ADVW + r")*\s+(?:automatically|by\s+(?:the\s+|a\s+|an\s+|our\s+|their\s+)?"
    r"(?P<agent>[@a-z-]+)|with\s+|through\s+|via\s+)"
)
_PREVENTION = re.compile(
    r"\b(?:avoid\w*|prevent\w*|reduc\w*|eliminat\w*|minimi[sz]\w*|lower\w*|remov\w*|guard\w*"
    r"|protect\w*|mitigat\w*|risks?|chances?|likelihood|possibility|room|prone|susceptible"
    r"|vulnerable|resilient|tolerant|depends?|depending|rel(?:y|ies|ying)|against|rather"
    r"|instead|not|no|never|without|blam\w*|regardless)\b|n't\b"
)
_NEG_BEFORE = re.compile(P.NEG_BEFORE)
_NEGATIVE_LEAD = re.compile(r"(?:nobody|no-one|noone|none|no)\b")


def _inflect(verbs: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """Past forms (simple past and participle) and -ing forms of base verbs."""
    past: set[str] = set()
    ing: set[str] = set()
    for v in verbs:
        if v in P.IRREGULAR_PAST:
            past.add(P.IRREGULAR_PAST[v])
        if v in P.IRREGULAR_PARTICIPLE:
            past.add(P.IRREGULAR_PARTICIPLE[v])
        if v.endswith("e"):
            past.add(v + "d")
        elif v.endswith("y") and v[-2:-1] not in ("a", "e", "o", "u"):
            past.add(v[:-1] + "ied")
        elif v not in P.IRREGULAR_PAST:
            past.add(v + "ed")
        if v in P.IRREGULAR_ING:
            ing.add(P.IRREGULAR_ING[v])
        elif v.endswith("e") and not v.endswith("ee"):
            ing.add(v[:-1] + "ing")
        else:
            ing.add(v + "ing")
    return frozenset(past), frozenset(ing)


_DIL_PAST, _DIL_ING = _inflect(P.DILIGENCE_VERBS)
_KNOW_PAST, _ = _inflect(P.KNOWING_VERBS)
_VERBISH = (
    P.DILIGENCE_VERBS
    | P.SYSTEM_VERBS
    | _DIL_PAST
    | frozenset(
        [
            "ran",
            "wrote",
            "went",
            "made",
            "took",
            "gave",
            "got",
            "saw",
            "knew",
            "did",
            "said",
            "put",
            "set",
            "use",
            "uses",
            "used",
        ]
    )
)
_LY_NOUNS = frozenset(
    [
        "family",
        "assembly",
        "supply",
        "anomaly",
        "reply",
        "italy",
        "ally",
        "fly",
        "only",
        "july",
        "rely",
    ]
)


def _is_participle(word: str) -> bool:
    return (
        word.endswith("ed") and len(word) > 3 and not word.endswith("eed")
    ) or word in P.IRREGULAR_PP


def _is_adverb(word: str) -> bool:
    return (word.endswith("ly") and word not in _LY_NOUNS) or word in P.DISCOURSE


# --- the per-document context ---------------------------------------------------------


@dataclass(frozen=True)
class _Names:
    tokens: frozenset[str]  # lower-case name parts and handles, as subject words
    spellings: frozenset[str]  # the same with punctuation around, as whitespace tokens
    capital_only: frozenset[str]  # roster names that are ordinary words too
    patterns: tuple[tuple[str, re.Pattern[str]], ...]  # (first word, whole name) for N101


@functools.lru_cache(maxsize=64)
def _names(names: frozenset[str]) -> _Names:
    tokens: set[str] = set()
    capital: set[str] = set()
    alts: list[str] = []
    for raw in names:
        name = raw.strip().lower().lstrip("@")
        if not name:
            continue
        alts.append(r"\s+".join(re.escape(part) for part in name.split()))
        for part in re.split(r"[\s]+", name):
            tokens.add(part)
            tokens.add("@" + part)
            if part in P.COMMON_WORD_NAMES:
                capital.add(part)
    alts.sort(key=len, reverse=True)
    patterns = tuple(
        (alt.split("\\s+")[0].replace("\\", ""), re.compile(alt + r"(?![\w-]|'[a-z]{2})"))
        for alt in alts
    )
    return _Names(frozenset(tokens), frozenset(_variants(tokens)), frozenset(capital), patterns)


_NO_NAMES = _names(frozenset())

_Tok = tuple[str, int]


@dataclass(frozen=True)
class _Subject:
    cls: Subj
    word: str


class _Doc:
    """One prepared text plus the context queries the phrase checks ask of it."""

    __slots__ = ("_subjects", "low", "names", "text")

    def __init__(self, prepared: _Prepared, names: _Names) -> None:
        self.text = prepared.text
        self.low = prepared.low
        self.names = names
        self._subjects: dict[int, _Subject] = {}

    # tokens ---------------------------------------------------------------------------

    def tokens(self, lo: int, hi: int) -> list[_Tok]:
        toks = [(m.group(), m.start()) for m in _TOKEN.finditer(self.low, lo, hi)]
        if toks and lo > 0 and toks[0][1] == lo and self.low[lo - 1].isalnum():
            toks.pop(0)  # cut in half by the window
        return toks

    def next_word(self, pos: int) -> str | None:
        m = _TOKEN.search(self.low, pos, pos + 40)
        return m.group() if m else None

    def possessive(self, tok: _Tok) -> tuple[str, bool]:
        word, start = tok
        if word.endswith("'s") and word[:-2] not in _CONTRACTED_S:
            return word[:-2], True
        end = start + len(word)
        plural_possessive = (
            end < len(self.low)
            and self.low[end] == "'"
            and word.endswith("s")
            and (end + 1 >= len(self.low) or not self.low[end + 1].isalnum())
        )
        return word, plural_possessive

    def person(self, tok: _Tok) -> Subj | None:
        """The person class of one token, or None when it does not name a person."""
        word, start = tok
        if word in P.FIRST_PERSON:
            return Subj.FIRST
        if word in P.THIRD_PRONOUNS or word in P.ROLE_NOUNS:
            return Subj.THIRD
        if word in P.EXTERNAL_NOUNS:
            return Subj.EXTERNAL
        if word.startswith("@") and len(word) > 1:
            return Subj.THIRD
        capital = self.text[start].isupper()
        if word in self.names.tokens and (capital or word not in self.names.capital_only):
            return Subj.THIRD
        if capital and word in P.FIRST_NAMES:
            return Subj.THIRD
        return None

    # subjects -------------------------------------------------------------------------

    def sentence_start(self, pos: int, reach: int = 260) -> int:
        low, lo = self.low, max(0, pos - reach)
        cut = max(low.rfind(". ", lo, pos), low.rfind("? ", lo, pos), low.rfind("! ", lo, pos))
        cut = max(cut, low.rfind("\n", lo, pos), low.rfind("|", lo, pos), low.rfind(";", lo, pos))
        return cut + 1 if cut >= 0 else lo

    def person_evidence(self, pos: int) -> bool:
        """Whether any word of the sentence so far could name a person: a cheap test in
        C that spares the clause analysis for most system sentences."""
        lo = self.sentence_start(pos)
        words = self.low[lo:pos].split()
        if not _PERSON_KEYS.isdisjoint(words) or not self.names.spellings.isdisjoint(words):
            return True
        if "@" in self.low[lo:pos]:
            return True
        return any(
            self.low[m.start() : m.end()] in P.FIRST_NAMES
            for m in _CAPITALISED.finditer(self.text, lo, pos)
        )

    def subject(self, pos: int) -> _Subject:
        """The subject of the clause that the word at `pos` belongs to."""
        cached = self._subjects.get(pos)
        if cached is None:
            toks = self.tokens(self.sentence_start(pos), pos)
            cached = self._subject_before(toks, len(toks), 0)
            self._subjects[pos] = cached
        return cached

    def _subject_before(self, toks: list[_Tok], end: int, depth: int) -> _Subject:
        i = end - 1
        seg: list[_Tok] = []
        while i >= 0:
            word = toks[i][0]
            if word == ")":  # skip a parenthesis: "(CPU, memory) did not point"
                j = i - 1
                while j >= 0 and toks[j][0] != "(":
                    j -= 1
                if j >= 0:
                    i = j - 1
                    continue
            if (
                word in _PUNCT
                or word.strip() in ("-", "\u2013", "\u2014")
                or word in P.CLAUSE_WORDS
            ):
                break
            seg.append(toks[i])
            i -= 1
        seg.reverse()
        boundary = toks[i][0] if i >= 0 else None
        starts_with_aux = bool(seg) and seg[0][0] in P.AUXILIARIES
        while seg and (seg[0][0] in P.DISCOURSE or _is_adverb(seg[0][0])):
            seg.pop(0)
        while seg and (seg[-1][0] in P.AUXILIARIES or _is_adverb(seg[-1][0])):
            seg.pop()
        if not seg or starts_with_aux:
            return self._inherit(toks, i, boundary, depth)
        return self._classify(seg, lambda: self._inherit(toks, i, boundary, depth), boundary)

    def _inherit(self, toks: list[_Tok], i: int, boundary: str | None, depth: int) -> _Subject:
        """The subject of a clause that has none of its own: a relative clause takes its
        antecedent, a coordinated one the subject before the conjunction."""
        if boundary is None or boundary in _HARD or depth >= 3:
            return _Subject(Subj.NONE, "")
        if boundary in ("who", "whom", "which", "that"):
            j = i - 1
            while j >= 0 and toks[j][0] in (",", "-"):
                j -= 1
            if j >= 0:
                word, _ = self.possessive(toks[j])
                cls = self.person(toks[j])
                if cls is not None:
                    return _Subject(cls, word)
                if word in P.SYSTEM_NOUNS:
                    return _Subject(Subj.SYSTEM, word)
            if boundary in ("who", "whom"):
                return _Subject(Subj.THIRD, "who")
            return _Subject(Subj.SYSTEM, boundary)
        if boundary in (",", "and", "or", "but", "then", "so", "nor") or boundary.strip() in ("-",):
            return self._subject_before(toks, i, depth + 1)
        return _Subject(Subj.NONE, "")

    def _classify(
        self,
        seg: list[_Tok],
        inherit: Callable[[], _Subject] | None = None,
        boundary: str | None = None,
    ) -> _Subject:
        """The class of a noun phrase (the words of a subject)."""
        first = seg[0][0]
        if (
            first.endswith("ing")
            and len(first) > 4
            and self.person(seg[0]) is None
            and not (first.endswith("thing"))
        ):
            return _Subject(Subj.OTHER, first)  # a gerund: "Appointing a manager could have"
        last_word, last_poss = self.possessive(seg[-1])
        if not last_poss:
            cls = self.person(seg[-1])
            if cls is not None:
                return _Subject(cls, last_word)
        head: list[_Tok] = []
        for tok in seg:
            word = tok[0]
            if word in P.PREPOSITIONS:
                if word == "of" and len(head) == 1 and head[0][0] in _QUANTIFIERS:
                    head = []
                    continue
                break
            if word in P.DETERMINERS and any(t[0] not in P.DETERMINERS for t in head):
                break
            head.append(tok)
        for k in range(len(head) - 1, -1, -1):
            if self.possessive(head[k])[1]:
                head = head[k + 1 :]
                break
        if not head:
            return _Subject(Subj.OTHER, "")
        if inherit is not None and boundary is not None and boundary not in _HARD:
            w0 = head[0][0]
            if (
                self.person(head[0]) is None
                and w0 not in P.DETERMINERS
                and (w0 in _VERBISH or (w0.endswith("ed") and w0 not in P.SYSTEM_NOUNS))
            ):
                return inherit()
        for tok in head:
            cls = self.person(tok)
            if cls is not None:
                return _Subject(cls, tok[0])
        for tok in head:
            if tok[0] in P.SYSTEM_NOUNS:
                return _Subject(Subj.SYSTEM, tok[0])
        return _Subject(Subj.OTHER, head[-1][0])

    def classify_words(self, start: int, end: int) -> _Subject:
        toks = [t for t in self.tokens(start, end) if t[0] not in _PUNCT]
        if not toks:
            return _Subject(Subj.NONE, "")
        return self._classify(toks)

    def any_person(self, start: int, end: int) -> bool:
        for tok in self.tokens(start, end):
            if tok[0] in _PUNCT:
                break
            if self.person((self.possessive(tok)[0], tok[1])) is not None:
                return True
        return False

    # sentences ------------------------------------------------------------------------

    def sentence(self, pos: int) -> tuple[int, int]:
        low = self.low
        start = max(
            low.rfind(". ", 0, pos),
            low.rfind("? ", 0, pos),
            low.rfind("! ", 0, pos),
            low.rfind("\n", 0, pos),
            low.rfind("|", 0, pos),
        )
        m = _SENT_END.search(low, pos)
        return start + 1, (m.end() if m else len(low))

    def is_question(self, pos: int) -> bool:
        _, end = self.sentence(pos)
        return self.low[end - 1 : end] == "?"

    def control_conditional(self, pos: int) -> bool:
        start, end = self.sentence(pos)
        return _CONTROL.search(self.low, start, end) is not None

    def negated(self, pos: int) -> bool:
        return _NEG_BEFORE.search(self.low, max(0, pos - 40), pos) is not None


_QUANTIFIERS = frozenset(
    [
        "one",
        "some",
        "many",
        "most",
        "all",
        "several",
        "none",
        "each",
        "both",
        "any",
        "few",
        "two",
        "three",
        "four",
        "five",
        "half",
        "either",
        "neither",
    ]
)

# --- checks the table refers to by name ----------------------------------------------

_Check = Callable[[_Doc, re.Match[str], int, re.Match[str] | None], bool]


def _check_modal_perfect(
    doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None
) -> bool:
    modal, word = m["modal"], m["w"]
    if doc.is_question(pos) or word in ("to", "had", "been"):
        return False
    if m["been"]:
        allowed = P.COULD_BEEN_PP if modal == "could" else P.DECISION_PP
        if word not in allowed or "automatically" in m.group():
            return False
        veto = _PASSIVE_VETO.match(doc.low, m.end())
        if veto is not None:
            agent = veto["agent"]
            if agent is None or doc.person((agent, veto.start("agent"))) is None:
                return False
        return not (modal == "could" and doc.control_conditional(pos))
    if not _is_participle(word):
        return False
    if word in (P.POSSIBILITY_PP if modal == "could" else P.EXPERIENCE_PP):
        return False
    if word in P.ADJECTIVAL_ED:
        nxt = doc.next_word(m.end())
        if (
            nxt is not None
            and nxt not in _PUNCT
            and nxt not in P.FUNCTION_WORDS
            and not nxt.endswith("ly")
        ):
            return False
    subject = doc.subject(pos)
    allowed_subjects = P.HUMAN if modal == "could" else P.HUMAN | Subj.NONE | Subj.EXTERNAL
    if subject.cls not in allowed_subjects:
        return False
    return not (modal == "could" and doc.control_conditional(pos))


def _check_no_control(doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None) -> bool:
    return not doc.control_conditional(pos)


def _check_failed_to(doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None) -> bool:
    verb = m["v"]
    if verb not in P.DILIGENCE_VERBS and not doc.person_evidence(pos):
        return False  # neither a person nor a fragment about diligence can be involved
    subject = doc.subject(pos)
    if subject.cls in P.HUMAN:
        return not (subject.word in P.AMBIGUOUS_PRONOUNS and verb in P.SYSTEM_VERBS)
    if subject.cls == Subj.EXTERNAL:
        return verb not in P.SYSTEM_VERBS
    if subject.cls == Subj.NONE:
        return verb in P.DILIGENCE_VERBS
    return False


def _check_failure_to(doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None) -> bool:
    toks = doc.tokens(max(0, pos - 60), pos)
    if toks:
        word, poss = doc.possessive(toks[-1])
        if poss:
            return doc.person((word, toks[-1][1])) is not None
    if m["of"]:
        return doc.classify_words(m.start("of"), m.end("of")).cls in P.HUMAN
    return m["v"] in P.DILIGENCE_VERBS


def _check_forgot(doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None) -> bool:
    if re.search(P.PASSIVE_BEFORE, doc.low[max(0, pos - 30) : pos]):
        return True
    return doc.subject(pos).cls in P.NOT_THING


def _check_omission(doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None) -> bool:
    aux, verb = m["aux"], m["v"]
    present = aux.startswith(("do", "don"))
    if aux.startswith("did") or present:
        diligent, knowing = verb in P.DILIGENCE_VERBS, verb in P.KNOWING_VERBS
    elif aux == "never" and verb in P.DILIGENCE_VERBS:
        # "Developers never test their migrations"; a bare "Never deploy on Fridays"
        # is an instruction, which the subject test below rules out.
        diligent, knowing, present = True, False, True
    else:
        diligent, knowing = verb in _DIL_PAST, verb in _KNOW_PAST
    if not (diligent or knowing):
        return False
    subject = doc.subject(pos)
    if present:
        # Habits of people ("people don't read the runbooks"), not instructions.
        return diligent and subject.cls == Subj.THIRD and subject.word not in ("you",)
    if diligent:
        # "We did not read that channel" states a gap plainly; "we failed to" and "we
        # should have" are the counterfactual forms, and they have their own phrases.
        return subject.cls in Subj.THIRD | Subj.NONE
    # Knowing: only an individual. A group's knowledge gap is a finding, not blame.
    return (
        subject.cls == Subj.THIRD
        and subject.word not in P.GROUP_NOUNS
        and subject.word not in P.AMBIGUOUS_PRONOUNS
        and subject.word not in ("you", "everyone", "everybody", "anyone", "anybody")
        and subject.word not in P.NEGATIVE_SUBJECTS
    )


def _check_if_had(doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None) -> bool:
    word = m["w"]
    if word == "been":
        if m["w2"] not in ("more", "careful", "aware", "attentive", "vigilant", "paying"):
            return False
    elif word == "had" or not _is_participle(word) or word in P.EXPERIENCE_PP:
        return False
    return doc.classify_words(m.start("subj"), m.end("subj")).cls in P.HUMAN


def _check_inverted_had(
    doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None
) -> bool:
    word = m["w"]
    if word in ("had", "been") or not _is_participle(word) or word in P.EXPERIENCE_PP:
        return False
    return doc.classify_words(m.start("subj"), m.end("subj")).cls in P.HUMAN


def _check_without_ing(doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None) -> bool:
    # Only a third party: "we release it ... without testing" describes our process,
    # "Kevin ran it without checking" points at a person.
    return m["v"] in _DIL_ING and doc.subject(pos).cls == Subj.THIRD


def _check_passive_alert(
    doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None
) -> bool:
    start, _ = doc.sentence(pos)
    words = _WORD.findall(doc.low, start, pos)
    return any(w in P.ALERTISH for w in words[-8:])


def _check_subject_group_human(
    doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None
) -> bool:
    return doc.classify_words(m.start("subj"), m.end("subj")).cls in P.HUMAN


def _check_not_prevention(
    doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None
) -> bool:
    start, _ = doc.sentence(pos)
    if _PREVENTION.search(doc.low, max(start, pos - 70), pos):
        return False
    after = doc.low[m.end() : m.end() + 30]
    return not re.match(
        r"[\s-]*(?:-prone|-proof|proof|harder|less\s+likely|unlikely|impossible|rarer)\b", after
    )


def _np_person(doc: _Doc, m: re.Match[str]) -> bool:
    first = m["np"].split(maxsplit=1)[0] if m["np"].strip() else ""
    if first in P.CLAUSE_WORDS or first in P.PREPOSITIONS:
        return False  # "suspended while we investigated": no object, a new clause
    subject = doc.classify_words(m.start("np"), m.end("np"))
    if subject.cls not in P.HUMAN or subject.word in P.NEGATIVE_SUBJECTS:
        return False
    # "due to human error" is B104's; do not report it twice.
    return not re.search(r"\b(?:error|errors|mistake|mistakes)\b", m["np"])


def _check_np_person(doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None) -> bool:
    return _np_person(doc, m)


def _check_np_any_person(
    doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None
) -> bool:
    if re.search(r"\b(?:error|errors|mistake|mistakes)\b", m["np"]):
        return False  # "root cause: operator error" is B104's
    return doc.any_person(m.start("np"), m.end("np"))


def _check_owner_person(
    doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None
) -> bool:
    if before is None or before["owner"] is None:
        return False
    cls = doc.person((before["owner"], before.start("owner")))
    return cls is not None and cls in P.HUMAN


def _check_not_negative_subject(
    doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None
) -> bool:
    return doc.subject(pos).word not in P.NEGATIVE_SUBJECTS


def _check_interrogative(
    doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None
) -> bool:
    toks = doc.tokens(max(0, pos - 40), pos)
    if not toks:
        return True
    prev = toks[-1][0]
    return prev in _PUNCT or prev in ("and", "but", "so", "-") or prev in P.QUESTION_LEADERS


def _check_why_person(doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None) -> bool:
    subject = doc.classify_words(m.start("subj"), m.end("subj"))
    if subject.cls != Subj.THIRD:
        return False
    aux = m["aux"]
    if aux in ("weren't", "wasn't"):
        return subject.word in ("you", "he", "she", "they")
    if aux in ("did", "would", "had"):
        # "Why did they hit the limit?" often asks about affected people; a plain why
        # is only aimed at someone when it names one person or "you".
        return subject.word not in P.AMBIGUOUS_PRONOUNS and subject.word not in P.GROUP_NOUNS
    return True


def _check_not_temporal(
    doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None
) -> bool:
    # "obvious once the logs were available" tells the story forward.
    return not re.match(r"\s+(?:only\s+)?(?:once|after|when|as\s+soon\s+as)\b", doc.low[m.end() :])


def _check_not_missed_neutral(
    doc: _Doc, m: re.Match[str], pos: int, before: re.Match[str] | None
) -> bool:
    # "missed" is mostly neutral ("the page was missed", "we missed the SLO"); it only
    # reads as blame when what was missed is a signal someone was expected to act on.
    if m.group().startswith("overlook"):
        return True
    return any(
        w in P.ALERTISH or w in ("typo", "bug", "error", "step", "check", "review")
        for w in _WORD.findall(m.group())
    )


_CHECKS: dict[str, _Check] = {
    "not_missed_neutral": _check_not_missed_neutral,
    "not_temporal": _check_not_temporal,
    "modal_perfect": _check_modal_perfect,
    "no_control": _check_no_control,
    "failed_to": _check_failed_to,
    "failure_to": _check_failure_to,
    "forgot": _check_forgot,
    "omission": _check_omission,
    "if_had": _check_if_had,
    "inverted_had": _check_inverted_had,
    "without_ing": _check_without_ing,
    "passive_alert": _check_passive_alert,
    "subject_group_human": _check_subject_group_human,
    "not_prevention": _check_not_prevention,
    "np_person": _check_np_person,
    "np_any_person": _check_np_any_person,
    "owner_person": _check_owner_person,
    "not_negative_subject": _check_not_negative_subject,
    "interrogative": _check_interrogative,
    "why_person": _check_why_person,
}


# --- rule metadata --------------------------------------------------------------------


def _rule(
    code: str,
    name: str,
    severity: Severity,
    message: str,
    suggestion: str,
    bad: list[str],
    good: list[str],
) -> RuleInfo:
    group = {"B": "blame", "N": "naming", "A": "actions"}[code[0]]
    return RuleInfo(code, name, group, severity, message, suggestion, bad, good)


RULES: list[RuleInfo] = [
    _rule(
        "B101",
        "blame.counterfactual",
        "warning",
        "Counterfactual about a person: it says what someone did not do instead of what happened.",
        "Describe what the person saw and did and why it made sense at the time, then name "
        "the missing safeguard (e.g. 'the deploy tool did not show which cluster was "
        "targeted').",
        [
            "The on-call engineer should have checked the replication lag.",
            "Unfortunately we failed to verify that the agent was running.",
            "The SRE forgot to renew the certificate.",
            "If the developer had run the tests, this would not have happened.",
            "The change shouldn't have been rushed to production.",
            "The reviewer didn't check the diff.",
        ],
        [
            "The health check failed to detect the stale replica.",
            "Each service should have an owner.",
            "Downstream jobs should have been automatically corrected as the backlog drained.",
            "What could we have done to detect this earlier?",
            "A retry with backoff would have absorbed the burst.",
        ],
    ),
    _rule(
        "B102",
        "blame.hindsight",
        "warning",
        "Hindsight: the outcome makes the signs look obvious, but they were not at the time.",
        "Tell it forward: which signals were available then, what competed for attention, "
        "and what made the signals easy to miss.",
        [
            "In hindsight, the warning signs were all there.",
            "It was obvious that the disk would fill up.",
            "The DBA should have known that the rebuild would lock the table.",
            "How could they not have noticed?",
        ],
        [
            "It became clear at 10:20 that the primary was out of disk.",
            "The cause was not obvious from the dashboards we had.",
            "We write the timeline forward to avoid hindsight bias.",
        ],
    ),
    _rule(
        "B103",
        "blame.judgement",
        "error",
        "Judgement word: it attributes the outcome to someone's character.",
        "Describe the action and the conditions around it (time pressure, tooling, the "
        "information available) without judging the person.",
        [
            "The operator was careless with the change ticket.",
            "The administrator showed poor judgement by disabling the alarms.",
            "We were also far too lax.",
            "The on-call ignored the disk space alert.",
        ],
        [
            "The lax default in the manifest parser accepted malformed routes.",
            "The on-call had poor visibility into the queue depth.",
            "The script carefully checks each host before restarting it.",
        ],
    ),
    _rule(
        "B104",
        "blame.human-error",
        "error",
        "'Human error' given as a cause: it is where the investigation starts, not where it ends.",
        "Ask what made the action easy to take and hard to catch: missing guard rails, "
        "confusing tooling, an unclear runbook, a default that pointed at production.",
        [
            "Root cause: operator error.",
            "Prod database partially wiped due to human error.",
            "The second outage was due to user error.",
        ],
        [
            "We automated the failover to remove the risk of human error.",
            'The service logged "operator error: invalid token" for each rejected request.',
        ],
    ),
    _rule(
        "B105",
        "blame.fault",
        "error",
        "Assigns fault to a person.",
        "Describe the change and the conditions that let it cause harm: 'a change to the "
        "firewall rules' rather than who made it.",
        [
            "It was Dave's fault for merging without a review.",
            "The intern is to blame for the deleted bucket.",
            "The outage was caused by an engineer running a cleanup script.",
            "The developer broke the build by pushing directly to main.",
        ],
        [
            "It was nobody's fault.",
            "The upgrade broke DNS resolution for pods.",
            "The outage was caused by a race condition in the lock manager.",
            "A page fault storm slowed every request.",
        ],
    ),
    _rule(
        "B106",
        "blame.punitive",
        "error",
        "Punitive outcome in a blameless review.",
        "Leave personnel matters out of the postmortem; describe the systemic changes instead.",
        [
            "The engineer responsible has been disciplined.",
            "The contractor who pushed the bad config was fired.",
            "The person who pushed the change will face disciplinary action.",
        ],
        [
            "The alert fired at 02:14 and paged the on-call engineer.",
            "Nobody was disciplined; the review focused on the deploy tool.",
            "The instance was terminated by the autoscaler.",
        ],
    ),
    _rule(
        "B107",
        "blame.who-question",
        "warning",
        "Asks who, or asks a person to justify themselves.",
        "Ask what and how: 'What did the responder see?', 'How did the change reach "
        "production without a review?'",
        [
            "Who approved this change?",
            "Whoever merged this PR without tests needs to explain.",
            "Why didn't the on-call escalate sooner?",
        ],
        [
            "The engineer who approved the change had the same information as the author.",
            "Why did the pods crash after the upgrade?",
            "Alerts are routed to whoever is on call.",
        ],
    ),
    _rule(
        "B108",
        "blame.minimiser",
        "info",
        "Treats a judgement as common knowledge or the task as trivial.",
        "Say what was actually documented and known at the time; if it was tribal "
        "knowledge, that is a finding in itself.",
        [
            "Everyone knows you never deploy on a Friday.",
            "All he had to do was read the runbook.",
            "Of course, the reviewer approved it anyway.",
        ],
        ["We just had to wait for the backlog to drain.", "The course of events was unclear."],
    ),
    _rule(
        "B109",
        "blame.be-careful",
        "warning",
        "Relies on people being more careful.",
        "Propose a mechanism instead: an automated check, a guard rail in the tool, a safe "
        "default, or an alert with a threshold.",
        [
            "Engineers need to be more careful when editing DNS records.",
            "Engineers should pay more attention to the deploy dashboard.",
            "Remind engineers to check the target environment.",
        ],
        [
            "The team is careful to keep postmortems blameless.",
            "Add a confirmation prompt when the target context is production.",
        ],
    ),
    # Examples need a configured phrase, so the table leaves them empty; see the tests.
    _rule(
        "B110",
        "blame.custom-phrase",
        "warning",
        "Uses a phrase that this repository's mortem.toml lists as blaming.",
        "Reword the sentence without the configured phrase.",
        [],
        [],
    ),
    _rule(
        "N101",
        "naming.person",
        "info",
        "Names a person in the narrative.",
        "Refer to the role ('the on-call engineer', 'a responder') unless the name is "
        "needed, for example as an action item's owner.",
        ["@jordan rolled back the release.", "Alex restarted the pod at 14:05."],
        ["The on-call engineer restarted the pod at 14:05.", "Monitor the queue depth."],
    ),
    _rule(
        "A201",
        "action.vague",
        "warning",
        "Action item wording is vague: you cannot tell when it is done.",
        "Name the concrete deliverable and how you will know it is finished: a threshold "
        "('alert when errors > 1% for 5 minutes'), a number, a check that runs "
        "automatically, or a dated artifact.",
        [
            "Improve monitoring",
            "Investigate monitoring for this scenario.",
            "Fix the issue that caused the outage.",
            "Be more careful when running migrations",
            "Monitor Kubernetes deployments for timeouts",
        ],
        [
            "Add alerting for all cases where this service returns >1% errors.",
            "Add automated presubmit check for schema changes.",
            "Monitor replica lag and page when it exceeds 30 seconds.",
        ],
    ),
    _rule(
        "A202",
        "action.no-verb",
        "warning",
        "Action item title does not start with a verb.",
        "Start with the action: 'Add an alert when disk usage > 85%' instead of "
        "'Monitoring for disk usage'.",
        ["Monitoring for disk usage", "Better alerts", "Flux metrics and alerts"],
        ["Version lock Flux", "Add an integration test for ReadableStream bodies."],
    ),
]
_RULE = {r.code: r for r in RULES}

# Per-code wording of a hit; the phrase itself is quoted in the message.
_HIT_MESSAGES = {
    "B101": "counterfactual {q}: it says what someone did not do instead of what happened",
    "B102": "hindsight {q}: the outcome was not known at the time",
    "B103": "judgement {q} attributes the outcome to a person's character",
    "B104": "{q} given as a cause: human error is where the analysis starts, not its end",
    "B105": "{q} assigns fault to a person",
    "B106": "punitive outcome {q} in a blameless review",
    "B107": "{q} asks who, or asks a person to justify themselves",
    "B108": "{q} treats a judgement as common knowledge or the task as trivial",
    "B109": "{q} relies on people being more careful",
    "B110": "{q} is listed as a blaming phrase in mortem.toml",
    "N101": "names a person ({q}) in the narrative",
}


def _hit(code: str, doc_text: str, start: int, end: int) -> Hit:
    phrase = " ".join(doc_text[start:end].split())
    message = _HIT_MESSAGES[code].format(q=repr(phrase))
    return Hit(code, start, end, message, _RULE[code].suggestion)


# --- blame ----------------------------------------------------------------------------


def _phrase_hit(doc: _Doc, c: _Compiled, pos: int) -> tuple[int, int] | None:
    m = c.rx.match(doc.low, pos)
    if m is None:
        return None
    start = pos
    before: re.Match[str] | None = None
    lo = max(0, pos - 90)
    if c.not_before is not None and c.not_before.search(doc.low, lo, pos):
        return None
    if c.before is not None:
        before = c.before.search(doc.low, lo, pos)
        if before is None:
            return None
        if "lead" in c.before.groupindex and before["lead"] is not None:
            start = before.start("lead")
    phrase = c.phrase
    if phrase.negatable and (
        doc.negated(start) or _NEGATIVE_LEAD.match(doc.low, start, pos) is not None
    ):
        return None
    if phrase.subject is not None:
        if Subj.NONE not in phrase.subject and not doc.person_evidence(pos):
            return None
        if doc.subject(pos).cls not in phrase.subject:
            return None
    if phrase.check is not None and not _CHECKS[phrase.check](doc, m, pos, before):
        return None
    end = m.end()
    while end > start and doc.low[end - 1].isspace():
        end -= 1
    return start, end


@functools.lru_cache(maxsize=32)
def _extra_regex(extra: tuple[str, ...]) -> re.Pattern[str] | None:
    alts = [
        r"\s+".join(re.escape(w) for w in p.translate(_STRAIGHTEN).lower().split())
        for p in extra
        if p.strip()
    ]
    if not alts:
        return None
    alts.sort(key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])")


def _dedupe(hits: list[Hit], across_codes: bool = True) -> list[Hit]:
    hits.sort(key=lambda h: (h.start, -h.end))
    kept: list[Hit] = []
    for h in hits:
        # One finding per phrase: a span inside another finding adds nothing.
        if any(
            k.start <= h.start and h.end <= k.end and (across_codes or k.code == h.code)
            for k in kept[-4:]
        ):
            continue
        kept.append(h)
    return kept


def blame_hits(
    text: str, names: frozenset[str] = frozenset(), extra_phrases: tuple[str, ...] = ()
) -> list[Hit]:
    """B-rule findings in one prose fragment (a paragraph, a list item, an event)."""
    prepared = _prepare(text)
    positions = _anchor_positions(prepared)
    if not positions and not extra_phrases:
        return []
    doc = _Doc(prepared, _names(frozenset(names)) if names else _NO_NAMES)
    hits: list[Hit] = []
    for pos, anchor in positions:
        patterns = _patterns(anchor)
        if patterns.quick.match(prepared.low, pos) is None:
            continue
        for compiled in patterns.phrases:
            span = _phrase_hit(doc, compiled, pos)
            if span is not None:
                hits.append(_hit(compiled.phrase.code, prepared.text, span[0], span[1]))
                break
    if extra_phrases:
        extra = _extra_regex(tuple(extra_phrases))
        if extra is not None:
            hits.extend(
                _hit("B110", prepared.text, m.start(), m.end()) for m in extra.finditer(doc.low)
            )
    return _dedupe(hits)


def is_blaming(text: str, names: frozenset[str] = frozenset()) -> bool:
    return bool(blame_hits(text, names))


# --- naming ---------------------------------------------------------------------------

_HANDLE = re.compile(r"@[a-z0-9](?:[a-z0-9_.-]*[a-z0-9_])?")
_CAPITALISED = re.compile(r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?")
_SURNAME = re.compile(r"\s([a-z][a-z'-]+)")
_HANDLE_BEFORE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.@/-")
_NAME_BEFORE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.@-")


def name_hits(text: str, names: frozenset[str]) -> list[Hit]:
    """N101: a person's name, roster key or @handle in narrative text."""
    prepared = _prepare(text)
    low, orig = prepared.low, prepared.text
    info = _names(frozenset(names)) if names else _NO_NAMES
    spans: list[tuple[int, int]] = [
        (m.start(), m.end())
        for m in _HANDLE.finditer(low)
        if m.start() == 0 or low[m.start() - 1] not in _HANDLE_BEFORE
    ]
    for first, pattern in info.patterns:
        if first not in low:  # a substring test in C rules most names out
            continue
        for m in pattern.finditer(low):
            start = m.start()
            if start > 0 and low[start - 1] == "@":
                start -= 1
            elif start > 0 and low[start - 1] in _NAME_BEFORE:
                continue
            if m.group() in info.capital_only and not orig[m.start()].isupper():
                continue
            spans.append((start, m.end()))
    for m in _CAPITALISED.finditer(orig):
        if low[m.start() : m.end()] not in P.FIRST_NAMES:
            continue
        if m.start() > 0 and low[m.start() - 1] in _NAME_BEFORE:
            continue
        end = m.end()
        surname = _SURNAME.match(low, end)
        if surname is not None and orig[surname.start(1)].isupper():
            end = surname.end()
        spans.append((m.start(), end))
    spans.sort(key=lambda s: (s[0], -s[1]))
    hits: list[Hit] = []
    last_end = -1
    for start, end in spans:
        if start < last_end:
            continue
        end = start + len(orig[start:end].rstrip("'s")) if orig[start:end].endswith("'s") else end
        hits.append(_hit("N101", orig, start, end))
        last_end = end
    return hits


# --- action items ---------------------------------------------------------------------

_LEAD = re.compile(
    r"\s*(?:[-*+\u2022]\s+|\d+[.)]\s+)?(?:\[[ x]\]\s*)?(?:[\u2705\u274c\u2610\u2611\u2714\ufe0f]\s*)*"
    r"(?:\*\*|__)?(?:(?:todo|action|ai|a)\s*-?\d*\s*[:.)-]\s+)?"
)
_HEAD_END = re.compile(r"\s[-\u2013\u2014]\s|:\s|\(|;")
_STRONG = tuple((re.compile(rx), kind) for rx, kind in P.VAGUE_STRONG)
_VAGUE_VERB_PHRASES = tuple(re.compile(rx) for rx in P.VAGUE_VERB_PHRASES)
_GOALS = tuple(re.compile(rx) for rx in P.VAGUE_GOALS)
_MEASURE = re.compile(P.MEASURE)
_MODALS = frozenset(
    ["might", "may", "could", "should", "would", "must", "is", "are", "was", "were"]
)

_ACTION_MESSAGES = {
    "open": (
        "{q} is an open-ended activity, not an outcome",
        "Name the deliverable and when it is done: the concrete change itself, or 'write a "
        "one-page decision on X (adopt or drop) by <date>'.",
    ),
    "people": (
        "{q} relies on people remembering or trying harder",
        "Replace it with a mechanism that works on a bad day: an automated check in CI, a "
        "guard rail or confirmation step in the tool, or an alert with a threshold.",
    ),
    "followup": (
        "{q} has no end state",
        "Say what the follow-up produces and by when: 'get the vendor's incident report and "
        "add its fixes here by <date>'.",
    ),
    "fix": (
        "{q} does not say which change fixes it",
        "Name the specific change: 'reject postal codes longer than 10 characters in the "
        "address form'.",
    ),
    "hedge": (
        "{q} is a hedge that leaves the scope open",
        "Drop the hedge and state the scope: which services, which cases, by when.",
    ),
    "weak": (
        "{q} without a measurable target",
        "Add the number that tells you it is done (from X to Y, a threshold, a deadline) or "
        "name the concrete change.",
    ),
    "monitor": (
        "{q} without a threshold",
        "Say what is measured and when it alerts: 'alert when disk usage > 85% for 10 minutes'.",
    ),
    "goal": (
        "comparative goal {q} without a measure",
        "Replace the comparative with a target: how many, how fast, which threshold, which "
        "concrete deliverable.",
    ),
    "noverb": (
        "title does not start with a verb ({q})",
        "Start with the action: 'Add an alert when disk usage > 85%' instead of 'Monitoring "
        "for disk usage'.",
    ),
}


def _action_hit(code: str, kind: str, orig: str, start: int, end: int) -> Hit:
    message, suggestion = _ACTION_MESSAGES[kind]
    phrase = " ".join(orig[start:end].split())
    return Hit(code, start, end, message.format(q=repr(phrase)), suggestion)


def _base_verb(word: str) -> str:
    if word.endswith("ing") and len(word) > 5:
        stem = word[:-3]
        for candidate in (stem, stem + "e", stem[:-1]):
            if candidate in P.ACTION_VERBS:
                return candidate
    return word


_VERB_PREFIXES = ("re", "auto", "pre", "un", "de", "dis", "co", "over", "under", "mis")
_VERB_SUFFIXES = ("ize", "ise", "ify", "ate")
_OBJECT_STARTS = P.DETERMINERS | frozenset(
    ["it", "them", "us", "up", "down", "out", "off", "on", "in", "to"]
)


def _known_verb(word: str) -> bool:
    if word in P.ACTION_VERBS:
        return True
    if "-" in word and any(part in P.ACTION_VERBS for part in word.split("-")):
        return True  # rate-limit, load-test, re-run
    return any(
        word.startswith(pre) and word[len(pre) :] in P.ACTION_VERBS for pre in _VERB_PREFIXES
    )


def _starts_with_verb(words: list[str]) -> bool:
    first = words[0]
    nxt = words[1] if len(words) > 1 else None
    if _known_verb(first):
        return True
    if first in P.COMPOUND_VERB_HEADS and nxt is not None and _known_verb(nxt):
        return True
    if first.endswith("ing") and len(first) > 4:
        return nxt is not None and nxt not in P.PREPOSITIONS and nxt not in ("and", "or")
    if first in P.NON_VERB_STARTS or first.endswith(P.NOUN_SUFFIXES):
        return False
    if first.endswith(_VERB_SUFFIXES):
        return True
    # An unknown word followed by an object ("Shed the load", "Size it") is an
    # imperative; followed by another noun ("Flux metrics and alerts") it is a label.
    if nxt is not None and (nxt in _OBJECT_STARTS or nxt[:1].isdigit()):
        return True
    for word in words[1:3]:
        if word in _MODALS:
            return False
        if _known_verb(word):
            return True
    return False


def vague_action_hits(title: str) -> list[Hit]:
    """A201/A202 findings on one action item's title."""
    prepared = _prepare(title)
    low, orig = prepared.low, prepared.text
    lead = _LEAD.match(low)
    s0 = lead.end() if lead else 0
    cut = _HEAD_END.search(low, s0 + 1)
    head_end = cut.start() if cut else len(low)
    measured = _MEASURE.search(low) is not None
    hits: list[Hit] = []
    for rx, kind in _STRONG:
        for m in rx.finditer(low, s0, head_end):
            hits.append(_action_hit("A201", kind, orig, m.start(), m.end()))
    words = [(m.group(), m.start()) for m in _WORD.finditer(low, s0, len(low))]
    if words and not measured:
        first, at = words[0]
        base = _base_verb(first)
        if base in P.VAGUE_VERBS:
            kind = "monitor" if base == "monitor" else "weak"
            hits.append(_action_hit("A201", kind, orig, at, at + len(first)))
        for rx in _VAGUE_VERB_PHRASES:
            verb = rx.match(low, at)
            if verb is not None:
                hits.append(_action_hit("A201", "weak", orig, verb.start(), verb.end()))
        for rx in _GOALS:
            for goal in rx.finditer(low, s0, head_end):
                hits.append(_action_hit("A201", "goal", orig, goal.start(), goal.end()))
    if words and not _starts_with_verb([w for w, _ in words[:4]]):
        first, at = words[0]
        hits.append(_action_hit("A202", "noverb", orig, at, at + len(first)))
    return _dedupe(hits, across_codes=False)


def is_vague_action(title: str) -> bool:
    return bool(vague_action_hits(title))
