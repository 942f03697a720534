"""`mortem coverage`: which serious incidents got no postmortem, and the share per month.

The incidents come from PagerDuty or Opsgenie (a saved JSON list, or their REST API).
An incident needs a postmortem when its priority is at or above `[coverage]
min_priority` (P1 is the highest), or, when it has no priority, when its urgency is
one of `[coverage] urgencies` (PagerDuty's high/low). A postmortem covers an incident
when its `incident_refs` names it: by id (`PT4KHLK` or `pagerduty:PT4KHLK`), by number
(`#1234`, `pagerduty:1234`), or by its web address.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, MortemError, NotFoundError, ParseError, Problem, UsageError

if TYPE_CHECKING:
    from .workspace import Workspace

SYSTEMS = ("pagerduty", "opsgenie")
_PRIORITY = re.compile(r"^[Pp](\d)$")
TIMEOUT = 30


class SourceError(MortemError):
    """The incident system could not be reached or refused the request."""

    http_status = 502


@dataclass(frozen=True)
class OutsideIncident:
    """An incident as PagerDuty or Opsgenie knows it."""

    system: str
    id: str
    number: str | None  # PagerDuty's incident_number, Opsgenie's tinyId
    title: str
    created: dt.datetime
    priority: str | None  # P1..P5
    urgency: str | None  # PagerDuty: high or low
    url: str | None

    def refs(self) -> set[str]:
        """Every way a postmortem's incident_refs may name this incident (lower case)."""
        keys = {self.id, f"{self.system}:{self.id}"}
        if self.number:
            keys |= {
                f"#{self.number}",
                f"{self.system}:{self.number}",
                f"{self.system}:#{self.number}",
            }
        if self.url:
            keys.add(self.url.rstrip("/"))
        return {k.lower() for k in keys}

    def as_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "id": self.id,
            "number": self.number,
            "title": self.title,
            "created": self.created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "priority": self.priority,
            "urgency": self.urgency,
            "url": self.url,
        }


@dataclass(frozen=True)
class Rule:
    min_priority: int = 2
    urgencies: tuple[str, ...] = ("high",)

    @classmethod
    def from_settings(cls, ws: Workspace) -> Rule:
        table = ws.settings.extra.get("coverage", {})
        where = f"{ws.config_path}: [coverage]"
        if not isinstance(table, dict):
            raise ConfigError(f"{where} must be a table")
        unknown = sorted(set(table) - {"min_priority", "urgencies"})
        if unknown:
            raise ConfigError(
                f"{where}: unknown setting {unknown[0]!r} (known: min_priority, urgencies)"
            )
        rank = cls.min_priority
        if "min_priority" in table:
            found = _PRIORITY.match(str(table["min_priority"]))
            if not found:
                raise ConfigError(
                    f"{where}: min_priority must be P1..P5, got {table['min_priority']!r}"
                )
            rank = int(found.group(1))
        urgencies = table.get("urgencies", list(cls.urgencies))
        if not isinstance(urgencies, list):
            raise ConfigError(f'{where}: urgencies must be a list, e.g. ["high"]')
        return cls(rank, tuple(str(u).lower() for u in urgencies))

    def needs_postmortem(self, incident: OutsideIncident) -> bool:
        found = _PRIORITY.match(incident.priority or "")
        if found:
            return int(found.group(1)) <= self.min_priority
        return (incident.urgency or "").lower() in self.urgencies

    def describe(self) -> str:
        urgent = " or ".join(self.urgencies) or "none"
        return f"priority P{self.min_priority} or higher; without a priority, urgency {urgent}"


# -- reading incidents -------------------------------------------------------------------


def _instant(value: object, where: str, field: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ParseError([Problem(where, None, field, f"not a timestamp with a zone: {value!r}")])
    return moment.astimezone(dt.UTC)


def _name(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("summary") or value.get("name")
    return str(value) if value not in (None, "") else None


def parse_incident(raw: object, where: str, field: str) -> OutsideIncident:
    """One incident object, from PagerDuty (`created_at`) or Opsgenie (`createdAt`)."""
    if not isinstance(raw, dict) or not raw.get("id"):
        raise ParseError([Problem(where, None, field, "expected an incident object with an id")])
    if "created_at" in raw:
        number = raw.get("incident_number")
        return OutsideIncident(
            "pagerduty",
            str(raw["id"]),
            str(number) if number is not None else None,
            str(raw.get("title") or raw.get("summary") or ""),
            _instant(raw["created_at"], where, f"{field}.created_at"),
            _name(raw.get("priority")),
            _name(raw.get("urgency")),
            raw.get("html_url"),
        )
    if "createdAt" in raw:
        tiny = raw.get("tinyId")
        links = raw.get("links") if isinstance(raw.get("links"), dict) else {}
        return OutsideIncident(
            "opsgenie",
            str(raw["id"]),
            str(tiny) if tiny is not None else None,
            str(raw.get("message") or ""),
            _instant(raw["createdAt"], where, f"{field}.createdAt"),
            _name(raw.get("priority")),
            None,
            (links or {}).get("web"),
        )
    raise ParseError(
        [
            Problem(
                where,
                None,
                field,
                "neither a PagerDuty (created_at) nor an Opsgenie (createdAt) incident",
            )
        ]
    )


def incidents_in(data: object, where: str) -> list[OutsideIncident]:
    """Incidents of a saved export: a list, or an API response (or a list of them)."""
    pages = (
        data
        if isinstance(data, list) and all(isinstance(p, dict) and _wrapped(p) for p in data)
        else [data]
    )
    found: list[OutsideIncident] = []
    for page in pages:
        items: object = page
        if isinstance(page, dict):
            items = page.get("incidents", page.get("data"))
        if not isinstance(items, list):
            raise ParseError(
                [
                    Problem(
                        where,
                        None,
                        None,
                        'expected a JSON list of incidents, or {"incidents": [...]}',
                    )
                ]
            )
        found += [parse_incident(item, where, f"[{i}]") for i, item in enumerate(items)]
    return found


def _wrapped(page: dict[str, Any]) -> bool:
    return isinstance(page.get("incidents"), list) or isinstance(page.get("data"), list)


def load_incidents(path: Path) -> list[OutsideIncident]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise ParseError(
            [Problem(str(path), exc.lineno, None, f"invalid JSON: {exc.msg}")]
        ) from None
    return incidents_in(data, str(path))


def _get(url: str, headers: dict[str, str]) -> Any:
    request = urllib.request.Request(
        url, headers={**headers, "Accept": "application/json", "User-Agent": "mortem-coverage"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise SourceError(f"GET {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise SourceError(f"GET {url}: cannot connect: {getattr(exc, 'reason', exc)}") from None
    except json.JSONDecodeError:
        raise SourceError(f"GET {url}: the answer is not JSON") from None


def fetch_incidents(
    system: str, api_url: str, token: str, since: dt.datetime | None, until: dt.datetime | None
) -> list[OutsideIncident]:
    """Incidents from the REST API of PagerDuty (/incidents) or Opsgenie (/v1/incidents)."""
    base = api_url.rstrip("/")
    found: list[OutsideIncident] = []
    if system == "pagerduty":
        headers = {"Authorization": f"Token token={token}"}
        query: dict[str, Any] = {"limit": 100, "time_zone": "UTC"}
        if since:
            query["since"] = since.isoformat()
        if until:
            query["until"] = until.isoformat()
        offset = 0
        while True:
            url = f"{base}/incidents?" + urllib.parse.urlencode({**query, "offset": offset})
            page = _get(url, headers)
            batch = incidents_in(page, url)
            found += batch
            if not (isinstance(page, dict) and page.get("more")) or not batch:
                return found
            offset += len(batch)
    if system == "opsgenie":
        next_url: str | None = f"{base}/v1/incidents?limit=100&sort=createdAt&order=asc"
        while next_url:
            page = _get(next_url, {"Authorization": f"GenieKey {token}"})
            found += incidents_in(page, next_url)
            paging = page.get("paging") if isinstance(page, dict) else None
            next_url = paging.get("next") if isinstance(paging, dict) else None
        return [
            i
            for i in found
            if (not since or i.created >= since) and (not until or i.created < until)
        ]
    raise UsageError(f"unknown incident system {system!r} (one of: {', '.join(SYSTEMS)})")


PUBLIC_APIS = {"pagerduty": "https://api.pagerduty.com", "opsgenie": "https://api.opsgenie.com"}


def read_incidents(
    source: Path | None,
    api: str | None,
    api_url: str | None,
    token_env: str,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> list[OutsideIncident]:
    """Incidents from a saved file, or from `api` with the key in `$token_env`."""
    if (source is None) == (api is None):
        raise UsageError("give either a FILE or --api pagerduty|opsgenie")
    if source is not None:
        return load_incidents(source)
    assert api is not None
    if api not in SYSTEMS:
        raise UsageError(f"--api {api!r}: use {' or '.join(SYSTEMS)}")
    token = os.environ.get(token_env, "")
    if not token:
        raise UsageError(f"--api {api} needs a key in ${token_env}")
    return fetch_incidents(api, api_url or PUBLIC_APIS[api], token, since, until)


# -- coverage ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    month: str
    incidents: int
    covered: int

    @property
    def share(self) -> float | None:
        return self.covered / self.incidents if self.incidents else None

    def as_dict(self) -> dict[str, Any]:
        share = self.share
        return {
            "month": self.month,
            "incidents": self.incidents,
            "covered": self.covered,
            "share": None if share is None else round(share, 4),
        }


@dataclass(frozen=True)
class Coverage:
    rule: Rule
    considered: int
    qualifying: int
    covered: int
    uncovered: list[OutsideIncident]
    months: list[Month]
    links: dict[str, list[str]]  # incident id -> postmortems citing it

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.describe(),
            "incidents": self.considered,
            "needing_postmortem": self.qualifying,
            "covered": self.covered,
            "share": round(self.covered / self.qualifying, 4) if self.qualifying else None,
            "months": [m.as_dict() for m in self.months],
            "uncovered": [i.as_dict() for i in self.uncovered],
        }


def _months(first: dt.date, last: dt.date) -> list[str]:
    out, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def coverage(
    ws: Workspace,
    incidents: list[OutsideIncident],
    rule: Rule,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Coverage:
    chosen = [
        i
        for i in incidents
        if (since is None or i.created >= since) and (until is None or i.created < until)
    ]
    cited: dict[str, list[str]] = {}
    for doc_id, data in ws.index.front_matter():
        for ref in data.get("incident_refs") or []:
            cited.setdefault(str(ref).strip().rstrip("/").lower(), []).append(doc_id)
    qualifying = sorted(
        (i for i in chosen if rule.needs_postmortem(i)), key=lambda i: (i.created, i.id)
    )
    links: dict[str, list[str]] = {}
    for incident in qualifying:
        docs = sorted({d for ref in incident.refs() for d in cited.get(ref, [])})
        if docs:
            links[incident.id] = docs
    uncovered = [i for i in qualifying if i.id not in links]
    months: list[Month] = []
    if qualifying:
        for label in _months(qualifying[0].created.date(), qualifying[-1].created.date()):
            in_month = [i for i in qualifying if i.created.strftime("%Y-%m") == label]
            months.append(Month(label, len(in_month), sum(1 for i in in_month if i.id in links)))
    return Coverage(rule, len(chosen), len(qualifying), len(links), uncovered, months, links)
