"""Reviews: request, approve, publish, record a follow-up; the review meeting's agenda."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ... import reviews
from ...errors import UsageError
from ...metrics_facts import UNOWNED
from ..forms import MAX_LENGTH, NOTE_LENGTH, too_long
from ..present import today
from ..reviews_view import person_key
from ..views import Ctx, Need, flash, page, wants_json

router = APIRouter()

LIST_LIMIT = 30  # a meeting's agenda, not an archive: the rest is one filter away
PER_OWNER = 5
NAMES_LENGTH = MAX_LENGTH["authors"]  # a list of people, like the form's


def agenda_view(ctx: Ctx, since: str) -> dict[str, Any]:
    site = ctx.site
    when = today()
    try:
        start = dt.date.fromisoformat(since.strip()) if since.strip() else None
    except ValueError:
        raise UsageError(f"since: {since[:40]!r} is not a date like 2026-03-01") from None

    def compute() -> Any:
        return reviews.agenda(site.ws, when, start)

    agenda = site.derived(("agenda", when, start), compute)
    overdue = agenda.overdue
    return {
        "title": "Review agenda",
        "today": when,
        "since": agenda.since,
        "published_count": len(agenda.published),
        "published": [
            {"id": i.id, "title": i.title, "published": day}
            for i, day in agenda.published[-LIST_LIMIT:][::-1]
        ],
        "in_review_count": len(agenda.in_review),
        "in_review": [
            {"id": i.id, "title": i.title, "approvals": n} for i, n in agenda.in_review[:LIST_LIMIT]
        ],
        "approvals_needed": site.ws.settings.reviews.approvals,
        "follow_up_count": len(agenda.follow_ups),
        "follow_ups": [f.as_dict(when) for f in agenda.follow_ups[:LIST_LIMIT]],
        "overdue_count": sum(len(items) for items in overdue.values()),
        "overdue": [
            {
                "owner": owner,
                "count": len(items),
                "items": [item.as_dict() for item in items[:PER_OWNER]],
                "more_url": "/actions?" + urlencode({"owner": owner, "overdue": "1"})
                if len(items) > PER_OWNER and owner != UNOWNED
                else None,
            }
            for owner, items in overdue.items()
        ],
        "patterns": [p.__dict__ for p in agenda.patterns[:LIST_LIMIT]],
    }


@page(router, "/reviews", "reviews.html")
def agenda_page(since: str = "", ctx: Ctx = Depends(Need("viewer"))) -> dict[str, Any]:
    return agenda_view(ctx, since)


def _done(request: Request, pm_id: str, message: str, result: Any) -> Response:
    if wants_json(request):
        return JSONResponse(
            {"id": pm_id, "status": result.status, "commit": result.commit}, status_code=200
        )
    flash(request, message)
    return RedirectResponse(f"/postmortems/{pm_id}", status_code=303)


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.replace("\n", ",").split(",") if n.strip()]


def _note(notes: str) -> str | None:
    """The review's note, refused when longer than the API takes."""
    problem = too_long(notes.strip(), NOTE_LENGTH)
    if problem:
        raise UsageError(f"notes: {problem}")
    return notes.strip() or None


@router.post("/postmortems/{pm_id}/review/request", include_in_schema=False)
async def request_review(
    pm_id: str,
    request: Request,
    reviewers: list[str] = Form([]),
    ctx: Ctx = Depends(Need("editor")),
) -> Response:
    names = [n for value in reviewers for n in _names(value)]
    problem = too_long(",".join(names), NAMES_LENGTH)
    if problem:
        raise UsageError(f"reviewers: {problem}")
    result = await run_in_threadpool(
        ctx.site.write,
        lambda: reviews.request_review(ctx.ws, pm_id, names, ctx.author(), today()),
    )
    return _done(request, pm_id, f"Review requested from {', '.join(names)}.", result)


@router.post("/postmortems/{pm_id}/review/approve", include_in_schema=False)
async def approve(
    pm_id: str, request: Request, notes: str = Form(""), ctx: Ctx = Depends(Need("reviewer"))
) -> Response:
    me = person_key(ctx.site, ctx.user)
    note = _note(notes)
    result = await run_in_threadpool(
        ctx.site.write,
        lambda: reviews.approve(ctx.ws, pm_id, me, ctx.author(), today(), note),
    )
    return _done(request, pm_id, "Approved.", result)


@router.post("/postmortems/{pm_id}/review/publish", include_in_schema=False)
async def publish(pm_id: str, request: Request, ctx: Ctx = Depends(Need("reviewer"))) -> Response:
    result = await run_in_threadpool(
        ctx.site.write, lambda: reviews.publish(ctx.ws, pm_id, ctx.author(), today())
    )
    return _done(request, pm_id, "Published. Follow-up reviews are now scheduled.", result)


@router.post("/postmortems/{pm_id}/review/follow-up", include_in_schema=False)
async def follow_up(
    pm_id: str,
    request: Request,
    outcome: str = Form(...),
    worked: list[str] = Form([]),
    notes: str = Form(""),
    ctx: Ctx = Depends(Need("reviewer")),
) -> Response:
    me = person_key(ctx.site, ctx.user)
    note = _note(notes)
    result = await run_in_threadpool(
        ctx.site.write,
        lambda: reviews.record_follow_up(
            ctx.ws, pm_id, outcome, [me], ctx.author(), today(), note, worked
        ),
    )
    return _done(request, pm_id, f"Follow-up review recorded: {outcome}.", result)
