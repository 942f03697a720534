"""The dashboard: how the practice is doing, by period and team, with charts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from ...errors import NotFoundError, UsageError
from ..dashboard_view import Selection, chart_svgs, dashboard_view
from ..present import today
from ..views import Ctx, Need, page

router = APIRouter()


# A dashboard's series run month by month across the period: thousands of years of them
# take a core for a minute, for a page no one can read.
MAX_YEARS = 100


def selection_of(period: str, team: str, unit: str) -> Selection:
    if unit not in ("month", "quarter"):
        raise UsageError(f"unit: {unit[:40]!r} is not month or quarter")
    selection = Selection(period.strip(), team.strip(), unit)  # type: ignore[arg-type]
    parsed = selection.parsed()  # a bad period is a 400 here, not a broken chart later
    if parsed is not None and parsed.end.year - parsed.start.year > MAX_YEARS:
        raise UsageError(
            f"period {parsed.label!r} spans more than {MAX_YEARS} years: choose a shorter one"
        )
    return selection


@page(router, "/dashboard", "dashboard.html")
def dashboard(
    period: str = "",
    team: str = "",
    unit: str = "quarter",
    ctx: Ctx = Depends(Need("viewer")),
) -> dict[str, Any]:
    selection = selection_of(period, team, unit)
    when = today()
    data = dashboard_view(ctx.site, selection, when)
    charts = chart_svgs(ctx.site, selection, when)
    # The index generation in the URL: a browser may cache a chart, never a stale one.
    query = urlencode(
        {
            "period": selection.period,
            "team": selection.team,
            "unit": unit,
            "v": ctx.site.fresh.generation,
        }
    )
    return {
        # The blame counts may still be coming: a page without them is not kept for later.
        "_cache": (
            "dashboard",
            ctx.site.fresh.generation,
            selection,
            when,
            (data.get("culture") or {}).get("pending"),
        ),
        "title": "Dashboard",
        "selection": {"period": selection.period, "team": selection.team, "unit": unit},
        "teams": sorted({p.team for p in ctx.ws.settings.people.values() if p.team}),
        "charts": [
            {"name": name, "title": title, "url": f"/dashboard/charts/{name}.svg?{query}"}
            for name, (title, _svg) in charts.items()
        ],
        **data,
    }


@router.get("/dashboard/charts/{name}.svg", include_in_schema=False)
def chart(
    name: str,
    period: str = "",
    team: str = "",
    unit: str = "quarter",
    ctx: Ctx = Depends(Need("viewer")),
) -> Response:
    charts = chart_svgs(ctx.site, selection_of(period, team, unit), today())
    if name not in charts:
        raise NotFoundError(f"no chart {name!r} (there are: {', '.join(charts)})")
    return Response(
        charts[name][1],
        media_type="image/svg+xml",
        headers={
            # The charts are plain SVG with presentation attributes: nothing to load,
            # no inline style, no script.
            "Content-Security-Policy": "default-src 'none'",
            "Cache-Control": "private, max-age=60",
        },
    )
