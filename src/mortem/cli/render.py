"""A postmortem rendered for the terminal."""

from __future__ import annotations

from rich.markdown import Markdown
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
        for column in ("id", "title", "owner", "due", "status", "type"):
            table.add_column(column, overflow="fold")
        for item in pm.action_items:
            table.add_row(
                item.id,
                item.title,
                item.owner or "—",
                _when(item.due),
                item.status,
                item.type or "",
            )
        console.print(table)
    console.print(Markdown(body))
