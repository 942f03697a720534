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
SEARCH_LIMIT = 1000


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


def titles_of(site: Site) -> dict[str, str | None]:
    titles: dict[str, str | None] = site.derived(
        "titles", lambda: {r.id: r.title for r in all_rows(site)}
    )
    return titles


def list_view(site: Site, query: ListQuery) -> dict[str, Any]:
    """One page of the list (computed once per index state and query)."""
    query.filters()  # a bad date is an error here, not a cached page
    view: dict[str, Any] = site.derived(("list", query), lambda: _list_view(site, query))
    return view


def _list_view(site: Site, query: ListQuery) -> dict[str, Any]:
    filters = query.filters()
    team_people = _team_people(site, query.team) if query.team else None
    number = max(1, query.page)
    shown: list[dict[str, Any]]
    if query.q.strip():
        # Snippets are the costly part of a search: ask for this page's worth (and one
        # more, to know whether there is a next page), not for every match.
        wanted = number * PAGE_SIZE + 1
        limit = min(wanted, SEARCH_LIMIT)
        found = site.derived(
            ("search", query.q, filters, limit),
            lambda: search(site.index(), query.q, filters, limit=limit),
        )
        if query.team:
            keep = {r.id for r in all_rows(site) if _accepts(r, query, filters, team_people)}
            found = [h for h in found if h.id in keep]
        more = len(found) >= wanted
        page_hits = found[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        shown = [{**h.as_dict(), "_snippet": highlight_html(h.snippet)} for h in page_hits]
        total = len(found) - (1 if more else 0)
        pages = number + 1 if more else max(1, -(-total // PAGE_SIZE))
    else:
        rows = all_rows(site)
        if any(
            (
                query.status,
                query.severity,
                query.service,
                query.tag,
                query.team,
                query.since,
                query.until,
            )
        ):
            rows = [r for r in rows if _accepts(r, query, filters, team_people)]
        total = len(rows)
        pages = max(1, -(-total // PAGE_SIZE))
        number = min(number, pages)
        shown = [r.as_dict() for r in rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]]
        more = False
    return {
        "title": "Postmortems",
        "query": asdict(query),
        "total": total,
        "more": more,
        "page": number,
        "pages": pages,
        "rows": shown,
        "facets": facets(site),
        "searching": bool(query.q.strip()),
        "_pager_query": urlencode({k: v for k, v in asdict(query).items() if v and k != "page"}),
    }
