"""Who takes part, and how they write: people per postmortem, follow-up reviews held,
and blaming language found by `mortem lint` (through its cache)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .metrics_facts import Excluded, Incident
from .metrics_numbers import DEFAULT_RESAMPLES, DEFAULT_SEED, Rate, Summary, summarize
from .metrics_periods import Unit, bucket

if TYPE_CHECKING:
    from .config import Settings
    from .workspace import Workspace

BLAME_PREFIX = "B"  # the lint rule group "Blaming language"


# -- engagement ------------------------------------------------------------------------


@dataclass(frozen=True)
class Engagement:
    people: list[tuple[str, int]]  # postmortem, distinct people
    summary: Summary
    follow_ups_due: int
    follow_ups_held: int
    excluded: list[Excluded]

    @property
    def held_rate(self) -> Rate:
        return Rate(self.follow_ups_held, self.follow_ups_due)


def people_of(incident: Incident, git_names: set[str]) -> set[str]:
    names = set(incident.authors) | set(incident.responders) | git_names
    if incident.facilitator:
        names.add(incident.facilitator)
    for review in incident.reviews:
        names |= set(review.reviewers)
    return names


def engagement(
    incidents: list[Incident],
    settings: Settings,
    git_authors: dict[str, set[str]],
    today: dt.date,
    seed: int = DEFAULT_SEED,
    resamples: int = DEFAULT_RESAMPLES,
) -> Engagement:
    from .reviews import follow_up_counts

    by_name = {p.name: key for key, p in settings.people.items()}
    people = []
    for incident in incidents:
        git_names = {by_name.get(n, n) for n in git_authors.get(incident.id, set())}
        people.append((incident.id, len(people_of(incident, git_names))))
    due, held, excluded = follow_up_counts(incidents, settings, today)
    return Engagement(
        people,
        summarize([float(n) for _, n in people], "people", seed, resamples),
        due,
        held,
        excluded,
    )


def git_authors(ws: Workspace) -> dict[str, set[str]]:
    """Git authors of every postmortem file by id, cached per HEAD commit (the history
    only changes with HEAD, and walking it is the slow part)."""
    head = ws.git.head() if ws.git.is_repo() else None
    if head is None:
        return {}
    cache = ws.root / ".mortem" / "git-authors.json"
    try:
        saved = json.loads(cache.read_text(encoding="utf-8"))
        if saved.get("head") == head:
            return {k: set(v) for k, v in saved["authors"].items()}
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    folder = ws.settings.paths.postmortems
    by_path = ws.git.authors_by_file(folder)
    prefix = ws.store.folder.resolve().relative_to(ws.git.toplevel().resolve()).as_posix()
    authors: dict[str, set[str]] = {}
    for path, names in by_path.items():
        parent, _, name = path.rpartition("/")
        if parent == prefix and name.endswith(".md"):
            authors.setdefault(name[:-3], set()).update(names)
    cache.parent.mkdir(exist_ok=True)
    cache.write_text(
        json.dumps({"head": head, "authors": {k: sorted(v) for k, v in authors.items()}}),
        encoding="utf-8",
    )
    return authors


# -- culture (blame language, through the lint hook) -------------------------------------


@dataclass(frozen=True)
class Culture:
    available: bool
    per_period: list[tuple[str, int, int]]  # period, postmortems, blame findings
    per_postmortem: list[tuple[str, int]]
    note: str


BlameCounter = Callable[[list[str]], dict[str, int] | None]


def culture(incidents: list[Incident], unit: Unit, count_blame: BlameCounter) -> Culture:
    """Blame-language findings per postmortem and per period of the incident's start."""
    counts = count_blame([i.id for i in incidents])
    if counts is None:
        return Culture(False, [], [], "mortem.lint is not available: no blame findings to count")
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    undated = 0
    for incident in incidents:
        if incident.started_on is None:
            undated += 1
            continue
        slot = per[bucket(incident.started_on, unit)]
        slot[0] += 1
        slot[1] += counts.get(incident.id, 0)
    note = f"{undated} postmortem(s) without started_at are in no period" if undated else ""
    return Culture(
        True,
        [(label, v[0], v[1]) for label, v in sorted(per.items())],
        [(i.id, counts.get(i.id, 0)) for i in incidents],
        note,
    )


def blame_counts(
    ws: Workspace, ids: list[str], today: dt.date | None = None, nice: int = 0
) -> dict[str, int] | None:
    """Findings of the blaming-language rules (codes B...) per postmortem, through
    `mortem lint` and its cache; None when `mortem.lint` is not installed. `nice` lowers
    the priority of the lint workers (see `lint_jobs`)."""
    try:
        from .lint.cache import Target
        from .lint.service import cache_folder, lint_config, run_lint
    except ImportError:
        return None
    folder = ws.store.folder
    targets = [
        Target(path, ws.store.display(path), folder)
        for path in (ws.store.path_for(doc_id) for doc_id in ids)
    ]
    run = run_lint(targets, lint_config(ws, today=today), cache_folder(ws), nice=nice)
    return {
        doc_id: sum(1 for f in result.findings if f.code.startswith(BLAME_PREFIX))
        for doc_id, result in zip(ids, run.results, strict=True)
    }
