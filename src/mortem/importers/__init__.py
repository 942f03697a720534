"""Importers: read timelines and whole postmortems written elsewhere.

Each importer is a pure function from an outside format to an `ImportResult` (or, for
Markdown, a `MarkdownImport`); none of them touches git or the store, so a caller can
show what would be imported before writing anything.
"""

from __future__ import annotations

from ._common import FetchError
from .csv_timeline import load_csv_timeline, parse_csv_timeline
from .markdown import MarkdownImport, import_markdown
from .opsgenie import load_opsgenie_file, parse_opsgenie
from .pagerduty import fetch_pagerduty, load_pagerduty_file, parse_pagerduty
from .result import ImportResult, Skipped, merge_events
from .slack import parse_slack_export

__all__ = [
    "FetchError",
    "ImportResult",
    "MarkdownImport",
    "Skipped",
    "fetch_pagerduty",
    "import_markdown",
    "load_csv_timeline",
    "load_opsgenie_file",
    "load_pagerduty_file",
    "merge_events",
    "parse_csv_timeline",
    "parse_opsgenie",
    "parse_pagerduty",
    "parse_slack_export",
]
