"""The routes, one module per domain of the page."""

from __future__ import annotations

from fastapi import FastAPI


def register(app: FastAPI) -> None:
    from . import account, actions, api, dashboard, evidence, home, postmortems, reviews

    # evidence last: `/postmortems/{id}/{file}` must not shadow the pages under an id.
    for module in (account, home, postmortems, actions, reviews, dashboard, api, evidence):
        # Added to the app's own table (not mounted as sub-routers), so that the table
        # lists every route with its dependencies: the authorization tests read it.
        app.router.routes.extend(module.router.routes)
