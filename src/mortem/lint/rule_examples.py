"""Rule examples turned into whole files, for the docs' context and the examples test.

Every example is shown on its own in the docs, but is checked inside a complete,
clean postmortem (below), so that a bad example must produce its own code and a good
one may not, with everything around it as good as it gets.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import yaml

from ..config import Lint, Person, Settings
from .findings import Finding
from .options import LintConfig, build_config
from .rules import EXAMPLE_PHRASES, Example

TODAY = dt.date(2026, 3, 20)

ROSTER = {
    "priya": Person(name="Priya Raman", team="payments", role="engineer"),
    "sam": Person(name="Sam Keller", team="platform", role="sre"),
    "alex": Person(name="Alex Moreau", team="payments", role="engineer"),
    "jordan": Person(name="Jordan Ellis", team="platform", role="sre"),
}

TEMPLATES = {"default": ("Summary", "Impact", "Action items")}

BASE_FRONT = """\
title: Checkout requests timed out
status: published
severity: SEV2
services: [payments-api]
authors: [priya]
facilitator: sam
responders: [alex, jordan]
impact: 4,100 checkouts failed over 25 minutes.
started_at: 2026-03-14T02:47:00Z
detected_at: 2026-03-14T02:51:00Z
mitigated_at: 2026-03-14T03:05:00Z
resolved_at: 2026-03-14T03:12:00Z
timeline:
  - at: 2026-03-14T02:47:00Z
    event: Gateway traffic arrives from 40 addresses instead of 3.
    kind: trigger
  - at: 2026-03-14T02:51:00Z
    event: The latency alert pages the on-call engineer.
    kind: detection
  - at: 2026-03-14T03:05:00Z
    event: The rate limit is raised for the new addresses and errors fall below 1%.
    kind: mitigation
  - at: 2026-03-14T03:12:00Z
    event: Latency is back at its baseline and the incident is closed.
    kind: resolution
whys:
  - why: Why did checkout time out?
    because: The connection pool of payments-api was exhausted.
  - why: Why was the pool exhausted?
    because: The rate limiter counted requests per address, so a burst from 40 addresses passed it.
  - why: Why did the limiter count per address?
    because: It was written when every client came through three gateway addresses.
  - why: Why was that assumption not revisited?
    because: The gateway migration plan did not list the services that depend on client addresses.
  - why: Why did the plan not list them?
    because: No inventory records which services read the source address of a request.
contributing_factors:
  - category: testing
    description: No test sends traffic from many source addresses through the limiter.
action_items:
  - id: A1
    title: Count requests per client id in the rate limiter.
    owner: payments
    due: 2026-03-28
    status: open
    type: prevent
"""

BASE_BODY = """\
# Checkout requests timed out

> This postmortem is blameless: it looks at how the system allowed the incident.

## Summary

Checkout requests timed out for 25 minutes after the gateway began sending traffic
from 40 addresses, which the rate limiter did not expect.

## Impact

4,100 checkouts failed; merchants saw timeouts on the payment page.

## Action items

The rate limiter will count requests per client id (A1).
"""


def base_text() -> str:
    return f"---\n{BASE_FRONT}---\n{BASE_BODY}"


def _merge_front(fragment: str) -> str:
    """The base front matter with the fragment's top-level keys replaced or added."""
    replacement = yaml.load(fragment, Loader=yaml.BaseLoader) or {}  # only its keys matter
    keys = list(replacement)
    kept: list[str] = []
    skipping = False
    for line in BASE_FRONT.splitlines(keepends=True):
        if line[:1] not in (" ", "-", "\n", "#") and ":" in line:
            skipping = line.split(":", 1)[0] in keys
        if not skipping:
            kept.append(line)
    return "".join(kept) + fragment if fragment.endswith("\n") else "".join(kept) + fragment + "\n"


def example_text(example: Example) -> str:
    """The whole file that an example stands for."""
    if example.kind == "file":
        return example.text
    if example.kind == "body":
        return f"---\n{BASE_FRONT}---\n{example.text}"
    if example.kind == "front":
        return f"---\n{_merge_front(example.text)}---\n{BASE_BODY}"
    if example.kind == "action":
        quoted = yaml.safe_dump(example.text, default_style='"', width=10_000).strip()
        fragment = (
            "action_items:\n  - id: A1\n"
            f"    title: {quoted}\n"
            "    owner: payments\n    due: 2026-03-28\n    status: open\n    type: prevent\n"
        )
        return f"---\n{_merge_front(fragment)}---\n{BASE_BODY}"
    body = BASE_BODY.replace(
        "## Impact\n", f"## What happened\n\n{example.text.strip()}\n\n## Impact\n"
    )
    return f"---\n{BASE_FRONT}---\n{body}"


def example_config(**overrides: Any) -> LintConfig:
    settings = Settings(people=ROSTER, lint=Lint(extra_phrases=list(EXAMPLE_PHRASES)))
    config = build_config(settings, TEMPLATES, today=TODAY)
    if overrides:
        from dataclasses import replace

        config = replace(config, **overrides)
    return config


def example_findings(example: Example, config: LintConfig | None = None) -> list[Finding]:
    """Lint an example's file in an empty folder (so evidence links are checked)."""
    from .engine import lint_text

    with tempfile.TemporaryDirectory() as folder:
        result = lint_text(
            example_text(example), "example.md", config or example_config(), Path(folder)
        )
    return result.findings
