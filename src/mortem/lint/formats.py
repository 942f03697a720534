"""Findings as text, JSON, SARIF 2.1.0 and GitHub workflow commands (plain strings).

The coloured, grouped terminal view is the CLI's (it needs rich); everything here is
what a pipe or a CI system reads.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .. import __version__
from .docs import anchor, sentence
from .findings import Finding
from .rules import Rule, all_rules

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
INFO_URI = "https://github.com/mortem-dev/mortem/blob/main/docs/rules.md"


def text(findings: Sequence[Finding]) -> str:
    """`path:line:col: CODE message`, the suggestion indented under it."""
    lines = []
    for f in findings:
        lines.append(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}")
        if f.suggestion:
            lines.append(f"    {f.suggestion}")
    return "\n".join(lines) + ("\n" if lines else "")


def json_text(findings: Sequence[Finding]) -> str:
    """A JSON list, one finding per line (json's C encoder only runs without indent)."""
    if not findings:
        return "[]\n"
    items = ",\n  ".join(json.dumps(f.as_dict(), ensure_ascii=False) for f in findings)
    return f"[\n  {items}\n]\n"


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    help_text = rule.suggestion
    help_md = f"{rule.suggestion}\n\n"
    if rule.bad:
        help_md += "Flagged:\n\n" + "\n".join(
            f"    {line}" for line in rule.bad[0].text.splitlines()
        )
        help_md += "\n\n"
    if rule.good:
        help_md += "Fine:\n\n" + "\n".join(f"    {line}" for line in rule.good[0].text.splitlines())
        help_md += "\n"
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": sentence(rule.message)},
        "fullDescription": {"text": f"{sentence(rule.message)}. {rule.why}".strip()},
        "help": {"text": help_text, "markdown": help_md},
        "helpUri": f"{INFO_URI}#{anchor(rule)}",
        "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity]},
        "properties": {"tags": [rule.group], "precision": "high"},
    }


def sarif(findings: Sequence[Finding], root_uri: str | None = None) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run, with every rule's metadata."""
    rules = list(all_rules().values())
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = []
    for f in findings:
        location: dict[str, Any] = {
            "physicalLocation": {
                "artifactLocation": {"uri": f.path},
                "region": {
                    "startLine": f.line,
                    "startColumn": f.column,
                    "endLine": f.end_line,
                    "endColumn": max(f.end_column, f.column)
                    if f.end_line == f.line
                    else f.end_column,
                },
            }
        }
        if root_uri is not None and not f.path.startswith("/"):
            location["physicalLocation"]["artifactLocation"]["uriBaseId"] = "SRCROOT"
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.message}. {f.suggestion}" if f.suggestion else f.message},
            "locations": [location],
        }
        results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "mortem",
                "version": __version__,
                "informationUri": INFO_URI,
                "rules": [_rule_descriptor(rule) for rule in rules],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if root_uri is not None:
        run["originalUriBaseIds"] = {"SRCROOT": {"uri": root_uri}}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def sarif_text(findings: Sequence[Finding], root_uri: str | None = None) -> str:
    return json.dumps(sarif(findings, root_uri), indent=2, ensure_ascii=False) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: each finding becomes an annotation on the diff."""
    lines = []
    for f in findings:
        props = [
            f"file={_escape_property(f.path)}",
            f"line={f.line}",
            f"col={f.column}",
            f"endLine={f.end_line}",
            f"endColumn={f.end_column}",
            f"title={f.code}",
        ]
        message = f"{f.message}. {f.suggestion}" if f.suggestion else f.message
        lines.append(f"::{GITHUB_COMMAND[f.severity]} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")
