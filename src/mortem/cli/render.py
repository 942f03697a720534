"""A postmortem rendered for the terminal."""

from __future__ import annotations

from rich.markdown import Markdown
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from ..model import Postmortem
from .output import console


def _when(value: object) -> str:
    return "—" if value is None else str(value)


def render_postmortem(doc_id: str, pm: Postmortem, body: str) -> None:
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("id", doc_id)
    facts.add_row("status", pm.status)
    if pm.published_on is not None:
        facts.add_row("published", _published(pm))
    facts.add_row("severity", pm.severity or "—")
    facts.add_row("services", ", ".join(pm.services) or "—")
    facts.add_row("started", _when(pm.started_at))
    facts.add_row("detected", _when(pm.detected_at))
    facts.add_row("mitigated", _when(pm.mitigated_at))
    facts.add_row("resolved", _when(pm.resolved_at))
    if pm.impact:
        facts.add_row("impact", pm.impact)
    console.print(Panel(facts, title=pm.title, title_align="left"))
    if pm.timeline:
        table = Table(title="Timeline", title_justify="left", header_style="bold")
        table.add_column("at")
        table.add_column("kind")
        table.add_column("event", overflow="fold")
        for event in pm.timeline:
            table.add_row(str(event.at), event.kind or "", event.event)
        console.print(table)
    if pm.whys:
        console.print("[bold]Why?[/bold]")
        for number, why in enumerate(pm.whys, start=1):
            console.print(f"  {number}. {why.why}\n     → {why.because}", markup=False)
    if pm.contributing_factors:
        console.print("[bold]Contributing factors[/bold]")
        for factor in pm.contributing_factors:
            console.print(f"  • [{factor.category}] {factor.description}", markup=False)
    if pm.action_items:
        table = Table(title="Action items", title_justify="left", header_style="bold")
        for column in ("id", "title", "owner", "due", "status", "type", "factors"):
            table.add_column(column, overflow="fold")
        for item in pm.action_items:
            table.add_row(
                item.id,
                item.title,
                item.owner or "—",
                _when(item.due),
                item.status,
                item.type or "",
                escape(", ".join(item.factors)),
            )
        console.print(table)
    if pm.reviews:
        console.print(review_history(pm))
    console.print(Markdown(body))


def _published(pm: Postmortem) -> str:
    by = [name for r in pm.reviews if r.kind == "publish" for name in r.reviewers]
    return f"{pm.published_on}" + (f" by {', '.join(by)}" if by else "")


# Who each kind of review names, in words.
ROLE = {"request": "asked", "approval": "approved by", "publish": "published by"}


def review_history(pm: Postmortem) -> Table:
    """Every step of the review, in the file's order: who asked, approved, published,
    and what each follow-up found."""
    table = Table(title="Reviews", title_justify="left", header_style="bold")
    for column in ("on", "kind", "who", "outcome", "notes"):
        table.add_column(column, overflow="fold")
    for review in pm.reviews:
        names = ", ".join(review.reviewers) or "—"
        role = ROLE.get(review.kind, "reviewed by")
        outcome: str = review.outcome or ""
        if review.effective_actions:
            outcome += f" (worked: {', '.join(review.effective_actions)})"
        cells = (str(review.on), review.kind, f"{role} {names}", outcome.strip(), review.notes)
        table.add_row(*(escape(c or "") for c in cells))
    return table
