"""Properties of the Markdown importer on documents assembled from typical fragments."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mortem.errors import MortemError
from mortem.importers.markdown import import_markdown
from mortem.model import consistency_problems

FRAGMENTS = [
    "# Title",
    "## Timeline",
    "## Action items",
    "## Contributing factors",
    "## Stats",
    "## Impact",
    "## Summary",
    "### 2026-01-02",
    "| Time | Event |",
    "|---|---|",
    "| 10:00 | deploy starts |",
    "| 2026-01-02 10:05 | alert fires |",
    "| ~10:07 | maybe |",
    "- 10:10 rolled back",
    "- [x] fix it (owner: @bob)",
    "- **Bold**: thing",
    "  - nested detail",
    "1. numbered item",
    "All times in CET.",
    "Time to detection: 5 minutes",
    "Time to recovery: ?",
    "```",
    "code line 10:00",
    "text paragraph with words",
    "",
    "---",
    "===",
    "Severity: SEV1",
    "- 2026-01-02 --:-- unknown time",
    "* 23:59 late",
    "* 00:01 early",
    "| a | b |",
    '<img src="x" />',
    "> quote 10:00",
    "Date: January 2, 2026",
    "- ~~struck~~",
    "Impact: lots",
    "- 2026-13-45 10:00 bad date",
]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.lists(st.sampled_from(FRAGMENTS), max_size=30))
def test_any_arrangement_imports_without_losing_words(
    parts: list[str], assert_nothing_dropped: Callable[[str, dict[str, Any], str], None]
) -> None:
    text = "\n".join(parts)
    try:
        result = import_markdown(text, "fragments.md")
    except MortemError:
        return  # a located, user-facing error is an acceptable outcome
    pm = result.postmortem()
    assert consistency_problems(pm) == []
    assert_nothing_dropped(text, result.fields, result.body)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises_anything_but_mortem_errors(text: str) -> None:
    with contextlib.suppress(MortemError):
        import_markdown(text, "random.md")
