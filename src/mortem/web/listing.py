"""The list page: filters over the index rows, or a full-text search, one page at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from ..errors import UsageError
from ..index import Row
from ..search import Filters, highlight_html, search
from .site import Site

PAGE_SIZE = 50
SEARCH_LIMIT = 200


@dataclass(frozen=True)
class ListQuery:
    q: str = ""
    status: str = ""
    severity: str = ""
    service: str = ""
    tag: str = ""
    team: str = ""
    since: str = ""
    until: str = ""
    page: int = 1

    def day(self, text: str, name: str) -> dt.datetime | None:
        if not text:
            return None
        try:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), dt.UTC)
        except ValueError:
            raise UsageError(f"{name}: {text!r} is not a date like 2026-03-14") from None

    def filters(self) -> Filters:
        return Filters(
            service=self.service or None,
            severity=self.severity or None,
            tag=self.tag or None,
            status=self.status or None,
            since=self.day(self.since, "since"),
            until=self.day(self.until, "until"),
        )


def _team_people(site: Site, team: str) -> set[str]:
    return {key for key, person in site.ws.settings.people.items() if person.team == team}


def _accepts(row: Row, query: ListQuery, filters: Filters, team_people: set[str] | None) -> bool:
    if filters.status and row.status != filters.status:
        return False
    if filters.severity and row.severity != filters.severity:
        return False
    if filters.service and filters.service not in row.services:
        return False
    if filters.tag and filters.tag not in row.tags:
        return False
    if team_people is not None and not (team_people & set(row.people) or query.team in row.people):
        return False
    started = row.started_at or ""
    if filters.since and (not started or started < filters.since.strftime("%Y-%m-%d")):
        return False
    return not (filters.until and (not started or started >= filters.until.strftime("%Y-%m-%d")))


def facets(site: Site) -> dict[str, list[str]]:
    """The values the filter menus offer, from the whole repository."""

    def collect() -> dict[str, list[str]]:
        rows = site.index().rows()
        return {
            "statuses": ["draft", "in-review", "published"],
            "severities": list(site.ws.settings.severity_names),
            "services": sorted({s for r in rows for s in r.services}),
            "tags": sorted({t for r in rows for t in r.tags}),
            "teams": sorted({p.team for p in site.ws.settings.people.values() if p.team}),
        }

    result: dict[str, list[str]] = site.derived("facets", collect)
    return result


def all_rows(site: Site) -> list[Row]:
    rows: list[Row] = site.derived("rows", lambda: site.index().rows())
    return rows


def list_view(site: Site, query: ListQuery) -> dict[str, Any]:
    filters = query.filters()
    team_people = _team_people(site, query.team) if query.team else None
    hits: list[dict[str, Any]]
    if query.q.strip():
        found = search(site.index(), query.q, filters, limit=SEARCH_LIMIT)
        keep = {r.id for r in all_rows(site) if _accepts(r, query, filters, team_people)}
        hits = [
            {**h.as_dict(), "_snippet": highlight_html(h.snippet)} for h in found if h.id in keep
        ]
    else:
        rows = [r for r in all_rows(site) if _accepts(r, query, filters, team_people)]
        hits = [r.as_dict() for r in rows]
    pages = max(1, -(-len(hits) // PAGE_SIZE))
    number = min(query.page, pages)
    shown = hits[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    return {
        "title": "Postmortems",
        "query": asdict(query),
        "total": len(hits),
        "page": number,
        "pages": pages,
        "rows": shown,
        "facets": facets(site),
        "searching": bool(query.q.strip()),
        "_pager_query": urlencode({k: v for k, v in asdict(query).items() if v and k != "page"}),
    }
