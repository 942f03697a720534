"""The action board: every action item by owner, team or status; one-click status changes."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...actions import ActionFilter, ActionView, list_actions, set_status, summarize
from ...errors import UsageError
from ...metrics_facts import NO_TEAM, UNOWNED
from ...model import ACTION_STATUSES, ActionStatus
from ..forms import too_long
from ..listing import titles_of
from ..present import NEXT_STEPS, today
from ..views import Ctx, Need, flash, page, wants_json

router = APIRouter()

GROUPS = ("owner", "team", "status", "postmortem")
GROUP_FILTER = {"owner": "owner", "team": "team", "status": "status", "postmortem": "postmortem"}


STATUS_NOTE_LENGTH = 2000  # as the API's StatusIn.note
PER_GROUP = 10  # items shown per group; a link narrows the board to the rest
SINGLE_GROUP = 500  # when the board is down to one group
MAX_GROUPS = 24


def _key(item: ActionView, group: str) -> str:
    if group == "owner":
        return item.owner or UNOWNED
    if group == "team":
        return item.team or NO_TEAM
    if group == "status":
        return item.status
    return item.pm_id


def board(ctx: Ctx, where: ActionFilter, group: str) -> dict[str, Any]:
    site = ctx.site
    when = today()

    def compute() -> dict[str, Any]:
        items = list_actions(site.ws, when, where)
        grouped: dict[str, list[ActionView]] = {}
        for item in items:
            grouped.setdefault(_key(item, group), []).append(item)
        summary = summarize(list_actions(site.ws, when, ActionFilter()))
        return {"count": len(items), "groups": sorted(grouped.items()), "summary": summary}

    found = site.derived(("actions", when, where, group), compute)
    titles = titles_of(site)
    shown_groups = found["groups"][:MAX_GROUPS]
    limit = SINGLE_GROUP if len(found["groups"]) == 1 else PER_GROUP
    filters = {
        "owner": where.owner or "",
        "team": where.team or "",
        "postmortem": where.postmortem or "",
        "status": ",".join(where.statuses) or "all",
        "overdue": "1" if where.overdue else "",
        "group": group,
    }
    groups = []
    for name, items in shown_groups:
        narrowed = {**filters, GROUP_FILTER[group]: name}
        if group == "owner" and name == UNOWNED:
            narrowed = {}
        groups.append(
            {
                "name": name,
                "total": len(items),
                "more_url": "/actions?" + urlencode({k: v for k, v in narrowed.items() if v})
                if len(items) > limit and narrowed
                else None,
                "items": [
                    {
                        **item.as_dict(),
                        "pm_title": titles.get(item.pm_id),
                        "next": NEXT_STEPS[item.status],
                    }
                    for item in items[:limit]
                ],
            }
        )
    summary = found["summary"]
    return {
        "title": "Action items",
        "filters": {**filters, "overdue": where.overdue, "status": ",".join(where.statuses)},
        "count": found["count"],
        "group_count": len(found["groups"]),
        "totals": summary.total.as_dict(),
        "by_team": {k: v.as_dict() for k, v in summary.by_team.items()},
        "groups": groups,
        "teams": sorted({p.team for p in site.ws.settings.people.values() if p.team}),
        "statuses": list(ACTION_STATUSES),
        "group_choices": list(GROUPS),
    }


def parse_filter(
    owner: str, team: str, status: str, overdue: str, postmortem: str = ""
) -> ActionFilter:
    statuses = tuple(s for s in status.split(",") if s) if status != "all" else ()
    where = ActionFilter(
        statuses=statuses,
        owner=owner or None,
        team=team or None,
        postmortem=postmortem or None,
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
    postmortem: str = "",
    ctx: Ctx = Depends(Need("viewer")),
) -> dict[str, Any]:
    if group not in GROUPS:
        raise UsageError(f"group by one of: {', '.join(GROUPS)}")
    return board(ctx, parse_filter(owner, team, status, overdue, postmortem), group)


def change_status(ctx: Ctx, pm_id: str, action_id: str, status: str, note: str) -> dict[str, Any]:
    if status not in ACTION_STATUSES:
        raise UsageError(f"unknown status {status[:40]!r} (one of: {', '.join(ACTION_STATUSES)})")
    problem = too_long(note, STATUS_NOTE_LENGTH)
    if problem:
        raise UsageError(f"note: {problem}")
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
