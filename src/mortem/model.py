"""The postmortem file format as pydantic models.

These models are the contract between the file, the index, the API and the JSON Schema
that editors use. They check types and value sets; rules that span fields (times in
order, unique action-item ids) live in `consistency_problems` so that each problem can
be pinned to the line of the field it concerns.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

Status = Literal["draft", "in-review", "published"]
STATUSES: tuple[str, ...] = ("draft", "in-review", "published")
EventKind = Literal["trigger", "detection", "action", "mitigation", "resolution", "communication"]
ActionStatus = Literal["open", "in-progress", "done", "wont-do"]
ACTION_STATUSES: tuple[str, ...] = ("open", "in-progress", "done", "wont-do")
ActionType = Literal["prevent", "detect", "mitigate", "process"]
ReviewKind = Literal["request", "approval", "publish", "follow-up"]
ReviewOutcome = Literal["effective", "partly", "not-effective"]


def _not_a_number(value: Any) -> Any:
    # pydantic reads a number as seconds since 1970: `started_at: 1700000000` would pass
    # as a time nobody wrote. YAML gives times and dates as such; numbers are mistakes.
    if isinstance(value, int | float):
        raise ValueError("a number is not a time or a date: write e.g. 2026-03-14T02:47:00Z")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(_not_a_number)]
Day = Annotated[date, BeforeValidator(_not_a_number)]


class _Record(BaseModel):
    # Unknown keys are the user's: keep them (extra="allow") so nothing is dropped.
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True, frozen=True)


class TimelineEvent(_Record):
    """One moment of the incident, in order, with its timezone."""

    at: Moment = Field(description="When it happened; a timezone is required.")
    event: str = Field(description="What happened, in one sentence about the system.")
    kind: EventKind | None = Field(default=None, description="What role the event played.")
    source: str | None = Field(default=None, description="Where the event was imported from.")


class Why(_Record):
    """One step of the 5 whys chain."""

    why: str = Field(description="The question asked.")
    because: str = Field(description="The answer, about the system rather than a person.")


class Factor(_Record):
    """Something that made the incident possible or worse."""

    category: str = Field(description="A category from mortem.toml [factors].")
    description: str = Field(description="What the factor was.")


class ActionItem(_Record):
    """A specific, owned and dated piece of follow-up work."""

    id: str = Field(description="Unique within the postmortem, e.g. A1.")
    title: str = Field(description="Starts with a verb; specific and measurable.")
    owner: str | None = Field(default=None, description="A person or team from the roster.")
    due: Day | None = Field(default=None, description="The date it should be done by.")
    status: ActionStatus = Field(default="open")
    type: ActionType | None = Field(
        default=None, description="prevent, detect, mitigate or process."
    )
    closed_on: Day | None = Field(default=None, description="Set when done or wont-do.")
    factors: list[str] = Field(
        default_factory=list,
        description="Contributing-factor categories of this postmortem that the item "
        "addresses, e.g. [testing]; repeat incidents are judged by them.",
    )
    link: str | None = Field(default=None, description="Tracker URL once exported.")
    notes: str | None = Field(default=None, description="Why it was closed, or what is left.")


class Review(_Record):
    """A step of the review history: a request, an approval, the publishing (its
    reviewers: who published), or a follow-up review after publishing."""

    on: Day = Field(description="The day of the review.")
    kind: ReviewKind = Field(
        default="approval", description="request, approval, publish or follow-up."
    )
    reviewers: list[str] = Field(
        default_factory=list, description="Who reviewed; for kind publish, who published."
    )
    outcome: ReviewOutcome | None = Field(
        default=None, description="Follow-ups: did the action items work?"
    )
    effective_actions: list[str] = Field(
        default_factory=list, description="Follow-ups: ids of action items that worked."
    )
    notes: str | None = None


class Postmortem(_Record):
    """The front matter of one postmortem file."""

    title: str = Field(min_length=1, description="A short statement of what happened.")
    status: Status = Field(default="draft", description="draft, in-review or published.")
    published_on: Day | None = Field(
        default=None, description="Set by `mortem publish`; follow-up reviews count from it."
    )
    severity: str | None = Field(default=None, description="A severity name from mortem.toml.")
    template: str | None = Field(
        default=None, description="The template it was made from; lint checks its sections."
    )
    services: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    authors: list[str] = Field(default_factory=list)
    facilitator: str | None = Field(default=None, description="Ideally not among the responders.")
    responders: list[str] = Field(default_factory=list)
    impact: str | None = Field(default=None, description="Who was affected and how much.")
    incident_refs: list[str] = Field(
        default_factory=list, description="Ids of the incident in PagerDuty, Opsgenie and so on."
    )
    started_at: Moment | None = None
    detected_at: Moment | None = None
    mitigated_at: Moment | None = None
    resolved_at: Moment | None = None
    timeline: list[TimelineEvent] = Field(default_factory=list)
    whys: list[Why] = Field(default_factory=list)
    contributing_factors: list[Factor] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)
    reviews: list[Review] = Field(default_factory=list)

    def people(self) -> set[str]:
        """Everyone the front matter names: authors, facilitator, responders, owners, reviewers."""
        names = set(self.authors) | set(self.responders)
        if self.facilitator:
            names.add(self.facilitator)
        names |= {a.owner for a in self.action_items if a.owner}
        for review in self.reviews:
            names |= set(review.reviewers)
        return names


Loc = tuple[str | int, ...]
PLAUSIBLE_YEARS = (1970, 2200)
TIMES = ("started_at", "detected_at", "mitigated_at", "resolved_at")
# Every problem of time order says this, so that metrics can tell a file whose only
# problem is the order of its times (still counted, less its durations) from one that
# cannot be read at all.
ORDER = " is before "


def is_time_order(field: str | None, message: str) -> bool:
    """Whether a problem (as `consistency_problems` words it) is one of time order."""
    return field in TIMES and ORDER in message


def consistency_problems(pm: Postmortem) -> list[tuple[Loc, str]]:
    """Rules that span fields, each with the location of the field to blame."""
    problems: list[tuple[Loc, str]] = []
    if pm.started_at is not None:
        for name in ("detected_at", "mitigated_at", "resolved_at"):
            value = getattr(pm, name)
            if value is not None and value < pm.started_at:
                problems.append(((name,), f"{name} {value.isoformat()}{ORDER}started_at"))
    if pm.mitigated_at and pm.resolved_at and pm.resolved_at < pm.mitigated_at:
        problems.append((("resolved_at",), f"resolved_at{ORDER}mitigated_at"))
    # A typo such as 0202 for 2026 would stretch every per-month figure over centuries.
    for name in TIMES:
        value = getattr(pm, name)
        if value is not None and not PLAUSIBLE_YEARS[0] <= value.year <= PLAUSIBLE_YEARS[1]:
            problems.append(((name,), f"year {value.year} is implausible (a typo?)"))
    for i, event in enumerate(pm.timeline):
        if not PLAUSIBLE_YEARS[0] <= event.at.year <= PLAUSIBLE_YEARS[1]:
            problems.append(
                (("timeline", i, "at"), f"year {event.at.year} is implausible (a typo?)")
            )
    seen: dict[str, int] = {}
    for i, item in enumerate(pm.action_items):
        if item.id in seen:
            problems.append(
                (
                    ("action_items", i, "id"),
                    f"duplicate action-item id {item.id!r} (first at item {seen[item.id] + 1})",
                )
            )
        else:
            seen[item.id] = i
    problems += _factor_links(pm)
    return problems


def _factor_links(pm: Postmortem) -> list[tuple[Loc, str]]:
    """An action item's `factors` must be categories of this postmortem's contributing
    factors (which are checked against mortem.toml's categories): a link to a factor
    the incident did not have would judge repeats by a guess."""
    own = list(dict.fromkeys(f.category for f in pm.contributing_factors))
    problems: list[tuple[Loc, str]] = []
    for i, item in enumerate(pm.action_items):
        for j, category in enumerate(item.factors):
            if category not in own:
                listed = ", ".join(own) if own else "none"
                problems.append(
                    (
                        ("action_items", i, "factors", j),
                        f"{category!r} is not a contributing-factor category of this "
                        f"postmortem (its categories: {listed})",
                    )
                )
    return problems


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the front matter, for editors and the API."""
    schema = Postmortem.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://mortem.dev/schema/postmortem.json"
    return schema
