"""Open action items as a CSV file that Jira's CSV importer accepts.

What the importer needs (see docs/import-export.md): a header row with a Summary
column and no punctuation in the names, every separator kept on every row, values with
commas, quotes or line breaks quoted, and people as email addresses so that Jira can
map them to its users. Python's csv module (Excel dialect) writes exactly that.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .items import OpenItem, export_settings

if TYPE_CHECKING:
    from ..workspace import Workspace

COLUMNS = ("Summary", "Issue Type", "Priority", "Assignee", "Due Date", "Labels", "Description")
DEFAULT_PRIORITIES = {"SEV1": "Highest", "SEV2": "High", "SEV3": "Medium", "SEV4": "Low"}
SUMMARY_LIMIT = 255  # Jira refuses longer summaries


def description(item: OpenItem) -> str:
    action = item.action
    lines = [
        f'Action item {action.id} of the postmortem "{item.pm_title}" ({action.pm_id}).',
        "",
        f"Postmortem: {item.link_back}",
    ]
    if action.owner:
        lines.append(f"Owner in the postmortem: {action.owner}")
    if action.type:
        lines.append(f"Type: {action.type}")
    lines.append(f"mortem reference: {action.ref}")
    return "\n".join(lines)


def jira_csv(ws: Workspace, items: Sequence[OpenItem]) -> str:
    """The CSV text: one row per item, all columns on every row."""
    config = export_settings(ws, "jira")
    priorities = {**DEFAULT_PRIORITIES, **config.get("priorities", {})}
    issue_type = str(config.get("issue_type", "Task"))
    label = str(config.get("label", "postmortem"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for item in items:
        action = item.action
        person = ws.settings.people.get(action.owner or "")
        writer.writerow(
            (
                " ".join(action.title.split())[:SUMMARY_LIMIT],
                issue_type,
                priorities.get(item.severity or "", ""),
                (person.email or "") if person else "",
                action.due.isoformat() if action.due else "",
                label,
                description(item),
            )
        )
    return buffer.getvalue()
