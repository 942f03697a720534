"""Evidence: upload screenshots and graphs while editing; serve them with a safe type."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...errors import NotFoundError, UsageError
from ...evidence import check_image, safe_name, sniff
from ..views import Ctx, Need, flash, wants_json

router = APIRouter()

FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,120}\.[a-z0-9]{1,8}$")


def store_upload(ctx: Ctx, pm_id: str, name: str, data: bytes, revision: str) -> dict[str, Any]:
    """Attach one image and commit; the new revision is returned only when the form was
    current, so an upload never hides someone else's save from the editor."""
    limit = ctx.ws.settings.limits.max_attachment_bytes
    if not data:
        raise UsageError("the file is empty")
    if len(data) > limit:
        raise UsageError(f"{name}: {len(data)} bytes is over the attachment limit of {limit}")
    kind = sniff(data, name or "upload")
    if not kind.mime.startswith("image/"):
        raise UsageError(
            f"{name or 'the file'} is not an image: upload PNG, JPEG, GIF or WebP (SVG is refused)"
        )
    check_image(data, kind, name or "the file")

    def attach() -> dict[str, Any]:
        current = ctx.ws.store.revision(pm_id)
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / safe_name(name or "screenshot", kind.suffix)
            source.write_bytes(data)
            attached = ctx.ws.attach(pm_id, [source], ctx.author())[0]
        doc = ctx.ws.store.load(pm_id)
        return {
            "name": attached.path.name,
            "link": attached.link,
            "url": f"/postmortems/{attached.link}",
            "markdown": f"![{attached.path.name}]({attached.link})",
            "revision": doc.revision if current == revision else None,
        }

    result: dict[str, Any] = ctx.site.write(attach)
    return result


@router.post("/postmortems/{pm_id}/evidence", include_in_schema=False)
async def upload(
    pm_id: str,
    request: Request,
    file: UploadFile,
    revision: str = Form(""),
    ctx: Ctx = Depends(Need("editor")),
) -> Response:
    ctx.ws.store.path_for(pm_id)
    limit = ctx.ws.settings.limits.max_attachment_bytes
    data = await file.read(limit + 1)
    result = await run_in_threadpool(store_upload, ctx, pm_id, file.filename or "", data, revision)
    if wants_json(request) or request.headers.get("x-requested-with") == "fetch":
        return JSONResponse(result, status_code=201)
    flash(request, f"Attached {result['name']}.")
    return RedirectResponse(f"/postmortems/{pm_id}/edit", status_code=303)


@router.get("/postmortems/{pm_id}/{name}", include_in_schema=False)
def evidence_file(pm_id: str, name: str, ctx: Ctx = Depends(Need("viewer"))) -> Response:
    folder = ctx.ws.store.path_for(pm_id).with_suffix("")
    if not FILE_NAME.match(name) or ".." in name:
        raise NotFoundError(f"no evidence file {name!r}")
    path = folder / name
    if not path.is_file():
        raise NotFoundError(f"no evidence file {name!r} for {pm_id}")
    data = path.read_bytes()
    try:
        kind = sniff(data, name).mime
    except UsageError:
        kind = "application/octet-stream"
    headers = {"Cache-Control": "private, max-age=300"}
    if kind.startswith("image/"):
        media = kind
    else:
        # Never rendered by the browser: text and anything else come as a download.
        media = "text/plain; charset=utf-8" if kind.startswith("text/") else kind
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return Response(data, media_type=media, headers=headers)
