"""Postmortems: list and search, create from a template, show, edit, save, lint, history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...document import Document
from ...errors import ConflictError, InvalidDocumentError, UsageError
from ...templates import NewPostmortem
from .. import forms
from ..listing import ListQuery, list_view
from ..present import diff, evidence_stamp, lint_findings, postmortem_view, related_to, today
from ..reviews_view import person_key, review_state
from ..revisions import base_text, history
from ..views import Cached, Ctx, Need, flash, page, render

router = APIRouter()


@page(router, "/postmortems", "list.html")
def list_page(
    q: str = "",
    status: str = "",
    severity: str = "",
    service: str = "",
    tag: str = "",
    team: str = "",
    since: str = "",
    until: str = "",
    page: int = 1,
    ctx: Ctx = Depends(Need("viewer")),
) -> dict[str, Any]:
    query = ListQuery(q, status, severity, service, tag, team, since, until, max(1, page))
    view = list_view(ctx.site, query)
    return {**view, "_cache": ("list", ctx.site.fresh.generation, query, ctx.user.role)}


# -- create --------------------------------------------------------------------------------


def _new_form(ctx: Ctx, values: dict[str, str], error: str | None = None) -> dict[str, Any]:
    templates = ctx.ws.templates()
    return {
        "title": "New postmortem",
        "templates": [{"name": t.name, "description": t.description} for t in templates.values()],
        "default_template": ctx.ws.settings.templates.default,
        "severities": [s.model_dump() for s in ctx.ws.settings.severities],
        "values": values,
        "error": error,
        "limits": forms.MAX_LENGTH,
    }


@page(router, "/postmortems/new", "new.html")
def new_page(ctx: Ctx = Depends(Need("editor"))) -> dict[str, Any]:
    return _new_form(ctx, {})


def parse_started(text: str) -> dt.datetime | None:
    errors: list[forms.FieldError] = []
    value = forms._parse_time(text.strip(), "started_at", errors)
    if errors:
        raise UsageError(f"started at: {errors[0].message}")
    return value


def create_postmortem(ctx: Ctx, new: NewPostmortem, template: str | None) -> Document:
    author = ctx.author()
    if not new.authors and ctx.user.username:
        # The same key review steps use, so that authors cannot approve their own.
        new.authors = [person_key(ctx.site, ctx.user)]
    saved = ctx.site.write(lambda: ctx.ws.create(new, template or None, author))
    return saved.document


@router.post("/postmortems", include_in_schema=False)
async def create(
    request: Request,
    title: str = Form(""),
    template: str = Form(""),
    severity: str = Form(""),
    services: str = Form(""),
    started_at: str = Form(""),
    impact: str = Form(""),
    ctx: Ctx = Depends(Need("editor")),
) -> Response:
    values = {
        "title": title,
        "template": template,
        "severity": severity,
        "services": services,
        "started_at": started_at,
        "impact": impact,
    }
    try:
        if not title.strip():
            raise UsageError("a postmortem needs a title")
        for field, text in values.items():
            problem = forms.too_long(text.strip(), forms.MAX_LENGTH.get(field, 200))
            if problem:
                raise UsageError(f"{field.replace('_', ' ')}: {problem}")
        new = NewPostmortem(
            title=title.strip(),
            severity=severity or None,
            services=forms._names(services),
            started_at=parse_started(started_at),
            impact=impact.strip() or None,
        )
        doc = await run_in_threadpool(create_postmortem, ctx, new, template)
    except UsageError as exc:
        return render(ctx, "new.html", _new_form(ctx, values, exc.message), status=422)
    flash(request, "Draft created from the template. Fill it in, then save.")
    return RedirectResponse(f"/postmortems/{doc.id}/edit", status_code=303)


# -- show ------------------------------------------------------------------------------------


@page(router, "/postmortems/{pm_id}", "postmortem.html")
def show(pm_id: str, ctx: Ctx = Depends(Need("viewer"))) -> Cached:
    ctx.site.index()  # a cheap look at the repository; it notices a changed mortem.toml
    read = ctx.site.read(pm_id)

    def make() -> dict[str, Any]:
        doc = ctx.site.document(pm_id, read)
        view = postmortem_view(ctx.site, doc, ctx.can("editor"))
        view["review"] = review_state(ctx.site, doc, ctx.user)
        return view

    # What the page's content depends on: the file, its evidence folder (an upload
    # changes the folder, not the file), who looks at it, and the day.
    key = (
        pm_id,
        read[1],
        evidence_stamp(ctx.site, pm_id),
        ctx.user,
        today(),
        ctx.site.fresh.settings_version,
    )
    return Cached(key, make)


@page(router, "/postmortems/{pm_id}/related", "related.html")
def related_page(pm_id: str, ctx: Ctx = Depends(Need("viewer"))) -> dict[str, Any]:
    doc = ctx.site.document(pm_id)
    return {
        "id": pm_id,
        "title": str(doc.data.get("title") or pm_id),
        "related": related_to(ctx.site, pm_id),
    }


@page(router, "/postmortems/{pm_id}/history", "history.html")
def history_page(pm_id: str, ctx: Ctx = Depends(Need("viewer"))) -> dict[str, Any]:
    doc = ctx.site.document(pm_id)
    return {
        "id": pm_id,
        "title": str(doc.data.get("title") or pm_id),
        "commits": [c.__dict__ for c in history(ctx.site, pm_id)],
    }


# -- edit ------------------------------------------------------------------------------------


def edit_data(
    ctx: Ctx,
    doc: Document,
    values: forms.Values,
    errors: list[forms.FieldError] | None = None,
    problems: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    settings = ctx.ws.settings
    return {
        "id": doc.id,
        "title": f"Edit: {doc.data.get('title') or doc.id}",
        "values": values,
        "tables": forms.TABLES,
        "severities": list(settings.severity_names),
        "categories": list(settings.factors.categories),
        "people": sorted(settings.people),
        "kinds": [
            "",
            "trigger",
            "detection",
            "action",
            "mitigation",
            "resolution",
            "communication",
        ],
        "action_statuses": ["open", "in-progress", "done", "wont-do"],
        "action_types": ["", "prevent", "detect", "mitigate", "process"],
        "errors": [e.__dict__ for e in errors or []],
        "problems": problems or [],
        "lint": lint_findings(ctx.site, doc),
        "max_upload": settings.limits.max_attachment_bytes,
        "limits": forms.MAX_LENGTH,
        "cell_limits": forms.CELL_LENGTH,
    }


@page(router, "/postmortems/{pm_id}/edit", "edit.html")
def edit_page(pm_id: str, ctx: Ctx = Depends(Need("editor"))) -> dict[str, Any]:
    doc = ctx.site.document(pm_id)
    return edit_data(ctx, doc, forms.values_of(doc))


def save_edit(ctx: Ctx, pm_id: str, new: forms.Values) -> Response:
    """Save the form; 422 with the form again on problems, 409 with a diff on a conflict."""
    site = ctx.site
    doc = site.ws.store.load(pm_id)
    old = forms.values_of(doc)
    errors = forms.check(new, today(), old, site.ws.settings.limits.max_file_bytes)
    if errors:
        return render(ctx, "edit.html", edit_data(ctx, doc, new, errors), status=422)
    if new.revision != doc.revision:
        return conflict(ctx, doc, new)
    body = forms.new_body(old, new)
    when = today()

    def save() -> Any:
        return site.ws.store.update(
            pm_id,
            lambda front: forms.apply(front, old, new, when),
            f"Edit {pm_id}",
            ctx.author(),
            expected_revision=new.revision,
            body=(lambda _old: body) if body is not None else None,
        )

    try:
        saved = site.write(save)
    except ConflictError:
        return conflict(ctx, site.ws.store.load(pm_id), new)
    except InvalidDocumentError as exc:
        problems = [p.__dict__ for p in exc.problems]
        return render(ctx, "edit.html", edit_data(ctx, doc, new, problems=problems), status=422)
    flash(ctx.request, "Saved." if saved.commit else "No changes to save.")
    return RedirectResponse(f"/postmortems/{pm_id}", status_code=303)


def conflict(ctx: Ctx, current: Document, new: forms.Values) -> Response:
    """Someone saved first: show what they changed, keep this person's text, write nothing."""
    site = ctx.site
    base = base_text(site, current.id, new.revision)
    try:
        base_doc = Document.parse(base, current.display, current.id) if base else None
        mine = (
            forms.candidate_text(base_doc, forms.values_of(base_doc), new, today())
            if base_doc
            else None
        )
    except Exception:
        mine = None
    data = {
        "id": current.id,
        "title": f"Conflict: {current.data.get('title') or current.id}",
        "error": f"{current.display} was changed by someone else after you opened it; "
        "nothing was saved",
        "current_revision": current.revision,
        "your_revision": new.revision,
        "their_changes": diff(base, current.text, "when you opened it", "now") if base else [],
        "your_changes": diff(current.text, mine, "now", "your version") if mine else [],
        "your_body": new.body,
    }
    if ctx.request.url.path.endswith(".json") or "json" in ctx.request.headers.get("accept", ""):
        return JSONResponse({k: v for k, v in data.items()}, status_code=409)
    return render(ctx, "conflict.html", data, status=409)


@router.post("/postmortems/{pm_id}", include_in_schema=False)
async def save(pm_id: str, request: Request, ctx: Ctx = Depends(Need("editor"))) -> Response:
    new = forms.values_from_form(await request.form())
    return await run_in_threadpool(save_edit, ctx, pm_id, new)


@router.post("/postmortems/{pm_id}/lint", include_in_schema=False)
async def lint_preview(
    pm_id: str, request: Request, ctx: Ctx = Depends(Need("editor"))
) -> Response:
    """Findings for the form as it stands, before saving (the editor calls it as you type)."""
    new = forms.values_from_form(await request.form())
    doc = ctx.site.document(pm_id)
    old = forms.values_of(doc)
    errors = forms.check(new, today(), old, ctx.ws.settings.limits.max_file_bytes)
    findings: list[dict[str, Any]] | None = []
    problems: list[dict[str, Any]] = []
    if not errors:
        text = forms.candidate_text(doc, old, new, today())
        try:
            candidate = Document.parse(text, doc.display, doc.id)
            problems = [p.__dict__ for p in ctx.ws.validate_document(candidate)]
            findings = lint_findings(ctx.site, candidate)
        except Exception as exc:  # a parse error is shown like any other problem
            problems = [{"path": doc.display, "line": None, "field": None, "message": str(exc)}]
    return JSONResponse(
        {
            "errors": [e.__dict__ for e in errors],
            "problems": problems,
            "lint": findings,
            "stale": new.revision != doc.revision,
        }
    )
