"""What each page of the static site shows, rendered through the Jinja templates."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..errors import ConfigError, Problem
from ..index import Row
from ..model import Postmortem
from ..render_html import render_markdown
from ..timeline_svg import duration_text, timeline_svg

TEMPLATES = Path(__file__).resolve().parent / "templates"
OPEN = ("open", "in-progress")
CLOSED_SHOWN_DAYS = 90
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_XML_HEAD = re.compile(r"^.*?(?=<svg)", re.S)


@dataclass(frozen=True)
class Context:
    ws: Any
    config: dict[str, Any]
    today: dt.date
    charts: bool


def site_config(ws: Any) -> dict[str, Any]:
    """`[site]` in mortem.toml: title, repo_url (to link each source file), charts, soon_days."""
    table = ws.settings.extra.get("site", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{ws.config_path}: [site] must be a table")
    known = {"title", "repo_url", "charts", "soon_days"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{ws.config_path}: unknown setting 'site.{unknown[0]}'")
    return {
        "title": str(table.get("title", "Postmortems")),
        "repo_url": str(table["repo_url"]).rstrip("/") + "/" if table.get("repo_url") else None,
        "charts": bool(table.get("charts", True)),
        "soon_days": int(table.get("soon_days", 14)),
    }


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["duration"] = lambda s: "—" if s is None else duration_text(s)
    return env


def _common(context: Context, root: str, section: str) -> dict[str, Any]:
    return {
        "site": context.config,
        "root": root,
        "section": section,
        "has_charts": context.charts,
        "today": context.today,
    }


def rewrite_link(target: str) -> str:
    """Links between postmortems point at their pages: `other.md#x` -> `other.html#x`."""
    if _SCHEME.match(target) or target.startswith(("/", "#")):
        return target
    path, sep, anchor = target.partition("#")
    if path.endswith(".md"):
        path = path[:-3] + ".html"
    return path + sep + anchor


def _person(context: Context, key: str) -> str:
    person = context.ws.settings.people.get(key)
    return f"{person.name} ({key})" if person else key


def _seconds(a: dt.datetime | None, b: dt.datetime | None) -> float | None:
    return None if a is None or b is None else (b - a).total_seconds()


def postmortem_page(
    env: Environment,
    context: Context,
    doc_id: str,
    pm: Postmortem | None,
    body: str,
    problems: Sequence[Problem],
) -> str:
    source = context.ws.store.display(context.ws.store.path_for(doc_id))
    repo_url = context.config["repo_url"]
    people: dict[str, Any] = {}
    if pm is not None:
        people = {
            "authors": [_person(context, p) for p in pm.authors],
            "facilitator": _person(context, pm.facilitator) if pm.facilitator else None,
            "responders": [_person(context, p) for p in pm.responders],
        }
    svg = timeline_svg(pm) if pm is not None else None
    return env.get_template("postmortem.html").render(
        **_common(context, "../", "postmortems"),
        id=doc_id,
        pm=pm,
        title=pm.title if pm else doc_id,
        people=people,
        durations={
            "to detect": _seconds(pm.started_at, pm.detected_at) if pm else None,
            "to mitigate": _seconds(pm.started_at, pm.mitigated_at) if pm else None,
            "to resolve": _seconds(pm.started_at, pm.resolved_at) if pm else None,
        },
        timeline=Markup(svg) if svg else None,
        body=Markup(render_markdown(body, rewrite_link)),
        problems=problems,
        source=source,
        source_url=(repo_url + source) if repo_url else None,
    )


def _options(values: Sequence[str], order: Sequence[str] = ()) -> list[str]:
    present = set(values)
    first = [v for v in order if v in present]
    return first + sorted(present - set(first))


def index_page(
    env: Environment, context: Context, rows: Sequence[Row], problems: dict[str, list[Problem]]
) -> str:
    items: list[dict[str, Any]] = [
        {
            "id": r.id,
            "title": r.title or r.id,
            "day": (r.started_at or "")[:10],
            "year": (r.started_at or "")[:4],
            "severity": r.severity or "",
            "status": r.status or "",
            "services": list(r.services),
            "tags": list(r.tags),
            "problems": len(problems.get(r.id, [])),
        }
        for r in rows
    ]
    severities = context.ws.settings.severity_names
    return env.get_template("index.html").render(
        **_common(context, "", "postmortems"),
        items=items,
        filters={
            "severity": _options([i["severity"] for i in items if i["severity"]], severities),
            "status": _options(
                [i["status"] for i in items if i["status"]], ("draft", "in-review", "published")
            ),
            "service": _options([s for i in items for s in i["services"]]),
            "tag": _options([t for i in items for t in i["tags"]]),
            "year": sorted({i["year"] for i in items if i["year"]}, reverse=True),
        },
    )


def actions_page(env: Environment, context: Context) -> str:
    from ..actions import list_actions

    titles = {r.id: r.title or r.id for r in context.ws.index.rows()}
    soon = context.today + dt.timedelta(days=context.config["soon_days"])
    recent = context.today - dt.timedelta(days=CLOSED_SHOWN_DAYS)
    items = []
    for a in list_actions(context.ws, context.today):
        open_ = a.status in OPEN
        if not open_ and (a.closed_on is None or a.closed_on < recent):
            continue  # the page is for work to do; years of closed items would bury it
        if not open_:
            when = "closed"
        elif a.overdue:
            when = "overdue"
        elif a.due is not None and a.due <= soon:
            when = "soon"
        else:
            when = "later"
        items.append({"a": a, "pm_title": titles.get(a.pm_id, a.pm_id), "when": when})
    counts = {w: sum(1 for i in items if i["when"] == w) for w in ("overdue", "soon", "later")}
    counts["open"] = counts["overdue"] + counts["soon"] + counts["later"]
    return env.get_template("actions.html").render(
        **_common(context, "", "actions"),
        closed_days=CLOSED_SHOWN_DAYS,
        items=items,
        counts=counts,
        owners=_options([i["a"].owner for i in items if i["a"].owner]),
        teams=_options([i["a"].team for i in items if i["a"].team]),
    )


def chart_stats(ws: Any, today: dt.date) -> Any:
    """The numbers the charts draw."""
    from ..metrics import Options, compute

    # Only the sections the charts draw: the others (blame language, engagement) read
    # every file or the git history. One resample: the charts draw no bootstrap
    # intervals (completion whiskers are Wilson intervals, computed directly).
    options = Options(today=today, sections=("frequency", "durations", "actions"), resamples=1)
    return compute(ws, options)


# What the charts are drawn from: a postmortem's times, severity, status, services and
# authors, and its action items' owners, dates and states. An edit elsewhere (a title,
# the whys, a narrative) cannot move them, so the numbers are not even recomputed.
_CHART_FIELDS = (
    "status", "severity", "services", "authors", "started_at", "detected_at",
    "mitigated_at", "resolved_at", "reviews", "published_on",
)  # fmt: skip
_CHART_ACTION_FIELDS = ("owner", "due", "status", "closed_on", "type")


def chart_inputs(data: dict[str, str]) -> list[Any]:
    """The part of every postmortem's front matter (JSON text by id) the charts use."""
    import json

    inputs: list[Any] = []
    for doc_id in sorted(data):
        front = json.loads(data[doc_id])
        actions = [
            [item.get(k) for k in _CHART_ACTION_FIELDS]
            for item in front.get("action_items") or []
            if isinstance(item, dict)
        ]
        inputs.append([doc_id, [front.get(k) for k in _CHART_FIELDS], actions])
    return inputs


def stats_key(stats: Any) -> str:
    """A stable text of the numbers, so that unchanged numbers keep their charts."""
    import dataclasses
    import json

    return json.dumps(dataclasses.asdict(stats), sort_keys=True, default=str)


def stats_page(env: Environment, context: Context, stats: Any) -> str:
    from ..chart_svg import svg_charts

    charts = [
        {"name": name, "title": title, "svg": Markup(_XML_HEAD.sub("", svg, count=1))}
        for name, title, svg in svg_charts(stats)
    ]
    return env.get_template("stats.html").render(**_common(context, "", "stats"), charts=charts)
