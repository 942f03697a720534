"""Signing in and out, one's own password, the admin's user list, static files."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...errors import MortemError, NotFoundError, UsageError
from ...users import ROLES, User, generate_password
from ..auth import PUBLIC, TooManyAttempts, sign_in, sign_out
from ..views import Ctx, Need, flash, page, render

router = APIRouter()

STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}


@router.get("/static/{name}", include_in_schema=False)
def static(name: str, ctx: Ctx = Depends(Need(PUBLIC))) -> Response:
    suffix = name[name.rfind(".") :] if "." in name else ""
    folder = resources.files("mortem.web") / "static"
    if suffix not in STATIC_TYPES or "/" in name or name.startswith("."):
        raise NotFoundError(f"no static file {name!r}")
    entry = folder / name
    if not entry.is_file():
        raise NotFoundError(f"no static file {name!r}")
    return Response(
        entry.read_bytes(),
        media_type=STATIC_TYPES[suffix],
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


@router.get("/healthz", include_in_schema=False)
def healthz(ctx: Ctx = Depends(Need(PUBLIC))) -> dict[str, bool]:
    return {"ok": True}


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never `//evil.example` or a full URL."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", include_in_schema=False)
def login_form(request: Request, next: str = "/", ctx: Ctx = Depends(Need(PUBLIC))) -> Response:
    if ctx.site.web.auth == "proxy" and ctx.user.anonymous:
        from ..app import proxy_unidentified

        return proxy_unidentified(request, ctx.site)
    if ctx.site.web.auth != "local" or not ctx.user.anonymous:
        return RedirectResponse(_safe_next(next), status_code=303)
    data = {"title": "Sign in", "next": _safe_next(next), "username": "", "error": None}
    return render(ctx, "login.html", data)


@router.post("/login", include_in_schema=False)
async def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
    ctx: Ctx = Depends(Need(PUBLIC)),
) -> Response:
    site = ctx.site
    if site.web.auth != "local":
        return RedirectResponse("/", status_code=303)
    username = username.strip().lower()[:64]
    ip = request.client.host if request.client else "unknown"
    wait = max(site.per_ip.retry_after(ip), site.per_user.retry_after(username))
    if wait:
        raise TooManyAttempts(wait)
    user = await run_in_threadpool(site.users.verify, username, password)
    if user is None:
        site.per_ip.fail(ip)
        site.per_user.fail(username)
        data = {
            "title": "Sign in",
            "next": _safe_next(next),
            "username": username,
            "error": "wrong name or password",
        }
        return render(ctx, "login.html", data, status=401)
    site.per_user.clear(username)
    sign_in(request, user, site.sessions.get(user.username))
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(request: Request, ctx: Ctx = Depends(Need(PUBLIC))) -> Response:
    if ctx.site.web.auth == "local" and ctx.user.username is not None:
        # Clearing this browser's cookie is not enough: a copy of it would still work.
        ctx.site.sessions.bump(ctx.user.username)
    sign_out(request)
    return RedirectResponse("/login" if ctx.site.web.auth == "local" else "/", status_code=303)


@page(router, "/account", "account.html")
def account(ctx: Ctx = Depends(Need("viewer"))) -> dict[str, object]:
    return {
        "title": "Your account",
        "user": ctx.user.public(),
        "local": ctx.site.web.auth == "local",
    }


@router.post("/account/password", include_in_schema=False)
async def change_password(
    request: Request,
    current: str = Form(""),
    new: str = Form(""),
    ctx: Ctx = Depends(Need("viewer")),
) -> Response:
    site = ctx.site
    username = ctx.user.username or ""
    if site.web.auth != "local":
        raise UsageError("passwords are managed by the sign-in proxy here")
    # The same limit as signing in: a stolen session must not become a way to guess
    # the password.
    wait = site.per_user.retry_after(username)
    if wait:
        raise TooManyAttempts(wait)
    if await run_in_threadpool(site.users.verify, username, current) is None:
        site.per_user.fail(username)
        raise UsageError("the current password is wrong")
    user = await run_in_threadpool(site.users.set_password, username, new)
    site.per_user.clear(username)
    # Every other session of the account ends; this one goes on in the new generation.
    sign_in(request, user, site.sessions.bump(username))
    flash(request, "Password changed.")
    return RedirectResponse("/account", status_code=303)


# -- the admin's user list ---------------------------------------------------------------


def _user_rows(users: list[User]) -> list[dict[str, object]]:
    return [u.public() for u in users]


@page(router, "/admin/users", "users.html")
def users_page(ctx: Ctx = Depends(Need("admin"))) -> dict[str, object]:
    return {
        "title": "Users",
        "users": _user_rows(ctx.site.users.all()),
        "roles": list(ROLES),
        "_new_password": ctx.request.session.pop("new_password", None),
    }


def _remember_password(request: Request, username: str, password: str) -> None:
    # Shown once on the next page, then gone (it lives only in the signed cookie).
    request.session["new_password"] = {"username": username, "password": password}


@router.post("/admin/users", include_in_schema=False)
async def add_user(
    request: Request,
    username: str = Form(...),
    role: str = Form("viewer"),
    name: str = Form(""),
    email: str = Form(""),
    ctx: Ctx = Depends(Need("admin")),
) -> Response:
    password = generate_password()
    username = username.strip().lower()
    await run_in_threadpool(
        ctx.site.users.add, username, password, role, name.strip(), email.strip()
    )
    _remember_password(request, username, password)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/role", include_in_schema=False)
def set_role(
    request: Request, username: str, role: str = Form(...), ctx: Ctx = Depends(Need("admin"))
) -> Response:
    ctx.site.users.set_role(username, role)
    flash(request, f"{username} is now {role}.")
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/password", include_in_schema=False)
async def reset_password(
    request: Request, username: str, ctx: Ctx = Depends(Need("admin"))
) -> Response:
    password = generate_password()
    await run_in_threadpool(ctx.site.users.set_password, username, password)
    _remember_password(request, username, password)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/remove", include_in_schema=False)
def remove_user(request: Request, username: str, ctx: Ctx = Depends(Need("admin"))) -> Response:
    if username == ctx.user.username:
        raise MortemError("you cannot remove your own account")
    ctx.site.users.remove(username)
    flash(request, f"{username} removed.")
    return RedirectResponse("/admin/users", status_code=303)
