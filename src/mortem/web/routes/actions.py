"""The action board: every action item by owner, team or status; one-click status changes."""

from __future__ import annotations

from typing import Any, cast

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...actions import ActionFilter, list_actions, set_status, summarize
from ...errors import UsageError
from ...model import ACTION_STATUSES, ActionStatus
from ..listing import all_rows
from ..present import NEXT_STEPS, today
from ..views import Ctx, Need, flash, page, wants_json

router = APIRouter()

GROUPS = ("owner", "team", "status", "postmortem")


def board(ctx: Ctx, where: ActionFilter, group: str) -> dict[str, Any]:
    site = ctx.site
    when = today()

    def compute() -> dict[str, Any]:
        items = list_actions(site.ws, when, where)
        everything = list_actions(site.ws, when, ActionFilter())
        summary = summarize(everything)
        return {"items": items, "summary": summary}

    found = site.derived(("actions", when, where, group), compute)
    titles = {r.id: r.title for r in all_rows(site)}
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in found["items"]:
        key = {
            "owner": item.owner or "(unowned)",
            "team": item.team or "(no team)",
            "status": item.status,
            "postmortem": item.pm_id,
        }[group]
        row = {
            **item.as_dict(),
            "pm_title": titles.get(item.pm_id),
            "next": NEXT_STEPS[item.status],
        }
        groups.setdefault(key, []).append(row)
    summary = found["summary"]
    return {
        "title": "Action items",
        "filters": {
            "owner": where.owner or "",
            "team": where.team or "",
            "status": ",".join(where.statuses),
            "overdue": where.overdue,
            "group": group,
        },
        "count": len(found["items"]),
        "totals": summary.total.as_dict(),
        "by_team": {k: v.as_dict() for k, v in summary.by_team.items()},
        "groups": [{"name": k, "items": v} for k, v in sorted(groups.items())],
        "teams": sorted({p.team for p in site.ws.settings.people.values() if p.team}),
        "owners": sorted({i.owner for i in found["items"] if i.owner}),
        "statuses": list(ACTION_STATUSES),
        "group_choices": list(GROUPS),
    }


def parse_filter(owner: str, team: str, status: str, overdue: str) -> ActionFilter:
    statuses = tuple(s for s in status.split(",") if s) if status != "all" else ()
    where = ActionFilter(
        statuses=statuses,
        owner=owner or None,
        team=team or None,
        overdue=overdue in ("1", "true", "on", "yes"),
    )
    where.check()
    return where


@page(router, "/actions", "actions.html")
def actions_page(
    owner: str = "",
    team: str = "",
    status: str = "open,in-progress",
    overdue: str = "",
    group: str = "owner",
    ctx: Ctx = Depends(Need("viewer")),
) -> dict[str, Any]:
    if group not in GROUPS:
        raise UsageError(f"group by one of: {', '.join(GROUPS)}")
    return board(ctx, parse_filter(owner, team, status, overdue), group)


def change_status(ctx: Ctx, pm_id: str, action_id: str, status: str, note: str) -> dict[str, Any]:
    if status not in ACTION_STATUSES:
        raise UsageError(f"unknown status {status!r} (one of: {', '.join(ACTION_STATUSES)})")
    changed = ctx.site.write(
        lambda: set_status(
            ctx.ws,
            f"{pm_id}/{action_id}",
            cast(ActionStatus, status),
            ctx.author(),
            today(),
            note=note or None,
        )
    )
    return {
        "ref": changed.ref,
        "status": changed.status,
        "closed_on": changed.closed_on.isoformat() if changed.closed_on else None,
        "commit": changed.commit,
    }


def _back(target: str, fallback: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else fallback


@router.post("/actions/{pm_id}/{action_id}/status", include_in_schema=False)
async def status_change(
    pm_id: str,
    action_id: str,
    request: Request,
    status: str = Form(...),
    note: str = Form(""),
    back: str = Form("/actions"),
    ctx: Ctx = Depends(Need("editor")),
) -> Response:
    ctx.ws.store.path_for(pm_id)
    result = await run_in_threadpool(change_status, ctx, pm_id, action_id, status, note)
    if wants_json(request):
        return JSONResponse(result)
    flash(request, f"{result['ref']} is now {result['status']}.")
    return RedirectResponse(_back(back, "/actions"), status_code=303)
