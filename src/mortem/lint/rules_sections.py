"""S: is the postmortem complete? Sections, impact, times, disclaimer, facilitator.

The template a file was made from is recorded in its `template:` field (files made
before that use the repository's default template). A section whose content lives in
the front matter (the timeline, the whys, the factors, the action items, the impact)
counts as written when that field is filled, even if the heading is left empty or out.
"""

from __future__ import annotations

import functools
import re

from .context import Context
from .findings import Fix
from .rules import Example, Rule

DISCLAIMER = (
    "> **Blameless postmortem.** This document looks at how our systems and processes "
    "made the incident possible and what we will change. People acted reasonably given "
    "what they knew at the time; it names roles, not culprits."
)

# Words in a section title -> the front-matter field that holds that section's content.
FRONT_BACKED: tuple[tuple[str, str], ...] = (
    ("timeline", "timeline"),
    ("root cause", "whys"),
    ("whys", "whys"),
    ("contributing factor", "contributing_factors"),
    ("action item", "action_items"),
    ("follow-up", "action_items"),
    ("impact", "impact"),
)

_BODY_WITHOUT_SUMMARY = """\
# Checkout requests timed out

> This postmortem is blameless: it looks at how the system allowed the incident.

## Impact

4,100 checkouts failed.

## Action items

Listed in the front matter.
"""

_BODY_COMPLETE = """\
# Checkout requests timed out

> This postmortem is blameless: it looks at how the system allowed the incident.

## Summary

Checkout requests timed out for 25 minutes.

## Impact

4,100 checkouts failed.

## Action items

Listed in the front matter.
"""

_BODY_EMPTY_SUMMARY = """\
# Checkout requests timed out

> This postmortem is blameless: it looks at how the system allowed the incident.

## Summary

<!-- Two or three sentences: what broke, for whom, for how long. -->

## Impact

4,100 checkouts failed.

## Action items

Listed in the front matter.
"""

_BODY_NO_DISCLAIMER = """\
# Checkout requests timed out

## Summary

Checkout requests timed out for 25 minutes.

## Impact

4,100 checkouts failed.

## Action items

Listed in the front matter.
"""

RULES = [
    Rule(
        "S101",
        "sections.missing",
        "completeness",
        "warning",
        "a section that the template asks for is missing",
        "Add the section, or say in one line why it does not apply.",
        bad=(Example(_BODY_WITHOUT_SUMMARY, "body"),),
        good=(Example(_BODY_COMPLETE, "body"),),
        why="The template's sections are the questions a review asks; a missing one is "
        "usually a question nobody answered.",
    ),
    Rule(
        "S102",
        "sections.empty",
        "completeness",
        "warning",
        "a section is empty",
        "Write the section (a template's HTML comment alone does not count), "
        "or remove it if it does not apply.",
        bad=(Example(_BODY_EMPTY_SUMMARY, "body"),),
        good=(Example(_BODY_COMPLETE, "body"),),
    ),
    Rule(
        "S103",
        "impact.missing",
        "completeness",
        "error",
        "the impact is not stated",
        "Fill `impact:` with who was affected and how much: requests, customers, money, data.",
        bad=(Example('impact: ""\n', "front"),),
        good=(Example("impact: 4,100 checkouts failed over 25 minutes.\n", "front"),),
        why="Checked once the postmortem is in review or published.",
    ),
    Rule(
        "S104",
        "times.missing",
        "completeness",
        "error",
        "a published postmortem lacks its start, detection or resolution time",
        "Set started_at, detected_at and resolved_at (with a timezone); the metrics "
        "of time to detect and resolve are computed from them.",
        bad=(Example("detected_at: null\n", "front"),),
        good=(Example("detected_at: 2026-03-14T02:51:00Z\n", "front"),),
    ),
    Rule(
        "S105",
        "disclaimer.missing",
        "completeness",
        "warning",
        "the blameless disclaimer is missing",
        "Open the body with a short statement that the postmortem is blameless.",
        bad=(Example(_BODY_NO_DISCLAIMER, "body"),),
        good=(Example(_BODY_COMPLETE, "body"),),
        fixable=True,
        why="The statement sets the frame for everyone who reads and reviews the document. "
        "`--fix` adds the default template's disclaimer under the title.",
    ),
    Rule(
        "S106",
        "facilitator.responded",
        "completeness",
        "warning",
        "the facilitator is also a responder",
        "Ask someone who was not in the incident to facilitate the review.",
        bad=(Example("facilitator: alex\n", "front"),),
        good=(Example("facilitator: sam\n", "front"),),
        why="A facilitator who was not involved can ask the questions the responders cannot see.",
    ),
    Rule(
        "S107",
        "factors.none",
        "completeness",
        "error",
        "a published postmortem has no contributing factor",
        "Add at least one entry to contributing_factors (category and description).",
        bad=(Example("contributing_factors: []\n", "front"),),
        good=(
            Example(
                "contributing_factors:\n  - category: testing\n"
                "    description: No test sends traffic from many addresses.\n",
                "front",
            ),
        ),
    ),
    Rule(
        "S108",
        "actions.none",
        "completeness",
        "error",
        "a published postmortem has no action item",
        "Add at least one action item, or an item of type process that records the "
        "decision not to act.",
        bad=(Example("action_items: []\n", "front"),),
        good=(
            Example(
                "action_items:\n  - id: A1\n    title: Count requests per client id.\n"
                "    owner: payments\n    due: 2026-03-28\n    type: prevent\n",
                "front",
            ),
        ),
    ),
    Rule(
        "S109",
        "template.unknown",
        "completeness",
        "warning",
        "the template named in `template:` does not exist",
        "Use a template that `mortem templates` lists, or remove the field.",
        bad=(Example("template: incident-lite\n", "front"),),
        good=(Example("template: default\n", "front"),),
    ),
]


@functools.lru_cache(maxsize=4096)
def normalise(title: str) -> str:
    """A title as sections are compared: lower case, no link targets or punctuation."""
    title = re.sub(r"\]\([^)]*\)", "", title)
    return " ".join(re.sub(r"[^\w\s-]", " ", title.lower()).split())


def _backed(ctx: Context, title: str) -> bool:
    for words, key in FRONT_BACKED:
        if words in title:
            value = ctx.data.get(key)
            if value and (not isinstance(value, str) or value.strip()):
                return True
    return False


def check(ctx: Context) -> None:
    pm = ctx.pm
    if pm is None:
        return
    _check_sections(ctx)
    status = pm.status
    if status != "draft" and not (pm.impact or "").strip():
        ctx.report_field("S103", ("impact",))
    if status == "published":
        for name in ("started_at", "detected_at", "resolved_at"):
            if getattr(pm, name) is None:
                ctx.report_field("S104", (name,), f"published, but {name} is not set", part="key")
        if not pm.contributing_factors:
            ctx.report_field("S107", ("contributing_factors",))
        if not pm.action_items:
            ctx.report_field("S108", ("action_items",))
    if pm.facilitator and pm.facilitator in pm.responders:
        ctx.report_field(
            "S106",
            ("facilitator",),
            f"the facilitator {pm.facilitator} is also among the responders",
            part="value",
        )
    if ctx.enabled("S105") and not any("blameless" in b.text.lower() for b in ctx.body.blocks):
        _missing_disclaimer(ctx)


def _check_sections(ctx: Context) -> None:
    if not (ctx.enabled("S101") or ctx.enabled("S102") or ctx.enabled("S109")):
        return
    name = ctx.data.get("template")
    name = name if isinstance(name, str) and name else ctx.config.default_template
    required = ctx.config.templates.get(name)
    if required is None:
        if "template" in ctx.data:
            ctx.report_field("S109", ("template",), f"no template named {name!r}", part="value")
        return
    sections = ctx.body.sections
    titles = [(normalise(s.heading.title), s) for s in sections]
    anchor = ctx.body.headings[0] if ctx.body.headings else None
    for wanted in required:
        key = normalise(wanted)
        found = [s for t, s in titles if t == key or t.startswith(key + " ")]
        if not found:
            if _backed(ctx, key):
                continue
            start = anchor.start if anchor else len(ctx.text) - len(ctx.doc.body if ctx.doc else "")
            end = anchor.end if anchor else start
            ctx.report(
                "S101",
                start,
                end,
                f"section {wanted!r} is missing (the {name} template asks for it)",
            )
            continue
        section = found[0]
        if not section.has_content and not _backed(ctx, key):
            heading = section.heading
            ctx.report("S102", heading.start, heading.end, f"section {wanted!r} is empty")


def _missing_disclaimer(ctx: Context) -> None:
    doc = ctx.doc
    assert doc is not None
    body_start = len(ctx.text) - len(doc.body)
    first = ctx.body.headings[0] if ctx.body.headings else None
    if first is not None and first.level == 1:
        _, line_end = ctx.line_span(first.line)
        at = line_end + 1 if line_end < len(ctx.text) else line_end
        insert = "\n" + DISCLAIMER + "\n"
        if at >= len(ctx.text) or ctx.text[line_end : line_end + 1] != "\n":
            insert = "\n\n" + DISCLAIMER + "\n"
        start, end = first.start, first.end
    else:
        at = body_start
        insert = DISCLAIMER + "\n\n"
        start, end = body_start, body_start
    ctx.report(
        "S105",
        start,
        end,
        fix=Fix("add the blameless disclaimer", at, at, insert),
    )
