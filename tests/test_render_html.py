"""Markdown to safe HTML, and the timeline drawn as SVG: the shared rendering pieces."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET

from mortem.model import Postmortem
from mortem.render_html import heading_id, render_markdown
from mortem.timeline_svg import duration_text, rows_of, timeline_svg


def test_markdown_is_rendered_and_sanitised() -> None:
    html = render_markdown(
        "# Summary\n<!-- template guidance -->\n"
        "Text <script>alert(1)</script><b onclick='x()'>bold</b> "
        "[js](javascript:alert(1)) [ok](https://example.com)\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~\n"
    )
    assert '<h1 id="summary">Summary</h1>' in html
    assert "guidance" not in html and "<script" not in html and "alert(1)</" not in html
    assert "<b>bold</b>" in html and "onclick" not in html
    assert 'href="javascript' not in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">ok</a>' in html
    assert "<td>1</td>" in html and "<s>gone</s>" in html


def test_links_are_rewritten_and_headings_get_unique_ids() -> None:
    html = render_markdown(
        "## Notes\n## Notes\n[other](other.md#x) ![graph](pm-1/graph.png)",
        lambda target: target.replace(".md", ".html"),
    )
    assert 'id="notes"' in html and 'id="notes-2"' in html
    assert 'href="other.html#x"' in html and 'src="pm-1/graph.png"' in html
    assert heading_id("  What happened?  ") == "what-happened"


def pm(**kw: object) -> Postmortem:
    return Postmortem.model_validate({"title": "T <&>", **kw})


def test_duration_text() -> None:
    assert duration_text(4 * 60) == "4 min"
    assert duration_text(90 * 60) == "1 h 30 min"
    assert duration_text(3 * 3600) == "3 h"
    assert duration_text(50 * 3600) == "2 d 2 h"


def test_timeline_rows_add_untimed_milestones() -> None:
    model = pm(
        started_at="2026-03-14T02:47:00Z",
        detected_at="2026-03-14T02:51:00Z",
        resolved_at="2026-03-14T04:12:00+01:00",  # 03:12 UTC
        timeline=[
            {"at": "2026-03-14T02:51:00Z", "event": "Alert pages on-call.", "kind": "detection"},
            {
                "at": "2026-03-14T02:47:00Z",
                "event": "Traffic from 40 addresses.",
                "kind": "trigger",
            },
        ],
    )
    rows = rows_of(model)
    # Sorted, in UTC; start and detection have events, resolution gets a milestone.
    assert [(r.at.strftime("%H:%M"), r.text, r.milestone) for r in rows] == [
        ("02:47", "Traffic from 40 addresses.", False),
        ("02:51", "Alert pages on-call.", False),
        ("03:12", "Resolved", True),
    ]


def test_timeline_svg_places_events_in_time_order_and_escapes() -> None:
    model = pm(
        started_at="2026-03-14T02:00:00Z",
        detected_at="2026-03-14T02:10:00Z",
        mitigated_at="2026-03-14T02:40:00Z",
        resolved_at="2026-03-16T02:40:00Z",
        timeline=[
            {"at": "2026-03-14T02:00:00Z", "event": "Deploy <v2> & config", "kind": "trigger"},
            {"at": "2026-03-14T02:10:00Z", "event": "Alert", "kind": "detection"},
            {"at": "2026-03-14T02:20:00Z", "event": "Rollback", "kind": "action"},
            {"at": "2026-03-14T02:40:00Z", "event": "Errors gone", "kind": "mitigation"},
            {"at": "2026-03-16T02:40:00Z", "event": "Closed", "kind": "resolution"},
        ],
    )
    svg = timeline_svg(model)
    assert svg is not None
    root = ET.fromstring(svg)  # well-formed XML, so the escaping held
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "Deploy <v2> & config" in texts
    assert [t for t in texts if t and re.fullmatch(r"\d\d:\d\d", t)] == [
        "02:00", "02:10", "02:20", "02:40", "02:40",
    ]  # fmt: skip
    ys = [float(c.get("cy", "0")) for c in root.iter(f"{ns}circle")]
    assert ys == sorted(ys) and len(ys) == 5
    # Time reads as distance: twenty minutes take more room than ten, even though the
    # rows are crowded; the two-day gap is shortened.
    assert ys[3] - ys[2] > 1.5 * (ys[2] - ys[1])
    assert "2 d later" in texts
    assert ys[4] - ys[3] < 6 * (ys[1] - ys[0])
    # The phases are in the legend with their durations.
    assert "detecting 10 min" in texts and "mitigating 30 min" in texts
    assert "recovering 2 d" in texts


def test_nothing_dated_draws_nothing() -> None:
    assert timeline_svg(pm()) is None
    assert timeline_svg(pm(started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))) is not None


def test_timeline_labels_left_of_the_axis_never_touch() -> None:
    # Events a minute apart, the first of each day with its date under its time: the
    # date needs a line of its own before the next time.
    events = [
        {"at": f"2026-03-14T23:5{n}:00Z", "event": f"Step {n}", "kind": "action"} for n in range(4)
    ] + [{"at": "2026-03-15T00:01:00Z", "event": "Next day", "kind": "action"}]
    model = pm(started_at="2026-03-14T23:50:00Z", timeline=events)
    svg = timeline_svg(model)
    assert svg is not None
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    left = sorted(
        float(t.get("y", "0"))
        for t in root.iter(f"{ns}text")
        if t.get("text-anchor") == "end" and float(t.get("y", "0")) > 50
    )
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "14 Mar 2026" in texts and "15 Mar 2026" in texts
    assert len(left) == 8  # six times (the start is a milestone), two dates
    assert min(b - a for a, b in itertools.pairwise(left)) >= 13  # 13 px text
