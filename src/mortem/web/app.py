"""create_app(workspace): the FastAPI application behind `mortem serve`."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp

from .. import __version__
from ..errors import ConflictError, MortemError, ParseError
from ..workspace import Workspace
from .auth import Forbidden, LoginRequired, TooManyAttempts, identify
from .config import WebSettings, web_settings
from .security import BodyLimit, SecurityHeaders
from .site import Site
from .views import CsrfFailed, Ctx, render, wants_json

API_DESCRIPTION = """The JSON API of a mortem repository.

Sign in on the web page (or use the configured proxy); every request that changes
something must carry the `X-CSRF-Token` header with the token from `GET /api/me`.
"""


class MortemApp(FastAPI):
    """FastAPI with the security headers outside everything, error pages included.

    Starlette puts its server-error middleware outside every middleware added with
    `add_middleware`, so a 500 would leave without the headers; wrapping the whole stack
    puts them on every response the application sends.
    """

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


def create_app(
    workspace: Workspace,
    overrides: dict[str, Any] | None = None,
    web: WebSettings | None = None,
    warm: bool = False,
) -> FastAPI:
    """The web application over one workspace; `overrides` replace `[web]` settings.
    `warm`: lint every postmortem in the background once started, so that the first
    home page or dashboard does not wait for the blame-language counts."""
    settings = web or web_settings(workspace.settings, overrides)
    site = Site(workspace, settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        site.index()  # build or refresh the index before the first request
        # What start-up made lives as long as the server: keep it out of the garbage
        # collector's full passes, whose pauses would otherwise show in response times.
        gc.collect()
        gc.freeze()
        if site.sync is not None:
            site.sync.start()
        if warm:
            threading.Thread(
                target=site.blame_counts, kwargs={"background": True}, daemon=True
            ).start()
        try:
            yield
        finally:
            if site.sync is not None:
                site.sync.stop()

    app = MortemApp(
        title="mortem",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url=None,  # the interactive docs load third-party scripts: not here
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.site = site
    if settings.remote:
        from .sync import Sync

        site.sync = Sync(site)
    _handlers(app)
    from .routes import register

    register(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=site.secret,
        session_cookie="mortem_session",
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(BodyLimit, limit=site.max_request)
    return app


def _ctx(request: Request) -> Ctx:
    site: Site = request.app.state.site
    try:
        user = identify(request, site)
    except MortemError:
        from .auth import ANONYMOUS

        user = ANONYMOUS
    return Ctx(request, site, user)


def error_response(
    request: Request,
    status: int,
    message: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    data = {"error": message, "status": status, **(extra or {})}
    if wants_json(request):
        body = {k: v for k, v in data.items() if not k.startswith("_")}
        return JSONResponse(body, status_code=status, headers=headers)
    response = render(_ctx(request), "error.html", data, status=status)
    response.headers.update(headers or {})
    return response


def proxy_unidentified(request: Request, site: Site) -> Response:
    """401 for a request the sign-in proxy did not name a person in."""
    message = (
        f"the sign-in proxy did not identify you: this server takes the person from the "
        f"{site.web.proxy_header} header of a trusted proxy, and this request had none "
        "(or came around the proxy). Open the site through its usual address, or ask "
        "whoever runs it"
    )
    return error_response(
        request, 401, message, headers={"WWW-Authenticate": 'Proxy realm="mortem"'}
    )


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        site: Site = request.app.state.site
        if site.web.auth != "local":
            # No sign-in form to send anyone to: redirecting would loop between / and
            # /login, since only the proxy can sign a person in.
            return proxy_unidentified(request, site)
        if request.method == "GET" and not wants_json(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            from urllib.parse import quote

            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        return error_response(
            request, 401, "sign in first", headers={"WWW-Authenticate": 'Cookie realm="mortem"'}
        )

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return error_response(request, 403, exc.message)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        return error_response(
            request,
            403,
            "the form's security token is missing or out of date: reload the page and try again",
        )

    @app.exception_handler(TooManyAttempts)
    async def too_many(request: Request, exc: TooManyAttempts) -> Response:
        return error_response(request, 429, str(exc), headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(MortemError)
    async def mortem_error(request: Request, exc: MortemError) -> Response:
        extra: dict[str, Any] = {}
        if isinstance(exc, ParseError):
            extra["problems"] = [p.__dict__ for p in exc.problems]
        if isinstance(exc, ConflictError) and hasattr(exc, "diff"):
            extra["diff"] = exc.diff
        return error_response(request, exc.http_status, exc.message, extra)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        details = [
            {"loc": [str(p) for p in e.get("loc", ())], "message": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        first = details[0] if details else {"loc": [], "message": "invalid request"}
        message = f"{'.'.join(first['loc'][1:]) or 'request'}: {first['message']}"
        return error_response(request, 422, message, {"detail": details})

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        # Starlette logs the exception after this answer; the person gets a page that
        # says it is not their fault, never the traceback.
        message = "something went wrong on the server (it is logged): try again later"
        try:
            return error_response(request, 500, message)
        except Exception:
            return PlainTextResponse(message, status_code=500)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail) if exc.status_code != 404 else "no such page"
        headers = dict(exc.headers) if exc.headers else None
        return error_response(request, exc.status_code, message, headers=headers)
