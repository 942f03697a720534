"""Malformed query values are the asker's mistake: a 4xx with a message, never a 5xx.

Every GET route of the app (pages, their JSON twins, the API) gets junk in each of its
query parameters in turn, from the route table, so a new parameter is covered too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from webkit import CHECKOUT_ID, sign_in

from helpers import run_cli
from mortem.errors import UsageError
from mortem.metrics_periods import parse_period
from mortem.web import create_app
from mortem.workspace import Workspace

PATH_VALUES = {"pm_id": CHECKOUT_ID, "action_id": "A1", "name": "latency.png", "username": "zed"}
JUNK = (
    "x",
    "9999",
    "9999-12",
    "9999-Q4",
    "9999-H2",
    "0000",
    "2026-13-01",
    "2026-02-30",
    "2025-01-01..9999-12-31",
    "0001-01-01..9998-12-31",
    "..",
    "../../mortem.toml",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "nan",
    "\x00",
    "%",
    "é" * 50,
    "x" * 20_000,
    "2026-03-01" * 500,
)
# Periods the calendar cannot hold; each used to end in "year 10000 is out of range".
OUT_OF_RANGE = ("9999", "9999-12", "9999-Q4", "9999-H2", "0000", "2025-01-01..9999-12-31")


def get_routes(app: Any) -> list[tuple[str, list[str]]]:
    """(concrete path, query parameter names) of every GET route."""
    found = []
    for route in app.routes:
        if not isinstance(route, APIRoute) or "GET" not in route.methods:
            continue
        if route.path == "/openapi.json":
            continue
        path = re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], route.path)
        if route.path == "/dashboard/charts/{name}.svg":
            path = "/dashboard/charts/frequency.svg"
        found.append((path, [p.alias for p in route.dependant.query_params]))
    return found


@pytest.fixture
def admin(repo: Workspace) -> Any:
    # Errors come back as responses (as a browser would see them), not raised in the test.
    client = TestClient(create_app(repo), raise_server_exceptions=False)
    with client:
        yield sign_in(client, "ada")


def test_junk_in_every_query_parameter_is_never_a_server_error(admin: Any) -> None:
    routes = get_routes(admin.client.app)
    params = {name for _, names in routes for name in names}
    # The table is the app's: these are the parameters that used to fail, and a few more.
    assert {"since", "until", "period", "page", "q", "unit", "status", "next"} <= params
    assert len(routes) > 25
    failures = []
    for path, names in routes:
        for name in names:
            for value in JUNK:
                response = admin.client.get(path, params={name: value}, follow_redirects=False)
                if response.status_code >= 500:
                    failures.append(f"{path}?{name}={value[:30]!r}: {response.status_code}")
    assert failures == []


@pytest.mark.parametrize(
    "url",
    [
        "/reviews?since=x",
        "/reviews?since=2026-13-01",
        "/reviews.json?since=2026-13-01",
    ],
)
def test_a_bad_agenda_date_is_a_400_naming_it(admin: Any, url: str) -> None:
    response = admin.get(url)
    assert response.status_code == 400
    assert "since:" in response.text and "is not a date like 2026-03-01" in response.text


@pytest.mark.parametrize("period", OUT_OF_RANGE)
def test_periods_beyond_the_calendar_are_a_400(admin: Any, period: str) -> None:
    for url in ("/dashboard", "/dashboard.json", "/dashboard/charts/frequency.svg", "/api/stats"):
        response = admin.get(url, params={"period": period})
        assert response.status_code == 400, (url, period, response.text[:200])
        assert "outside the years 1 to 9998" in response.text
    assert (
        admin.get("/api/stats", params={"period": period})
        .json()["error"]
        .startswith(f"period {period!r}")
    )


def test_a_dashboard_of_thousands_of_years_is_refused(admin: Any) -> None:
    # Its month-by-month series took a minute of a core to compute for each request.
    for url in ("/dashboard", "/dashboard/charts/frequency.svg", "/api/stats"):
        response = admin.get(url, params={"period": "0001-01-01..9998-12-31", "unit": "month"})
        assert response.status_code == 400
        assert "spans more than 100 years: choose a shorter one" in response.text
    assert admin.get("/dashboard", params={"period": "1927-01-01..2026-12-31"}).status_code == 200


def test_parse_period_names_the_calendar_limit() -> None:
    for period in OUT_OF_RANGE:
        with pytest.raises(UsageError, match="outside the years 1 to 9998"):
            parse_period(period)
    with pytest.raises(UsageError, match="too long"):
        parse_period("2026-03-01" * 10)
    # The edge of the range still works.
    assert parse_period("9998-Q4").end.isoformat() == "9999-01-01"
    assert parse_period("0001").start.isoformat() == "0001-01-01"


def test_the_command_line_says_so_too(repo: Workspace) -> None:
    result = run_cli("stats", "--compare", "9999-H2:2025", cwd=repo.root)
    assert result.returncode == 2
    assert "period '9999-H2' is outside the years 1 to 9998" in result.stderr
    assert "unexpected error" not in result.stderr and "Traceback" not in result.stderr


def test_the_api_describes_the_period_it_takes(repo: Workspace) -> None:
    spec = TestClient(create_app(repo)).get("/openapi.json").json()
    (period,) = [
        p for p in spec["paths"]["/api/stats"]["get"]["parameters"] if p["name"] == "period"
    ]
    schema = period["schema"]
    assert re.fullmatch(schema["pattern"], "2025-Q3") and re.fullmatch(schema["pattern"], "9999")
    assert set(period["examples"]) >= {"year", "range"}
