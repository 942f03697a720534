"""The open action items an exporter sends, with what a tracker needs around them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..actions import ActionFilter, ActionView, list_actions
from ..errors import ConfigError
from ..metrics_facts import OPEN_STATUSES

if TYPE_CHECKING:
    from ..workspace import Workspace


@dataclass(frozen=True)
class OpenItem:
    """An open action item and the postmortem it belongs to."""

    action: ActionView
    pm_title: str
    severity: str | None
    link_back: str  # the postmortem's web page, or its file in the repository

    @property
    def ref(self) -> str:
        return self.action.ref


def export_settings(ws: Workspace, section: str | None = None) -> dict[str, Any]:
    """The `[export]` table of mortem.toml, or one of its sub-tables (`[export.jira]`)."""
    table = ws.settings.extra.get("export", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{ws.config_path}: [export] must be a table")
    if section is None:
        return table
    sub = table.get(section, {})
    if not isinstance(sub, dict):
        raise ConfigError(f"{ws.config_path}: [export.{section}] must be a table")
    return sub


def link_back(ws: Workspace, pm_id: str, base: str | None) -> str:
    """Where a tracker issue points back to: `base` with the id, or the file's path.

    A base containing `{id}` is a pattern (`https://pm.example.com/pm/{id}`); any other
    base gets the id appended after a slash.
    """
    if not base:
        return ws.store.display(ws.store.path_for(pm_id))
    if "{id}" in base:
        return base.replace("{id}", pm_id)
    return base.rstrip("/") + "/" + pm_id


def open_items(
    ws: Workspace,
    today: dt.date,
    base: str | None = None,
    where: ActionFilter | None = None,
    include_linked: bool = False,
) -> list[OpenItem]:
    """Open and in-progress action items, due first; items with a link were exported."""
    base = base if base is not None else export_settings(ws).get("link_base")
    where = where or ActionFilter()
    where = ActionFilter(
        statuses=where.statuses or OPEN_STATUSES,
        owner=where.owner,
        team=where.team,
        postmortem=where.postmortem,
        type=where.type,
        overdue=where.overdue,
        due_before=where.due_before,
        due_after=where.due_after,
    )
    rows = {row.id: row for row in ws.index.rows()}
    found = []
    for action in list_actions(ws, today, where):
        if action.link and not include_linked:
            continue
        row = rows.get(action.pm_id)
        found.append(
            OpenItem(
                action,
                (row.title if row else None) or action.pm_id,
                row.severity if row else None,
                link_back(ws, action.pm_id, base),
            )
        )
    return found
