"""The sample repository in examples/ is valid and varied enough to exercise every feature.

The examples are what the docs, the demo and many tests point at, so a broken or
monotonous example silently weakens all of them. These tests read the files with
nothing but PyYAML and the model, independently of mortem's own loader, so they
also catch a loader that accepts something the format does not allow.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from mortem.model import Postmortem, consistency_problems

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
POSTMORTEMS = EXAMPLES / "postmortems"
TODAY = date(2026, 11, 26)  # the examples are written as of this day
DISCLAIMER = (
    "> This postmortem is blameless: it looks at how the system and our processes "
    "allowed the incident, not at who did what."
)
SECTIONS = [
    "Summary",
    "Impact",
    "What happened",
    "Timeline",
    "Root cause analysis",
    "Contributing factors",
    "Action items",
    "Lessons learned",
]
ID_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*$")


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 booleans.

    PyYAML follows YAML 1.1, where a bare `on:` key (used by every review) loads as
    the boolean True. The format is YAML 1.2, as ruamel.yaml reads it.
    """


_Yaml12Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def split(text: str) -> tuple[str, str]:
    """Front matter and body: the text between the first two `---` lines, and the rest."""
    lines = text.split("\n")
    assert lines[0] == "---", "a postmortem starts with a --- line"
    end = lines.index("---", 1)
    return "\n".join(lines[1:end]), "\n".join(lines[end + 1 :])


@cache
def config() -> dict[str, Any]:
    with (EXAMPLES / "mortem.toml").open("rb") as f:
        return tomllib.load(f)


def files() -> list[Path]:
    return sorted(POSTMORTEMS.glob("*.md"))


@cache
def load(path: Path) -> tuple[dict[str, Any], Postmortem, str]:
    front, body = split(path.read_text(encoding="utf-8"))
    raw = yaml.load(front, Loader=_Yaml12Loader)
    return raw, Postmortem.model_validate(raw), body


def everything() -> list[tuple[Path, Postmortem, str]]:
    return [(p, *load(p)[1:]) for p in files()]


def duration(pm: Postmortem) -> timedelta:
    assert pm.started_at and pm.resolved_at
    return pm.resolved_at - pm.started_at


# --- mortem.toml -------------------------------------------------------------------


def test_config_shape() -> None:
    cfg = config()
    assert cfg["paths"]["postmortems"] == "postmortems"
    assert [s["name"] for s in cfg["severities"]] == ["SEV1", "SEV2", "SEV3", "SEV4"]
    assert all(s["description"] for s in cfg["severities"])
    assert cfg["reviews"] == {"follow_up_days": [30, 90], "approvals": 1}
    people = cfg["people"]
    assert 12 <= len(people) <= 18
    assert 5 <= len({p["team"] for p in people.values()}) <= 6
    roles = {p["role"] for p in people.values()}
    assert roles <= {"engineer", "sre", "team-lead", "manager", "support"}
    assert len(roles) == 5
    for key, person in people.items():
        assert person["email"] == f"{key}@example.com"
        assert person["name"]


# --- every file ---------------------------------------------------------------------


@pytest.mark.parametrize("path", files(), ids=lambda p: p.stem)
def test_example_is_valid(path: Path) -> None:
    raw, pm, body = load(path)
    assert consistency_problems(pm) == []

    # The id is the start date (in the incident's own timezone) plus a slug.
    match = ID_RE.match(path.stem)
    assert match, f"{path.stem} is not YYYY-MM-DD-slug"
    assert pm.started_at is not None
    assert match.group(1) == pm.started_at.date().isoformat()

    times = [pm.started_at, pm.detected_at, pm.mitigated_at, pm.resolved_at]
    present = [t for t in times if t is not None]
    assert present == sorted(present), "started <= detected <= mitigated <= resolved"
    assert all(t.date() <= TODAY for t in present)
    if pm.status != "draft":
        assert None not in times, "only a draft may leave a time out"
    at = [e.at for e in pm.timeline]
    assert at == sorted(at), "timeline in order"
    assert len(pm.timeline) >= 4

    cfg = config()
    assert pm.severity in {s["name"] for s in cfg["severities"]}
    people = set(cfg["people"])
    teams = {p["team"] for p in cfg["people"].values()}
    assert set(pm.authors) | set(pm.responders) | {pm.facilitator} <= people
    assert pm.facilitator not in pm.responders
    for review in pm.reviews:
        assert set(review.reviewers) <= people
        assert review.on <= TODAY
    for item in pm.action_items:
        assert item.owner is None or item.owner in people | teams, item.owner
        if item.status in ("done", "wont-do"):
            assert item.closed_on is not None and item.closed_on <= TODAY
        else:
            assert item.closed_on is None
        if item.status == "wont-do":
            assert item.notes, "a wont-do item says why"
    assert {f.category for f in pm.contributing_factors} <= set(cfg["factors"]["categories"])
    assert pm.services and pm.whys and pm.contributing_factors and pm.action_items

    if pm.status == "published":
        assert any(r.kind == "approval" for r in pm.reviews)
    follow_ups = [r for r in pm.reviews if r.kind == "follow-up"]
    assert all(r.outcome for r in follow_ups)
    assert not follow_ups or pm.status == "published"

    # The body: title, disclaimer, then the default template's sections in order.
    lines = body.strip("\n").split("\n")
    assert lines[0] == f"# {pm.title}"
    assert DISCLAIMER in body
    headings = [line[3:] for line in lines if line.startswith("## ")]
    assert headings == SECTIONS

    assert 3_000 <= path.stat().st_size <= 7_000, path.stat().st_size
    for review in raw.get("reviews") or []:
        assert "on" in review, "reviews use the bare `on:` key"


def test_ids_and_titles_unique() -> None:
    stems = [p.stem for p in files()]
    slugs = [ID_RE.sub("", s) for s in stems]
    assert len(set(stems)) == len(stems)
    titles = [pm.title for _, pm, _ in everything()]
    assert len(set(titles)) == len(titles)
    assert all(s == s.lower() for s in slugs)


# --- variety the features need ------------------------------------------------------


def test_enough_files() -> None:
    assert len(files()) >= 30


def test_statuses_and_severities() -> None:
    pms = [pm for _, pm, _ in everything()]
    statuses = Counter(pm.status for pm in pms)
    assert 18 <= statuses["published"] <= 26
    assert 4 <= statuses["in-review"] <= 7
    assert 4 <= statuses["draft"] <= 7
    assert {pm.severity for pm in pms} == {"SEV1", "SEV2", "SEV3", "SEV4"}
    assert len({s for pm in pms for s in pm.services}) >= 8


def test_two_years_and_many_timezones() -> None:
    starts = [pm.started_at for _, pm, _ in everything() if pm.started_at]
    assert min(starts).date() < date(2024, 12, 1)
    assert max(starts).date() > date(2026, 10, 1)
    offsets = {t.utcoffset() for t in starts}
    assert timedelta(0) in offsets and len(offsets) >= 3


def test_durations_span_minutes_to_days() -> None:
    durations = [duration(pm) for _, pm, _ in everything() if pm.resolved_at]
    assert min(durations) <= timedelta(minutes=10)
    assert max(durations) >= timedelta(days=2, hours=12)


def test_action_item_states() -> None:
    items = [a for _, pm, _ in everything() for a in pm.action_items]
    statuses = Counter(a.status for a in items)
    assert {"open", "in-progress", "done", "wont-do"} <= set(statuses)
    overdue = [a for a in items if a.status in ("open", "in-progress") and a.due and a.due < TODAY]
    assert len(overdue) >= 2
    late = [
        a for a in items if a.status == "done" and a.due and a.closed_on and a.closed_on > a.due
    ]
    on_time = [
        a for a in items if a.status == "done" and a.due and a.closed_on and a.closed_on <= a.due
    ]
    assert late and len(on_time) > len(late)
    assert {a.type for a in items} == {"prevent", "detect", "mitigate", "process"}


def test_follow_up_reviews() -> None:
    outcomes = Counter(
        r.outcome for _, pm, _ in everything() for r in pm.reviews if r.kind == "follow-up"
    )
    assert outcomes["effective"] and outcomes["partly"] and outcomes["not-effective"]
    kinds = {r.kind for _, pm, _ in everything() for r in pm.reviews}
    assert kinds == {"request", "approval", "follow-up"}


def test_repeat_incidents() -> None:
    """Some incidents hit the same service for the same kind of reason within 60 days."""
    seen: list[tuple[datetime, set[str], set[str]]] = []
    repeats = 0
    for _, pm, _ in sorted(everything(), key=lambda t: t[1].started_at or datetime.min):
        assert pm.started_at
        cats = {f.category for f in pm.contributing_factors}
        for when, services, categories in seen:
            close = pm.started_at - when <= timedelta(days=60)
            if close and services & set(pm.services) and categories & cats:
                repeats += 1
                break
        seen.append((pm.started_at, set(pm.services), cats))
    assert repeats >= 2


def test_some_examples_have_problems_for_the_linter() -> None:
    """A few files are written badly on purpose; the rest are the good examples."""
    everything_ = everything()
    # Normalise whitespace: a phrase may be wrapped across lines.
    bodies = " ".join(" ".join(body for _, _, body in everything_).lower().split())
    for phrase in ("human error", "forgot to", "should have noticed", "careless"):
        assert phrase in bodies, phrase
    items = [a for _, pm, _ in everything_ for a in pm.action_items]
    assert any(a.owner is None for a in items)
    assert any(a.due is None for a in items)
    titles = {a.title for a in items}
    assert {"Improve monitoring", "Look into the cache"} & titles
    shallow = [p for p, pm, _ in everything_ if len(pm.whys) <= 2]
    assert 1 <= len(shallow) <= 3
    flawed = {
        p
        for p, pm, body in everything_
        if len(pm.whys) <= 2
        or any(a.owner is None or a.due is None for a in pm.action_items)
        or re.search(r"human\s+error|forgot\s+to|should\s+have\s+noticed|careless", body, re.I)
    }
    assert 3 <= len(flawed) <= 5


def test_evidence_blocks() -> None:
    with_logs = [p for p, _, body in everything() if "\n```" in body]
    assert len(with_logs) >= 2
