"""Earlier postmortems like this one: by their words, services, tags and factors.

The text side picks the target's salient words (frequent in it, rare in the repository:
tf-idf over the FTS5 vocabulary) and ranks the other postmortems by bm25 over those
words. The structured side adds what people recognise at a glance: the same service,
the same tag, the same contributing-factor category. Each result says why it matched,
because a list of "similar" incidents nobody can explain is not trusted.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from .errors import NotFoundError
from .index import Index
from .search import BM25, TOKEN_PATTERN, Term

# How much a word counts by where it sits in the target (title says the most).
COLUMN_WEIGHTS = {
    "title": 3.0,
    "summary": 2.0,
    "narrative": 1.0,
    "whys": 2.0,
    "factors": 2.0,
    "actions": 1.5,
}
SALIENT_TERMS = 12
STEMS_LOOKED_UP = 48
TEXT_CANDIDATES = 100
STRUCTURED_CANDIDATES = 500

# Score parts: a strong text match is worth about two shared services.
TEXT_WEIGHT = 2.0
SERVICE_WEIGHT = 1.0
TAG_WEIGHT = 0.5
CATEGORY_WEIGHT = 0.4

_WORD = re.compile(r"[^\W\d_][^\W_]{2,}")
# A template's guidance sits in HTML comments: it is the template's words, not the story's.
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_STOPWORD_TEXT = """
    about above after again against all also and any are because been before being below
    between both but can could did does doing down during each few for from further had
    has have having her here hers him his how into its itself just more most not now off
    once only other our ours out over own same she should some such than that the their
    theirs them then there these they this those through too under until very was were
    what when where which while who whom why will with would you your yours we us it is
    be an as at by if in of on or so to up no do me my was via per one two new
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class Related:
    id: str
    title: str | None
    started_at: str | None
    score: float
    services: tuple[str, ...]  # shared with the target
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    words: tuple[str, ...]  # the target's salient words this one also contains

    @property
    def reason(self) -> str:
        parts = []
        if self.services:
            parts.append("same service " + ", ".join(self.services))
        if self.tags:
            parts.append("tag " + ", ".join(self.tags))
        if self.categories:
            parts.append("factor " + ", ".join(self.categories))
        if self.words:
            parts.append("words: " + ", ".join(self.words))
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "started_at": self.started_at,
            "score": round(self.score, 3),
            "reason": self.reason,
            "services": list(self.services),
            "tags": list(self.tags),
            "categories": list(self.categories),
            "words": list(self.words),
        }


@dataclass(frozen=True)
class _Target:
    id: str
    started_at: str | None
    services: frozenset[str]
    tags: frozenset[str]
    categories: frozenset[str]
    texts: dict[str, str]


def related(index: Index, doc_id: str, limit: int = 5) -> list[Related]:
    """The earlier postmortems most like `doc_id`, best first, each with its reasons."""
    conn = index.ensure_fresh()
    target = _load_target(conn, doc_id)
    # A category name in the factors text is already counted as a shared factor.
    terms = [t for t in salient_terms(conn, target.texts) if t[0] not in target.categories]
    found = _text_candidates(conn, target, [word for word, _ in terms])
    text_scores = {doc_id: score for doc_id, (_, score) in found.items()}
    candidates = dict.fromkeys(text_scores)
    candidates.update(dict.fromkeys(_structured_candidates(conn, target)))
    candidates.pop(target.id, None)
    if not candidates:
        return []
    rows = [r for r in _metadata(conn, list(candidates)) if _earlier(r[2], target.started_at)]
    best_text = max((text_scores.get(r[0], 0.0) for r in rows), default=0.0) or 1.0
    scored: list[Related] = []
    for cid, title, started, services, tags, factors in rows:
        shared_services = tuple(s for s in json.loads(services or "[]") if s in target.services)
        shared_tags = tuple(t for t in json.loads(tags or "[]") if t in target.tags)
        categories = {f.get("category") for f in json.loads(factors or "[]") if isinstance(f, dict)}
        shared_categories = tuple(sorted(c for c in categories if c in target.categories))
        score = (
            TEXT_WEIGHT * text_scores.get(cid, 0.0) / best_text
            + SERVICE_WEIGHT * len(shared_services)
            + TAG_WEIGHT * len(shared_tags)
            + CATEGORY_WEIGHT * len(shared_categories)
        )
        if score > 0:
            scored.append(
                Related(
                    cid, title, started, score, shared_services, shared_tags, shared_categories, ()
                )
            )
    scored.sort(key=lambda r: (-r.score, r.started_at or "", r.id))
    top = scored[:limit]
    words = _shared_words(conn, {r.id: found[r.id][0] for r in top if r.id in found}, terms)
    return [
        Related(
            r.id,
            r.title,
            r.started_at,
            r.score,
            r.services,
            r.tags,
            r.categories,
            tuple(words.get(r.id, ())),
        )
        for r in top
    ]


def _load_target(conn: sqlite3.Connection, doc_id: str) -> _Target:
    row = conn.execute(
        "SELECT p.started_at, p.services, p.tags, json_extract(p.data, '$.contributing_factors')"
        " FROM postmortems p WHERE p.id = ?",
        (doc_id,),
    ).fetchone()
    if row is None:
        raise NotFoundError(f"no postmortem {doc_id!r} in the index (is the file valid?)")
    texts_row = _search_row(conn, doc_id)
    texts = dict(zip(COLUMN_WEIGHTS, texts_row or ("",) * 6, strict=True))
    factors = json.loads(row[3] or "[]")
    return _Target(
        id=doc_id,
        started_at=row[0],
        services=frozenset(json.loads(row[1] or "[]")),
        tags=frozenset(json.loads(row[2] or "[]")),
        categories=frozenset(str(f.get("category")) for f in factors if isinstance(f, dict)),
        texts={k: v or "" for k, v in texts.items()},
    )


def _search_row(conn: sqlite3.Connection, doc_id: str) -> tuple[Any, ...] | None:
    """The target's row of the FTS table. `id` is not indexed there, so the title's words
    find the few candidate rows first; a scan is the fallback for a title without words."""
    columns = "title, summary, narrative, whys, factors, actions"
    title = conn.execute("SELECT title FROM postmortems WHERE id = ?", (doc_id,)).fetchone()
    phrase = (
        Term(tuple(TOKEN_PATTERN.findall((title[0] or "").lower())), column="title")
        if title
        else None
    )
    if phrase is not None and phrase.tokens:
        row = conn.execute(
            f"SELECT {columns} FROM search WHERE search MATCH ? AND id = ?", (phrase.fts(), doc_id)
        ).fetchone()
        if row is not None:
            return tuple(row)
    row = conn.execute(f"SELECT {columns} FROM search WHERE id = ?", (doc_id,)).fetchone()
    return None if row is None else tuple(row)


def _earlier(started: str | None, target_started: str | None) -> bool:
    # Without dates we cannot tell the order, so the candidate is kept.
    return started is None or target_started is None or started < target_started


def salient_terms(conn: sqlite3.Connection, texts: dict[str, str]) -> list[tuple[str, float]]:
    """The target's most telling words (as written), with their tf-idf weight."""
    weighted: dict[str, float] = defaultdict(float)
    for column, text in texts.items():
        for word in _WORD.findall(_COMMENT.sub(" ", text).lower()):
            if word not in STOPWORDS:
                weighted[word] += COLUMN_WEIGHTS[column]
    if not weighted:
        return []
    stems = _stems(list(weighted))
    by_stem: dict[str, float] = defaultdict(float)
    shown: dict[str, str] = {}
    for word, weight in sorted(weighted.items(), key=lambda item: -item[1]):
        stem = stems.get(word)
        if stem is None:
            continue
        by_stem[stem] += weight
        shown.setdefault(stem, word)  # the most frequent spelling stands for the stem
    total = conn.execute("SELECT count(*) FROM postmortems").fetchone()[0]
    # Rarity is looked up for the words the target uses most; a word it mentions once
    # would need to be very rare to make the cut, and each look-up costs a query.
    frequent = sorted(by_stem, key=lambda stem: -by_stem[stem])[:STEMS_LOOKED_UP]
    frequency = _document_frequency(conn, frequent)
    scored = []
    for stem, tf in by_stem.items():
        df = frequency.get(stem, 0)
        # A word only in the target finds nothing; one in many files says nothing (and
        # costs the most to rank by). Small repositories keep more of their words.
        common = total / 2 if total < 100 else total / 5
        if df < 2 or (total >= 10 and df > common):
            continue
        idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
        scored.append((shown[stem], tf * idf))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:SALIENT_TERMS]


def _stems(words: list[str]) -> dict[str, str]:
    """Each word as FTS5's porter tokenizer stores it, asked of FTS5 itself."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(word, tokenize='porter unicode61')")
        probe.execute("CREATE VIRTUAL TABLE v USING fts5vocab(probe, 'instance')")
        probe.executemany("INSERT INTO probe(rowid, word) VALUES (?, ?)", enumerate(words, start=1))
        stems: dict[str, str] = {}
        for term, doc in probe.execute("SELECT term, doc FROM v WHERE offset = 0"):
            stems[words[doc - 1]] = term
        return stems
    finally:
        probe.close()


def _document_frequency(conn: sqlite3.Connection, stems: list[str]) -> dict[str, int]:
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.mortem_vocab USING fts5vocab(main, search, 'row')"
    )
    found: dict[str, int] = {}
    for stem in stems:
        row = conn.execute("SELECT doc FROM temp.mortem_vocab WHERE term = ?", (stem,)).fetchone()
        if row is not None:
            found[stem] = int(row[0])
    return found


def _phrase(word: str) -> str:
    return '"' + word.replace('"', "") + '"'


def _text_candidates(
    conn: sqlite3.Connection, target: _Target, words: list[str]
) -> dict[str, tuple[int, float]]:
    """Postmortems with any of the words: id -> (FTS rowid, bm25 score, higher is better)."""
    if not words:
        return {}
    expr = " OR ".join(_phrase(w) for w in words)
    sql = f"""
      SELECT id, rowid, {BM25} AS score FROM search
      WHERE search MATCH ? AND id != ? ORDER BY score LIMIT ?
    """
    rows = conn.execute(sql, (expr, target.id, TEXT_CANDIDATES))
    return {doc_id: (rowid, -score) for doc_id, rowid, score in rows}


def _structured_candidates(conn: sqlite3.Connection, target: _Target) -> list[str]:
    """The latest postmortems sharing a service or a tag.

    The lists are JSON text in the index; looking for the quoted value in that text is
    much cheaper than parsing every list, and the caller checks the shared values
    exactly anyway.
    """
    needles = [("services", json.dumps(s)) for s in sorted(target.services)]
    needles += [("tags", json.dumps(t)) for t in sorted(target.tags)]
    if not needles:
        return []
    where = " OR ".join(f"instr(p.{column}, ?) > 0" for column, _ in needles)
    sql = f"""
      SELECT p.id FROM postmortems p WHERE p.id != ? AND ({where})
      ORDER BY p.started_at DESC LIMIT ?
    """
    params = [target.id, *(needle for _, needle in needles), STRUCTURED_CANDIDATES]
    return [r[0] for r in conn.execute(sql, params)]


def _metadata(conn: sqlite3.Connection, ids: list[str]) -> list[tuple[Any, ...]]:
    sql = """
      SELECT p.id, p.title, p.started_at, p.services, p.tags,
             json_extract(p.data, '$.contributing_factors')
      FROM postmortems p WHERE p.id IN (SELECT value FROM json_each(?))
    """
    return list(conn.execute(sql, (json.dumps(ids),)))


def _shared_words(
    conn: sqlite3.Connection, rowids: dict[str, int], terms: list[tuple[str, float]]
) -> dict[str, list[str]]:
    """For each result found by its words, the salient words it contains, most telling
    first (a result found only by service or tag shares none of them)."""
    if not rowids or not terms:
        return {}
    by_rowid = {rowid: doc_id for doc_id, rowid in rowids.items()}
    marks = ",".join("?" * len(by_rowid))
    sql = f"SELECT rowid FROM search WHERE search MATCH ? AND rowid IN ({marks})"
    found: dict[str, list[str]] = defaultdict(list)
    for word, _ in terms:
        for (rowid,) in conn.execute(sql, (_phrase(word), *by_rowid)):
            found[by_rowid[rowid]].append(word)
    return {doc_id: words[:5] for doc_id, words in found.items()}
