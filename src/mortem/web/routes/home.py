"""The home page: what needs attention now, and a few key figures."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from ...actions import ActionFilter, list_actions
from ...metrics_facts import load_corpus
from ...reviews import follow_ups_due
from ..dashboard_view import key_figures
from ..listing import all_rows, titles_of
from ..present import today
from ..views import Ctx, Need, page

router = APIRouter()

RECENT = 8
SOON_DAYS = 14


def home_view(ctx: Ctx) -> dict[str, Any]:
    site = ctx.site
    when = today()

    def compute() -> dict[str, Any]:
        rows = all_rows(site)
        open_items = list_actions(site.ws, when, ActionFilter(statuses=("open", "in-progress")))
        overdue = sorted((i for i in open_items if i.overdue), key=lambda i: (i.due, i.ref))
        corpus = load_corpus(site.ws.index)
        due = follow_ups_due(corpus.incidents, site.ws.settings, when, within=SOON_DAYS)
        titles = titles_of(site)
        return {
            "recent": [r.as_dict() for r in rows[:RECENT]],
            "in_review": [r.as_dict() for r in rows if r.status == "in-review"][:RECENT],
            "in_review_count": sum(1 for r in rows if r.status == "in-review"),
            "drafts": sum(1 for r in rows if r.status == "draft"),
            "open_actions": len(open_items),
            "overdue": [{**i.as_dict(), "pm_title": titles.get(i.pm_id)} for i in overdue[:10]],
            "overdue_count": len(overdue),
            "follow_ups": [f.as_dict(when) for f in due[:10]],
            "figures": key_figures(site, when),
            "total": len(rows),
        }

    data: dict[str, Any] = site.derived(("home", when), compute)
    key = ("home", site.fresh.generation, when, ctx.user.name, ctx.user.role)
    return {"title": "Home", "today": when, "_cache": key, **data}


@page(router, "/", "home.html")
def home(ctx: Ctx = Depends(Need("viewer"))) -> dict[str, Any]:
    return home_view(ctx)
