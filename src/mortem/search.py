"""Full-text search over the index: a small query language, ranked, with snippets.

People type queries, not FTS5 expressions. `parse_query` reads the little language
that users expect (words that must all appear, "exact phrases", prefix*, -exclusions,
`a OR b`, and `title:word` to look in one part of a postmortem) and `fts_expression`
writes it back as an FTS5 expression in which every piece of user text is a quoted
string of plain tokens. Nothing a user types can therefore reach FTS5 as syntax: no
query raises an FTS5 syntax error.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .errors import UsageError
from .index import Index, iso

# The parts of a postmortem that the FTS table holds, in its column order after `id`.
COLUMNS: tuple[str, ...] = ("title", "summary", "narrative", "whys", "factors", "actions")
# bm25 weights, `id` first: a word in the title says more than one in the narrative.
WEIGHTS: tuple[float, ...] = (0.0, 10.0, 5.0, 1.0, 3.0, 3.0, 2.0)
BM25 = "bm25(search, " + ", ".join(str(w) for w in WEIGHTS) + ")"

# Snippets come back with these around each match; renderers swap them for their own.
MARK_START = "\x02"
MARK_END = "\x03"

# What FTS5's unicode61 tokenizer keeps as token characters (letters and digits).
TOKEN_PATTERN = re.compile(r"[^\W_]+")
_PIECE = re.compile(r'(-?)(?:(\w+):)?"([^"]*)"?(\*?)|(\S+)')


@dataclass(frozen=True)
class Term:
    """One thing the user asked for: a word or a phrase, maybe a prefix, maybe one column."""

    tokens: tuple[str, ...]
    prefix: bool = False
    column: str | None = None

    def fts(self) -> str:
        phrase = '"' + " ".join(self.tokens) + '"' + ("*" if self.prefix else "")
        return f"{self.column} : {phrase}" if self.column else phrase

    def __str__(self) -> str:
        text = " ".join(self.tokens)
        text = f'"{text}"' if len(self.tokens) > 1 else text
        text += "*" if self.prefix else ""
        return f"{self.column}:{text}" if self.column else text


@dataclass(frozen=True)
class Query:
    """All of `groups` must match (each group is an OR of terms); none of `excluded`."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...]

    @property
    def empty(self) -> bool:
        return not self.groups and not self.excluded


def _term(raw: str, column: str | None, quoted: bool) -> Term | None:
    prefix = not quoted and raw.endswith("*")
    tokens = tuple(t.lower() for t in TOKEN_PATTERN.findall(raw))
    if not tokens:
        return None
    if column is not None and column.lower() not in COLUMNS:
        # `foo:bar` where foo is not a column: the user meant the words.
        tokens = (*(t.lower() for t in TOKEN_PATTERN.findall(column)), *tokens)
        column = None
    return Term(tokens, prefix, column.lower() if column else None)


def parse_query(text: str) -> Query:
    """Read the user's query language; text that means nothing is dropped, never an error."""
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = negate_next = False
    for match in _PIECE.finditer(text):
        minus, column, phrase, star, word = match.groups()
        if word is not None:
            if word == "OR":
                join_next = bool(groups)
                continue
            if word == "NOT":
                negate_next = True
                continue
            if word == "AND":
                continue
            minus = "-" if word.startswith("-") and len(word) > 1 else ""
            word = word.removeprefix("-") if minus else word
            column, _, rest = word.partition(":") if ":" in word[1:] else (None, "", word)
            term = _term(rest, column, quoted=False)
        else:
            term = _term(phrase, column, quoted=True)
            if term is not None and star:
                term = Term(term.tokens, True, term.column)
        if term is None:
            continue
        if minus or negate_next:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = negate_next = False
    return Query(tuple(tuple(g) for g in groups), tuple(excluded))


def _group_fts(group: Sequence[Term]) -> str:
    inner = " OR ".join(t.fts() for t in group)
    return f"({inner})" if len(group) > 1 else inner


def fts_expression(query: Query) -> str | None:
    """The FTS5 MATCH expression of the positive part, excluded terms applied with NOT."""
    if not query.groups:
        return None
    expr = " AND ".join(_group_fts(g) for g in query.groups)
    if query.excluded:
        expr = f"({expr}) NOT ({' OR '.join(t.fts() for t in query.excluded)})"
    return expr


def excluded_expression(query: Query) -> str | None:
    if not query.excluded:
        return None
    return " OR ".join(t.fts() for t in query.excluded)


@dataclass(frozen=True)
class Filters:
    service: str | None = None
    severity: str | None = None
    tag: str | None = None
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def sql(self) -> tuple[str, list[Any]]:
        """A WHERE fragment over `p` (the postmortems table) and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.service:
            clauses.append("EXISTS (SELECT 1 FROM json_each(p.services) WHERE value = ?)")
            params.append(self.service)
        if self.tag:
            clauses.append("EXISTS (SELECT 1 FROM json_each(p.tags) WHERE value = ?)")
            params.append(self.tag)
        if self.severity:
            clauses.append("p.severity = ?")
            params.append(self.severity)
        if self.status:
            clauses.append("p.status = ?")
            params.append(self.status)
        if self.since:
            clauses.append("p.started_at >= ?")
            params.append(iso(self.since))
        if self.until:
            clauses.append("p.started_at < ?")
            params.append(iso(self.until))
        return (" AND ".join(clauses) or "1"), params


@dataclass(frozen=True)
class Hit:
    id: str
    title: str | None
    status: str | None
    severity: str | None
    started_at: str | None
    services: tuple[str, ...]
    score: float  # higher is better; 0 when the query had only exclusions
    snippet: str  # the best passage, matches wrapped in MARK_START/MARK_END

    def as_dict(self, start: str = "**", end: str = "**") -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "severity": self.severity,
            "started_at": self.started_at,
            "services": list(self.services),
            "score": round(self.score, 4),
            "snippet": highlight(self.snippet, start, end),
        }


def highlight(snippet: str, start: str, end: str, escape: bool = False) -> str:
    """The snippet with its matches marked by `start`/`end` (HTML-escaped first if asked)."""
    text = html.escape(snippet, quote=False) if escape else snippet
    return text.replace(MARK_START, start).replace(MARK_END, end)


def highlight_html(snippet: str) -> str:
    return highlight(snippet, "<mark>", "</mark>", escape=True)


_META = "p.title, p.status, p.severity, p.started_at, p.services"


def search(index: Index, text: str, filters: Filters | None = None, limit: int = 20) -> list[Hit]:
    """Postmortems matching `text`, best first, each with a highlighted snippet."""
    query = parse_query(text)
    if query.empty:
        raise UsageError(
            f'nothing to search for in {text!r}: type words, "a phrase", prefix* or -word'
        )
    conn = index.ensure_fresh()
    where, params = (filters or Filters()).sql()
    expr = fts_expression(query)
    if expr is None:
        return _only_excluded(conn, query, where, params, limit)
    # Joined through `files`, whose rowid the FTS table shares: reading the FTS table's
    # own id column for each of thousands of matches costs twice the whole query.
    sql = f"""
      SELECT search.rowid, f.id, {BM25} AS score, {_META}
      FROM search JOIN files f ON f.rowid = search.rowid JOIN postmortems p ON p.id = f.id
      WHERE search MATCH ? AND {where}
      ORDER BY score, p.started_at DESC LIMIT ?
    """
    ranked = conn.execute(sql, [expr, *params, limit]).fetchall()
    # Snippets are costly (each re-reads a document), so only the shown rows get one.
    snippet_sql = (
        "SELECT snippet(search, -1, ?, ?, '…', 14) FROM search WHERE search MATCH ? AND rowid = ?"
    )
    hits = []
    for rowid, doc_id, score, title, status, severity, started, services in ranked:
        row = conn.execute(snippet_sql, (MARK_START, MARK_END, expr, rowid)).fetchone()
        hits.append(
            _hit(doc_id, title, status, severity, started, services, -score, row[0] if row else "")
        )
    return hits


def _only_excluded(
    conn: sqlite3.Connection, query: Query, where: str, params: list[Any], limit: int
) -> list[Hit]:
    sql = f"""
      SELECT p.id, {_META} FROM postmortems p
      WHERE p.id NOT IN (
        SELECT f.id FROM search JOIN files f ON f.rowid = search.rowid WHERE search MATCH ?
      ) AND {where}
      ORDER BY p.started_at DESC, p.id LIMIT ?
    """
    rows = conn.execute(sql, [excluded_expression(query), *params, limit]).fetchall()
    return [_hit(r[0], r[1], r[2], r[3], r[4], r[5], 0.0, r[1] or "") for r in rows]


def _hit(
    doc_id: str,
    title: str | None,
    status: str | None,
    severity: str | None,
    started: str | None,
    services: str | None,
    score: float,
    snippet: str,
) -> Hit:
    return Hit(
        id=doc_id,
        title=title,
        status=status,
        severity=severity,
        started_at=started,
        services=tuple(json.loads(services or "[]")),
        score=score,
        snippet=" ".join(snippet.split()),
    )
