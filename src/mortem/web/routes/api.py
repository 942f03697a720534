"""The JSON API under /api, described by FastAPI's /openapi.json."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field, field_validator

from ... import reviews
from ...actions import ActionFilter, list_actions, set_status
from ...document import Document
from ...errors import ConflictError
from ...templates import NewPostmortem
from ..auth import PUBLIC
from ..dashboard_view import dashboard_view
from ..forms import implausible
from ..listing import ListQuery, list_view
from ..present import diff, lint_findings, postmortem_view, related_to, today
from ..reviews_view import person_key
from ..revisions import base_text, history
from ..views import Ctx, Need, public
from .dashboard import selection_of
from .postmortems import create_postmortem

router = APIRouter(prefix="/api", tags=["api"])


PERIOD_PATTERN = r"^(\d{4}(-([HhQq]\d|\d{2}))?|\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2})?$"


class ErrorOut(BaseModel):
    error: str
    status: int


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 413, 422, 429)
}


class Me(BaseModel):
    username: str | None
    role: str | None
    name: str
    auth: str
    csrf_token: str = Field(description="Send it as X-CSRF-Token with every POST and PUT.")


class Summary(BaseModel):
    id: str
    title: str | None
    status: str | None
    severity: str | None
    started_at: str | None
    services: list[str]
    resolved_at: str | None = None
    tags: list[str] = []
    problems: int = 0
    score: float | None = None
    snippet: str | None = None


class Listing(BaseModel):
    total: int
    page: int
    pages: int
    items: list[Summary]


class ProblemOut(BaseModel):
    path: str
    line: int | None
    field: str | None
    message: str


class Record(BaseModel):
    id: str
    revision: str = Field(description="Content hash; send it back when saving.")
    path: str
    valid: bool
    title: str
    front_matter: dict[str, Any]
    body: str
    problems: list[ProblemOut]
    lint: list[dict[str, Any]] | None = None
    related: list[dict[str, Any]] = []


class NewIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    template: str | None = None
    severity: str | None = None
    services: list[str] = []
    tags: list[str] = []
    started_at: AwareDatetime | None = None
    impact: str | None = Field(default=None, max_length=5000)

    @field_validator("started_at")
    @classmethod
    def _plausible(cls, value: dt.datetime | None) -> dt.datetime | None:
        problem = implausible(value) if value is not None else None
        if problem:
            raise ValueError(f"started_at {problem}")
        return value


class SaveIn(BaseModel):
    revision: str = Field(description="The revision the new text is based on.")
    text: str = Field(description="The whole file: front matter and narrative.")


class Saved(BaseModel):
    id: str
    revision: str
    commit: str | None


class LintIn(BaseModel):
    text: str


class LintOut(BaseModel):
    problems: list[ProblemOut]
    lint: list[dict[str, Any]] | None


class Commit(BaseModel):
    sha: str
    author: str
    email: str
    date: str
    subject: str


class Action(BaseModel):
    ref: str
    postmortem: str
    id: str
    title: str
    owner: str | None
    team: str | None
    due: str | None
    status: str
    type: str | None
    closed_on: str | None
    overdue: bool
    days_overdue: int | None
    link: str | None


class StatusIn(BaseModel):
    status: Literal["open", "in-progress", "done", "wont-do"]
    note: str | None = Field(default=None, max_length=2000)


class StatusOut(BaseModel):
    ref: str
    status: str
    closed_on: dt.date | None
    commit: str | None


class ReviewRequestIn(BaseModel):
    reviewers: list[str] = Field(min_length=1)


class ApproveIn(BaseModel):
    notes: str | None = Field(default=None, max_length=5000)


class FollowUpIn(BaseModel):
    outcome: Literal["effective", "partly", "not-effective"]
    worked: list[str] = []
    notes: str | None = Field(default=None, max_length=5000)


class ReviewOut(BaseModel):
    id: str
    status: str
    commit: str | None


@router.get("/me", response_model=Me, responses=ERRORS)
def me(ctx: Ctx = Depends(Need(PUBLIC))) -> Me:
    """Who you are, and the CSRF token for changes."""
    u = ctx.user
    return Me(
        username=u.username, role=u.role, name=u.name, auth=ctx.site.web.auth, csrf_token=ctx.csrf
    )


@router.get("/postmortems", response_model=Listing, responses=ERRORS)
def postmortems(
    q: str = Query("", max_length=500, description="Full-text search."),
    status: str = "",
    severity: str = "",
    service: str = "",
    tag: str = "",
    team: str = "",
    since: str = Query("", description="Started on or after this date (YYYY-MM-DD)."),
    until: str = Query("", description="Started before this date (YYYY-MM-DD)."),
    page: int = Query(1, ge=1, le=100_000),
    ctx: Ctx = Depends(Need("viewer")),
) -> Listing:
    view = list_view(
        ctx.site, ListQuery(q, status, severity, service, tag, team, since, until, page)
    )
    items = [Summary(**public(row)) for row in view["rows"]]
    return Listing(total=view["total"], page=view["page"], pages=view["pages"], items=items)


@router.post("/postmortems", response_model=Saved, status_code=201, responses=ERRORS)
def create(body: NewIn, ctx: Ctx = Depends(Need("editor"))) -> Saved:
    """Create a draft from a template and commit it as you."""
    new = NewPostmortem(
        title=body.title.strip() or "untitled",
        severity=body.severity,
        services=[s for s in body.services if s.strip()],
        tags=[t for t in body.tags if t.strip()],
        started_at=body.started_at,
        impact=body.impact,
    )
    doc = create_postmortem(ctx, new, body.template)
    return Saved(id=doc.id, revision=doc.revision, commit=ctx.ws.git.head())


@router.get("/postmortems/{pm_id}", response_model=Record, responses=ERRORS)
def get_postmortem(pm_id: str, ctx: Ctx = Depends(Need("viewer"))) -> Record:
    view = postmortem_view(ctx.site, ctx.site.document(pm_id), ctx.can("editor"))
    return Record(**public(view), related=related_to(ctx.site, pm_id))


@router.put("/postmortems/{pm_id}", response_model=Saved, responses=ERRORS)
def save(pm_id: str, body: SaveIn, ctx: Ctx = Depends(Need("editor"))) -> Any:
    """Replace the whole file. Refused with 409 (and a diff) if `revision` is not current."""
    store = ctx.ws.store
    store.load(pm_id)
    try:
        saved = ctx.site.write(
            lambda: store.write_raw(pm_id, body.text, f"Edit {pm_id}", ctx.author(), body.revision)
        )
    except ConflictError as exc:
        current = store.load(pm_id)
        base = base_text(ctx.site, pm_id, body.revision)
        return JSONResponse(
            {
                "error": exc.message,
                "status": 409,
                "current_revision": current.revision,
                "their_changes": diff(base, current.text, "yours was based on", "now")
                if base
                else [],
                "your_changes": diff(current.text, body.text, "now", "your version"),
            },
            status_code=409,
        )
    return Saved(id=pm_id, revision=saved.document.revision, commit=saved.commit)


@router.get("/postmortems/{pm_id}/history", response_model=list[Commit], responses=ERRORS)
def get_history(pm_id: str, ctx: Ctx = Depends(Need("viewer"))) -> list[Commit]:
    ctx.site.document(pm_id)
    return [Commit(**c.__dict__) for c in history(ctx.site, pm_id)]


@router.post("/lint", response_model=LintOut, responses=ERRORS)
def lint(body: LintIn, ctx: Ctx = Depends(Need("editor"))) -> LintOut:
    """Check a whole file's text without saving it."""
    doc = Document.parse(body.text, "postmortem.md", "postmortem")
    problems = [ProblemOut(**p.__dict__) for p in ctx.ws.validate_document(doc)]
    findings = lint_findings(ctx.site, doc) if not problems else []
    return LintOut(problems=problems, lint=findings)


@router.get("/actions", response_model=list[Action], responses=ERRORS)
def actions(
    owner: str | None = None,
    team: str | None = None,
    status: list[Literal["open", "in-progress", "done", "wont-do"]] = Query([]),
    overdue: bool = False,
    offset: int = Query(0, ge=0),
    limit: int = Query(500, ge=1, le=5000),
    ctx: Ctx = Depends(Need("viewer")),
) -> list[Action]:
    """Action items sorted by due date, `limit` at a time from `offset`."""
    where = ActionFilter(statuses=tuple(status), owner=owner, team=team, overdue=overdue)
    where.check()
    when = today()
    found = ctx.site.derived(
        ("api-actions", when, where), lambda: list_actions(ctx.ws, when, where)
    )
    return [Action(**item.as_dict()) for item in found[offset : offset + limit]]


@router.post("/actions/{pm_id}/{action_id}", response_model=StatusOut, responses=ERRORS)
def action_status(
    pm_id: str, action_id: str, body: StatusIn, ctx: Ctx = Depends(Need("editor"))
) -> StatusOut:
    """Set an action item's status (done and wont-do set closed_on) and commit."""
    ctx.ws.store.path_for(pm_id)
    changed = ctx.site.write(
        lambda: set_status(
            ctx.ws, f"{pm_id}/{action_id}", body.status, ctx.author(), today(), note=body.note
        )
    )
    return StatusOut(
        ref=changed.ref, status=changed.status, closed_on=changed.closed_on, commit=changed.commit
    )


@router.post("/postmortems/{pm_id}/review/request", response_model=ReviewOut, responses=ERRORS)
def review_request(
    pm_id: str, body: ReviewRequestIn, ctx: Ctx = Depends(Need("editor"))
) -> ReviewOut:
    done = ctx.site.write(
        lambda: reviews.request_review(ctx.ws, pm_id, body.reviewers, ctx.author(), today())
    )
    return ReviewOut(id=pm_id, status=done.status, commit=done.commit)


@router.post("/postmortems/{pm_id}/review/approve", response_model=ReviewOut, responses=ERRORS)
def review_approve(pm_id: str, body: ApproveIn, ctx: Ctx = Depends(Need("reviewer"))) -> ReviewOut:
    me = person_key(ctx.site, ctx.user)
    done = ctx.site.write(
        lambda: reviews.approve(ctx.ws, pm_id, me, ctx.author(), today(), body.notes)
    )
    return ReviewOut(id=pm_id, status=done.status, commit=done.commit)


@router.post("/postmortems/{pm_id}/review/publish", response_model=ReviewOut, responses=ERRORS)
def review_publish(pm_id: str, ctx: Ctx = Depends(Need("reviewer"))) -> ReviewOut:
    done = ctx.site.write(lambda: reviews.publish(ctx.ws, pm_id, ctx.author(), today()))
    return ReviewOut(id=pm_id, status=done.status, commit=done.commit)


@router.post("/postmortems/{pm_id}/review/follow-up", response_model=ReviewOut, responses=ERRORS)
def review_follow_up(
    pm_id: str, body: FollowUpIn, ctx: Ctx = Depends(Need("reviewer"))
) -> ReviewOut:
    me = person_key(ctx.site, ctx.user)
    done = ctx.site.write(
        lambda: reviews.record_follow_up(
            ctx.ws, pm_id, body.outcome, [me], ctx.author(), today(), body.notes, body.worked
        )
    )
    return ReviewOut(id=pm_id, status=done.status, commit=done.commit)


@router.get("/stats", responses=ERRORS)
def stats(
    period: str = Query(
        "",
        description="2025, 2025-H1, 2025-Q3, 2025-03 or A..B (inclusive dates); empty: all "
        "time. Years 1 to 9998; anything else is a 400 saying why.",
        # Documented, not enforced here: the period's own parser gives the clearer refusal.
        json_schema_extra={"pattern": PERIOD_PATTERN},
        openapi_examples={
            "all": {"summary": "all time", "value": ""},
            "year": {"summary": "a year", "value": "2025"},
            "half": {"summary": "a half year", "value": "2025-H1"},
            "quarter": {"summary": "a quarter", "value": "2025-Q3"},
            "month": {"summary": "a month", "value": "2025-03"},
            "range": {"summary": "days, both included", "value": "2025-01-15..2025-04-14"},
        },
    ),
    team: str = "",
    unit: Literal["month", "quarter"] = "quarter",
    ctx: Ctx = Depends(Need("viewer")),
) -> dict[str, Any]:
    """The dashboard's figures."""
    return dashboard_view(ctx.site, selection_of(period, team, unit), today())
