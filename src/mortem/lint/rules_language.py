"""B, N and A2: the language rules of `language.py`, run on every piece of prose.

`language.py` knows how a sentence blames; this module knows where the sentences are
(see `Context.segments`), who counts as a person in this file (the front matter's
people and the roster), where names are expected rather than blaming, and how to turn
a hit into a finding with its file position and, for names, a fix.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from . import language
from .context import Context, Segment
from .findings import Fix, Loc
from .options import Person

PEOPLE_FIELDS = ("authors", "responders", "facilitator")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]")
# Everything but letters, digits, apostrophes and hyphens separates words.
SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Names:
    all: frozenset[str]
    role_of: dict[str, str] = field(default_factory=dict)  # spelling -> "the sre"
    # first word (lower case) -> (spelling, all its words), to find the names in a text
    by_word: dict[str, list[tuple[str, tuple[str, ...]]]] = field(default_factory=dict)


def _index(spellings: set[str]) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    index: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for spelling in spellings:
        parts = tuple(spelling.lower().lstrip("@").split())
        if parts:
            index.setdefault(parts[0], []).append((spelling, parts))
    return index


def _front_people(ctx: Context) -> list[str]:
    data = ctx.data
    found: list[str] = []
    for key in PEOPLE_FIELDS:
        value = data.get(key)
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            found += [v for v in value if isinstance(v, str)]
    # A wrong type (`action_items: 3`) is the format rules' finding, not a crash here.
    for item in _list(data.get("action_items")):
        if isinstance(item, dict) and isinstance(item.get("owner"), str):
            found.append(item["owner"])
    for review in _list(data.get("reviews")):
        if isinstance(review, dict) and isinstance(review.get("reviewers"), list):
            found += [r for r in review["reviewers"] if isinstance(r, str)]
    return found


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


class _Spellings:
    """Collects spellings of names, leaving out the configured non-names."""

    def __init__(self, allowed: frozenset[str]) -> None:
        self.allowed = allowed
        self.all: set[str] = set()
        self.role_of: dict[str, str] = {}

    def add(self, spelling: str, role: str | None) -> None:
        spelling = spelling.strip()
        if not spelling or spelling in self.allowed:
            return
        words = spelling.lstrip("@").split()
        if words and words[0] in self.allowed:
            return
        self.all.add(spelling)
        if role and spelling not in self.role_of:
            self.role_of[spelling] = role


_ROSTERS: dict[int, tuple[tuple[Person, ...], _Spellings, dict[str, Any]]] = {}


def _roster(people: tuple[Person, ...], allowed: frozenset[str]) -> _Spellings:
    return _roster_entry(people, allowed)[1]


def _roster_index(
    people: tuple[Person, ...], allowed: frozenset[str]
) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    return _roster_entry(people, allowed)[2]


def _roster_entry(
    people: tuple[Person, ...], allowed: frozenset[str]
) -> tuple[tuple[Person, ...], _Spellings, dict[str, Any]]:
    """The roster's spellings, once per run: keyed by identity, because hashing a
    roster of a hundred people for every file would cost more than the lookup saves."""
    entry = _ROSTERS.get(id(people))
    if entry is None or entry[0] is not people:
        spellings = _build_roster(people, allowed)
        entry = (people, spellings, _index(spellings.all))
        _ROSTERS.clear()
        _ROSTERS[id(people)] = entry
    return entry


def _build_roster(people: tuple[Person, ...], allowed: frozenset[str]) -> _Spellings:
    """The roster's spellings: key, @key, full name and first name of everyone."""
    found = _Spellings(allowed)
    for person in people:
        found.add(person.key, person.role)
        found.add("@" + person.key, person.role)
        found.add(person.name, person.role)
        parts = person.name.split()
        if len(parts) > 1:
            found.add(parts[0], person.role)
    return found


def names_for(ctx: Context) -> Names:
    """Every spelling of every person this file may name, computed once per file."""
    cached = ctx.memo.get("names")
    if isinstance(cached, Names):
        return cached
    config = ctx.config
    roster = _roster(config.people, config.allowed_names)
    extra = _Spellings(config.allowed_names)
    roster_keys = {p.key for p in config.people}
    for who in _front_people(ctx):
        # Free-form people in the front matter: handles and capitalised names only,
        # because a lower-case owner like `payments` is a team, not a person.
        if who in roster_keys:
            continue
        if who.startswith("@"):
            extra.add(who, None)
            extra.add(who[1:], None)
        elif _CAPITALISED.search(who):
            extra.add(who, None)
            parts = who.split()
            if len(parts) > 1:
                extra.add(parts[0], None)
    if extra.all:
        index = dict(_roster_index(config.people, config.allowed_names))
        for first, entries in _index(extra.all).items():
            index[first] = [*index.get(first, []), *entries]
    else:
        index = _roster_index(config.people, config.allowed_names)
    names = Names(frozenset(roster.all | extra.all), roster.role_of, index)
    ctx.memo["names"] = names
    return names


def present(names: Names, text: str) -> frozenset[str]:
    """The names whose every word occurs in `text`: all that a search there could find.

    The language functions compile the names they are given into one pattern, and a
    roster of a hundred people makes that pattern slow; a file mentions a few of them.
    """
    words = language.words(text)
    owners = language.possessed(text)
    firsts = names.by_word.keys() & words
    if owners:
        words = words + owners
        firsts |= names.by_word.keys() & owners
    found = set()
    every: set[str] | None = None  # all the words, built only for a name of two or more
    for word in firsts:
        for spelling, parts in names.by_word[word]:
            if len(parts) > 1:
                if every is None:
                    every = set(words)
                if not all(part in every for part in parts[1:]):
                    continue
            found.add(spelling)
    return frozenset(found)


_VAGUE: dict[str, list[language.Hit]] = {}
# The benchmark turns the memo off: its generated corpus reuses titles far more than
# a real repository does. A flag and not a patched function, as this module may be
# compiled, and compiled code calls its own functions directly.
REMEMBER_TITLES = True


def _vague(title: str) -> list[language.Hit]:
    """`vague_action_hits`, remembered: it is a pure function of the title, the
    costliest call per item, and teams reuse titles ("Add an alert for ...")."""
    if not REMEMBER_TITLES:
        return language.vague_action_hits(title)
    hits = _VAGUE.get(title)
    if hits is None:
        hits = language.vague_action_hits(title)
        if len(_VAGUE) > 50_000:
            _VAGUE.clear()
        _VAGUE[title] = hits
    return hits


def check(ctx: Context) -> None:
    enabled = ctx.config.enabled
    want_blame = any(c.startswith("B") for c in enabled)
    want_names = "N101" in enabled
    want_vague = any(c.startswith("A2") for c in enabled)
    if not (want_blame or want_names or want_vague):
        return
    segments = list(ctx.segments())
    if not segments:
        return
    # All prose of the file goes to the language functions in one text: a line break
    # ends a clause for them, so joining with blank lines changes no result, and one
    # call costs far less than fifty.
    joined = SEPARATOR.join(s.text for s in segments)
    starts = []
    at = 0
    for segment in segments:
        starts.append(at)
        at += len(segment.text) + len(SEPARATOR)
    names = names_for(ctx)
    found = present(names, joined)
    ctx.memo["names_present"] = found
    hits: list[language.Hit] = []
    if want_blame:
        hits += language.blame_hits(joined, found, ctx.config.extra_phrases)
    if want_names:
        hits += language.name_hits(joined, found)
    allowed = {a.lower() for a in ctx.config.allowed_names}
    placed: list[tuple[Segment, language.Hit]] = []
    by_loc: dict[Loc, list[language.Hit]] = {}
    if want_blame and want_names:
        ctx.memo["language_hits"] = by_loc  # for W104, which reads the last why's hits
    for hit in hits:
        index = bisect.bisect_right(starts, hit.start) - 1
        segment = segments[index]
        local_start = hit.start - starts[index]
        local_end = hit.end - starts[index]
        if local_end > len(segment.text):
            continue  # across two pieces of prose: not a real phrase
        local = language.Hit(hit.code, local_start, local_end, hit.message, hit.suggestion)
        if segment.loc is not None:
            by_loc.setdefault(segment.loc, []).append(local)
        if hit.code == "N101" and (
            segment.names_allowed or _is_allowed(joined[hit.start : hit.end], allowed)
        ):
            continue
        placed.append((segment, local))
    if want_vague:
        for segment in segments:
            if segment.kind == "action":
                placed += [(segment, h) for h in _vague(segment.text)]
    for segment, hit in placed:
        start, end = segment.span(ctx, hit.start, hit.end)
        fix = _name_fix(segment, hit, names) if hit.code == "N101" else None
        ctx.report(hit.code, start, end, hit.message, hit.suggestion, fix)


def _is_allowed(spelled: str, allowed: set[str]) -> bool:
    """A configured non-name: 'SAM' the module, 'Jan' the month, spelled any case."""
    if not allowed:
        return False
    words = spelled.lstrip("@").lower().split()
    return " ".join(words) in allowed or (bool(words) and words[0] in allowed)


def _name_fix(segment: Segment, hit: language.Hit, names: Names) -> Fix | None:
    """Replace a roster name by the person's role: 'the payments engineer'."""
    spelled = segment.text[hit.start : hit.end]
    role = names.role_of.get(spelled) or names.role_of.get(spelled.lstrip("@"))
    if role is None:
        for spelling, candidate in names.role_of.items():
            if spelling.lower() == spelled.lower():
                role = candidate
                break
    if role is None:
        return None
    before = segment.text[: hit.start].rstrip()
    if not before or before[-1] in ".!?:":
        role = role[0].upper() + role[1:]
    if segment.node is None:
        start, end = segment.start + hit.start, segment.start + hit.end
        return Fix(f"write {role!r} instead of the name", start, end, role)
    return Fix(f"write {role!r} instead of the name", hit.start, hit.end, role, segment.loc)
