"""Rendering: the request context, role checks, HTML pages and their `.json` twins."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import inspect
import secrets
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ..git import Author
from ..users import ROLES
from ..workspace import Workspace
from .auth import (
    PUBLIC,
    SAFE_METHODS,
    Forbidden,
    Identity,
    LoginRequired,
    check_role,
    csrf_ok,
    csrf_token,
    identify,
)
from .site import Site


class CsrfFailed(Exception):
    """An unsafe request without this browser's token: refused with 403."""


@dataclass
class Ctx:
    """What a route handler gets: the request, the site and the person asking."""

    request: Request
    site: Site
    user: Identity

    @property
    def ws(self) -> Workspace:
        return self.site.ws

    @property
    def csrf(self) -> str:
        return csrf_token(self.request)

    def author(self) -> Author | None:
        return self.user.author(self.site.roster())

    def can(self, role: str) -> bool:
        return self.user.can(role)


class Need:
    """A dependency that admits people with at least `role` (and checks CSRF tokens).

    Every route declares one; the authorization tests read them from the route table.
    """

    def __init__(self, role: str) -> None:
        self.role = check_role(role)

    async def __call__(self, request: Request) -> Ctx:
        site: Site = request.app.state.site
        if request.method not in SAFE_METHODS and not await csrf_ok(request):
            raise CsrfFailed()
        user = identify(request, site)
        if self.role != PUBLIC:
            if user.anonymous:
                raise LoginRequired()
            if not user.can(self.role):
                raise Forbidden(f"this needs the {self.role} role; you are {user.role}")
        return Ctx(request, site, user)

    def __repr__(self) -> str:
        return f"Need({self.role!r})"


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


# -- templates -------------------------------------------------------------------------


def _static_version(name: str) -> str:
    data = (resources.files("mortem.web") / "static" / name).read_bytes()
    return hashlib.sha256(data).hexdigest()[:10]


@functools.cache
def static_url(name: str) -> str:
    return f"/static/{name}?v={_static_version(name)}"


def _moment(value: Any) -> Any:
    """A datetime or date from a model value or its ISO text (other values unchanged)."""
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


def _zone(value: dt.datetime) -> str:
    offset = value.utcoffset()
    if offset is None:
        return ""
    if offset == dt.timedelta(0):
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def _when(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A time as people read it, with its zone when it has one and the format shows time."""
    if value is None or value == "":
        return "—"
    value = _moment(value)
    if isinstance(value, dt.datetime):
        text = value.strftime(fmt)
        zone = _zone(value)
        return f"{text} {zone}" if zone and "%H" in fmt else text
    if isinstance(value, dt.date):
        return value.strftime(fmt) if "%H" not in fmt else value.isoformat()
    return str(value)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest:02d} min" if rest else f"{hours} h"
    return f"{hours / 24:.1f} days"


def _people(roster: dict[str, Any], names: list[str]) -> str:
    """Roster keys as full names (teams and free names stay as written)."""
    return ", ".join(roster[n].name if n in roster else str(n) for n in names)


def _slug(value: Any) -> str:
    return "".join(c if c.isalnum() else "-" for c in str(value or "none").lower())


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("mortem.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["when"] = _when
    env.filters["day"] = lambda v: _when(v, "%Y-%m-%d")
    env.filters["clock"] = lambda v: (
        m.strftime("%H:%M") if isinstance(m := _moment(v), dt.datetime) else "—"
    )
    env.filters["longday"] = lambda v: _when(v, "%a %d %b %Y")
    env.filters["zone"] = lambda v: _zone(m) if isinstance(m := _moment(v), dt.datetime) else ""
    env.filters["duration"] = _duration
    env.filters["slug"] = _slug
    env.globals["static_url"] = static_url
    env.globals["ROLES"] = ROLES
    return env


# Stands for the CSRF token in cached page content; random per process, so that no text
# in a postmortem can contain it.
CSRF_MARK = f"csrf-{secrets.token_hex(16)}"


def _context(ctx: Ctx, csrf: str) -> dict[str, Any]:
    request = ctx.request
    return {
        "me": ctx.user,
        "csrf": csrf,
        "here": request.url.path,
        "params": request.query_params,
        "raw_query": request.url.query,
        "auth_mode": ctx.site.web.auth,
        "names_of": functools.partial(_people, ctx.site.ws.settings.people),
    }


def _flash(request: Request) -> str | None:
    return request.session.pop("flash", None) if "flash" in request.session else None


@dataclass(frozen=True)
class Cached:
    """A page whose HTML content is kept under `key`, which must say everything that
    content depends on. `make` builds the page's data: only when the content is not kept
    yet, or for the JSON twin, so that a kept page costs a lookup and the page shell."""

    key: Hashable
    make: Callable[[], dict[str, Any]]


def render(
    ctx: Ctx, template: str, data: dict[str, Any] | Cached, status: int = 200
) -> HTMLResponse:
    """A page. Its content is kept for reuse when `data` is `Cached`, or a dict with a
    `_cache` key (as `Cached.key`)."""
    if isinstance(data, Cached):
        key: Hashable = data.key
        make = data.make
    elif data.get("_cache") is not None:
        key, make = data["_cache"], functools.partial(dict, data)
    else:
        html = (
            environment()
            .get_template(template)
            .render(**data, **_context(ctx, ctx.csrf), flash=_flash(ctx.request))
        )
        return HTMLResponse(html, status_code=status)
    title, content = ctx.site.pages.get(
        ("content", template, key), lambda: _content(ctx, template, make())
    )
    html = (
        environment()
        .get_template("shell.html")
        .render(
            title=title,
            _content=Markup(content.replace(CSRF_MARK, ctx.csrf)),
            **_context(ctx, ctx.csrf),
            flash=_flash(ctx.request),
        )
    )
    return HTMLResponse(html, status_code=status)


def _content(ctx: Ctx, template: str, data: dict[str, Any]) -> tuple[str, str]:
    """The title and `content` block of a page, with a mark where the CSRF token goes."""
    tmpl = environment().get_template(template)
    context = tmpl.new_context({**data, **_context(ctx, CSRF_MARK), "flash": None})
    return str(data.get("title", "")), "".join(tmpl.blocks["content"](context))


def flash(request: Request, message: str) -> None:
    """A one-line note shown on the next page (after a redirect)."""
    request.session["flash"] = message


def as_json(data: dict[str, Any], status: int = 200) -> JSONResponse:
    """The JSON twin of a page: its data, without what only the HTML needs (`_` keys)."""
    return JSONResponse(jsonable_encoder(public(data)), status_code=status)


def public(value: Any) -> Any:
    """`value` without the keys that start with `_`, at any depth."""
    if isinstance(value, dict):
        return {k: public(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, list | tuple):
        return [public(v) for v in value]
    return value


def markup(html: str) -> Markup:
    """HTML we made and sanitised ourselves, passed to a template as-is."""
    return Markup(html)


def json_path(path: str) -> str:
    return "/index.json" if path == "/" else path + ".json"


Handler = Callable[..., Any]


def _finish(ctx: Ctx, template: str, data: Any, html: bool) -> Response:
    """The response for what a page handler returned."""
    if isinstance(data, Response):
        return data
    if html:
        return render(ctx, template, data)
    return as_json(data.make() if isinstance(data, Cached) else data)


def page(router: APIRouter, path: str, template: str) -> Callable[[Handler], Handler]:
    """Register a GET page at `path` and its JSON twin at `path.json`.

    The handler returns the page's data as a dict and takes `ctx: Ctx = Depends(Need(..))`
    plus its path and query parameters.
    """

    def register(handler: Handler) -> Handler:
        is_async = inspect.iscoroutinefunction(handler)

        async def call(kwargs: dict[str, Any], html: bool) -> Any:
            if is_async:
                data = await handler(**kwargs)
                return _finish(kwargs["ctx"], template, data, html)

            # Pages run in a few threads, not one per request: they are CPU work under
            # one GIL, and a short queue on the event loop serves them in order, where
            # dozens of threads taking turns would make the slowest wait the longest.
            # The HTML is made there too: rendering is CPU work the event loop should
            # not wait for.
            def work() -> Any:
                return _finish(kwargs["ctx"], template, handler(**kwargs), html)

            limiter = kwargs["ctx"].site.page_threads
            return await anyio.to_thread.run_sync(work, limiter=limiter)

        @functools.wraps(handler)
        async def as_html(**kwargs: Any) -> Response:
            response: Response = await call(kwargs, True)
            return response

        @functools.wraps(handler)
        async def as_data(**kwargs: Any) -> Response:
            response: Response = await call(kwargs, False)
            return response

        name = handler.__name__
        # The twin first: `/postmortems/{pm_id}` would otherwise swallow `ID.json`.
        router.add_api_route(
            json_path(path), as_data, methods=["GET"], include_in_schema=False, name=f"{name}.json"
        )
        router.add_api_route(path, as_html, methods=["GET"], include_in_schema=False, name=name)
        return handler

    return register
