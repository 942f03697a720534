"""The HTML pages' charts, drawn as SVG without matplotlib, from the fixed repository of
test_metrics.py (whose numbers are worked out there by hand). Each chart is parsed as
XML and its geometry checked against those numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mortem import chart_svg
from mortem.chart_svg import SEVERITY_COLOURS, svg_charts
from mortem.metrics import Options, Rate, Stats, compute
from mortem.workspace import Workspace
from test_metrics import TODAY, no_lint

SVG = "{http://www.w3.org/2000/svg}"
NAMES = ["frequency", "ttr_by_period", "action_burn_down", "completion_by_team"]


def drawn(stats: Stats) -> dict[str, ET.Element]:
    return {name: ET.fromstring(svg) for name, _, svg in svg_charts(stats)}


def part(root: ET.Element, name: str) -> ET.Element:
    found = root.find(f".//{SVG}g[@data-part='{name}']")
    assert found is not None, f"no {name} in the chart"
    return found


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def num(element: ET.Element, attribute: str) -> float:
    return float(element.attrib[attribute])


def y_ticks(root: ET.Element) -> dict[str, float]:
    """Tick label -> the y of its grid line."""
    group = part(root, "y-ticks")
    lines = group.findall(f"{SVG}line")
    labels = group.findall(f"{SVG}text")
    return {t.text or "": num(line, "y1") for line, t in zip(lines, labels, strict=True)}


def title_of(element: ET.Element) -> str:
    found = element.find(f"{SVG}title")
    return found.text or "" if found is not None else ""


# -- every chart -----------------------------------------------------------------------


def test_charts_are_accessible_scalable_and_self_contained(stats: Stats) -> None:
    charts = svg_charts(stats)
    assert [name for name, _, _ in charts] == NAMES
    assert [title for _, title, _ in charts] == [
        "Incidents per quarter, by severity (n = 6)",
        "Time to resolve per period",
        "Open and overdue action items over time",
        "Action-item completion by team",
    ]
    for name, title, svg in charts:
        root = ET.fromstring(svg)  # well formed
        assert root.tag == f"{SVG}svg" and root.attrib["role"] == "img"
        width, height = (float(v) for v in root.attrib["viewBox"].split()[2:])
        assert (width, height) == (num(root, "width"), num(root, "height"))
        label = root.find(f"{SVG}title")
        assert label is not None and label.text == title
        assert root.attrib["aria-labelledby"] == label.attrib["id"] == f"chart-{name}-title"
        # Presentation attributes only: a page's CSP may forbid inline styles.
        for element in root.iter():
            assert "style" not in element.attrib
            assert element.tag not in (f"{SVG}style", f"{SVG}script", f"{SVG}image")
            assert not any("href" in key for key in element.attrib)


def test_the_html_charts_match_the_matplotlib_charts_names_and_titles(stats: Stats) -> None:
    from mortem import charts

    assert SEVERITY_COLOURS == charts.SEVERITY_COLOURS
    assert (chart_svg.OPEN_COLOUR, chart_svg.OVERDUE_COLOUR) == (
        charts.OPEN_COLOUR,
        charts.OVERDUE_COLOUR,
    )
    matplotlib_charts = charts.render(stats)
    assert [(c.name, c.title) for c in matplotlib_charts] == [
        (name, title) for name, title, _ in svg_charts(stats)
    ]


def test_same_stats_same_bytes(fixed: Workspace, stats: Stats) -> None:
    again = compute(fixed, Options(today=TODAY), count_blame=no_lint)
    assert svg_charts(stats) == svg_charts(again)


def test_importing_and_drawing_loads_neither_matplotlib_nor_numpy() -> None:
    code = (
        "import sys, datetime\n"
        "from mortem.chart_svg import svg_charts\n"
        "from mortem.metrics import Options, Stats\n"
        "svg_charts(Stats(Options(today=datetime.date(2026, 1, 1)), 0))\n"
        "print(sorted(m for m in ('matplotlib', 'numpy') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_an_empty_repository_gives_charts_that_say_so(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "empty")
    empty = compute(ws, Options(today=dt.date(2026, 1, 1)), count_blame=no_lint)
    messages = {name: texts(root) for name, root in drawn(empty).items()}
    assert "No incidents to show" in messages["frequency"]
    assert "No resolution times to show" in messages["ttr_by_period"]
    assert "No action items to show" in messages["action_burn_down"]
    assert "No action items to show" in messages["completion_by_team"]
    for root in drawn(empty).values():
        assert root.find(f".//{SVG}g[@data-part='bars']") is None


# -- frequency -------------------------------------------------------------------------


def test_frequency_bars_are_the_counts_stacked_in_severity_order_from_zero(
    stats: Stats,
) -> None:
    root = drawn(stats)["frequency"]
    ticks = y_ticks(root)
    assert list(ticks) == ["0", "1", "2", "3"]  # integer ticks; 3 incidents at most
    zero = ticks["0"]
    unit = ticks["0"] - ticks["1"]
    assert ticks["3"] == pytest.approx(zero - 3 * unit, abs=0.1)
    bars = part(root, "bars").findall(f"{SVG}rect")
    # SEV1 [1,0,0], SEV2 [2,1,0], SEV3 [0,1,0] over Q1, Q2, Q3; no bar for a zero.
    assert [title_of(b) for b in bars] == [
        "2026-Q1: 1 SEV1",
        "2026-Q1: 2 SEV2",
        "2026-Q2: 1 SEV2",
        "2026-Q2: 1 SEV3",
    ]
    assert [b.attrib["fill"] for b in bars] == [
        SEVERITY_COLOURS[0],
        SEVERITY_COLOURS[1],
        SEVERITY_COLOURS[1],
        SEVERITY_COLOURS[2],
    ]
    heights = [num(b, "height") for b in bars]
    assert heights == pytest.approx([unit, 2 * unit, unit, unit], abs=0.15)
    # Each period's stack stands on zero, each severity on the one before it.
    q1_sev1, q1_sev2, q2_sev2, q2_sev3 = bars
    for bottom, top in ((q1_sev1, q1_sev2), (q2_sev2, q2_sev3)):
        assert num(bottom, "y") + num(bottom, "height") == pytest.approx(zero, abs=0.1)
        assert num(top, "y") + num(top, "height") == pytest.approx(num(bottom, "y"), abs=0.1)
        assert num(top, "x") == num(bottom, "x")
    assert texts(part(root, "x-ticks")) == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert "quarter the incident started (last one partial)" in texts(root)
    assert texts(part(root, "legend")) == ["severity", "SEV1", "SEV2", "SEV3"]


def test_many_periods_get_thinned_labels_that_do_not_overlap(stats: Stats) -> None:
    assert stats.frequency is not None
    periods = [f"{2020 + m // 12}-{m % 12 + 1:02d}" for m in range(48)]
    many = dataclasses.replace(
        stats.frequency,
        unit="month",
        periods=periods,
        partial=None,
        by_severity={"SEV1": [m % 3 for m in range(48)], "SEV2": [1] * 48},
    )
    root = drawn(dataclasses.replace(stats, frequency=many))["frequency"]
    labels = part(root, "x-ticks").findall(f"{SVG}text")
    shown = [t.text for t in labels]
    assert 4 <= len(shown) < 48 and shown[0] == periods[0]
    step = periods.index(shown[1])
    assert shown == periods[::step]
    xs = [num(t, "x") for t in labels]
    gaps = {round(b - a, 1) for a, b in itertools.pairwise(xs)}
    assert len(gaps) == 1 and min(gaps) > 7 * chart_svg.CHAR  # 7 characters a label
    assert len(part(root, "bars").findall(f"{SVG}rect")) == 48 + 32  # SEV1 is 0 a third


# -- time to resolve -------------------------------------------------------------------


def test_time_to_resolve_boxes_sit_on_a_labelled_log_scale(stats: Stats) -> None:
    root = drawn(stats)["ttr_by_period"]
    ticks = y_ticks(root)
    # Q1 resolved in 1, 2 and 0.5 h; Q2 in 4 h: a short range, so 2 and 5 steps too.
    assert list(ticks) == ["0.5", "1", "2", "5"]
    decade = (ticks["1"] - ticks["5"]) / math.log10(5)

    def y_of(hours: float) -> float:
        return ticks["1"] - math.log10(hours) * decade

    assert ticks["2"] == pytest.approx(y_of(2), abs=0.1)  # log, not linear
    assert ticks["0.5"] == pytest.approx(y_of(0.5), abs=0.1)
    boxes = part(root, "boxes").findall(f"{SVG}g")
    q1, q2 = boxes
    assert title_of(q1) == "2026-Q1: n=3, median 1 h, quartiles 0.75 h to 1.5 h"
    box = q1.find(f"{SVG}rect")
    assert box is not None
    assert num(box, "y") == pytest.approx(y_of(1.5), abs=0.1)  # upper quartile
    assert num(box, "y") + num(box, "height") == pytest.approx(y_of(0.75), abs=0.15)
    lines = q1.findall(f"{SVG}line")
    median = lines[-1]
    assert num(median, "y1") == num(median, "y2") == pytest.approx(y_of(1), abs=0.1)
    # Whiskers: every value is within 1.5 IQR, so they reach the extremes, 0.5 and 2 h.
    ends = sorted(num(line, "y2") for line in lines if line.attrib["x1"] == line.attrib["x2"])
    assert ends[0] == pytest.approx(y_of(2), abs=0.1)
    assert ends[-1] == pytest.approx(y_of(0.5), abs=0.1)
    # Q2 has one value: a dot where it is, no box, no median line, no quartiles.
    assert q2.find(f"{SVG}rect") is None and q2.findall(f"{SVG}line") == []
    (dot,) = q2.findall(f"{SVG}circle")
    assert num(dot, "cy") == pytest.approx(y_of(4), abs=0.1)
    assert title_of(q2) == "2026-Q2: n=1"
    assert texts(part(root, "x-ticks")) == ["2026-Q1", "n=3", "2026-Q2", "n=1"]
    assert "time to resolve (hours, log scale)" in texts(root)


def test_log_ticks_are_plain_numbers() -> None:
    ticks = chart_svg._log_ticks(0.02, 300)
    assert [chart_svg._plain(v) for v in ticks] == ["0.01", "0.1", "1", "10", "100", "1000"]
    assert [chart_svg._plain(v) for v in chart_svg._log_ticks(0.3, 4)] == [
        "0.2",
        "0.5",
        "1",
        "2",
        "5",
    ]
    assert chart_svg._log_ticks(5, 5) == [2, 5, 10]  # one value: a tick either side


def test_box_figures_follow_the_usual_definition() -> None:
    box = chart_svg.box_of([1, 2, 3, 4, 100])
    assert (box.q1, box.median, box.q3) == (2, 3, 4)
    assert (box.low, box.high, box.outliers) == (1, 4, [100])  # 100 > 4 + 1.5 * 2


def test_integer_ticks_are_nice() -> None:
    ticks = chart_svg._nice_integer_ticks
    assert ticks(0) == [0, 1]
    assert ticks(3) == [0, 1, 2, 3]
    assert ticks(7) == [0, 2, 4, 6, 8]
    assert ticks(12) == [0, 5, 10, 15]
    assert ticks(230) == [0, 50, 100, 150, 200, 250]


def test_a_resolution_in_the_same_minute_still_has_a_place_on_the_log_axis(
    stats: Stats,
) -> None:
    assert stats.durations is not None
    instant = dataclasses.replace(stats.durations, ttr_values_by_period={"2026-Q1": [0.0, 60]})
    root = drawn(dataclasses.replace(stats, durations=instant))["ttr_by_period"]
    assert all(math.isfinite(v) for v in map(float, y_ticks(root)))
    assert "0.01" in y_ticks(root)  # zero drawn at one minute (0.017 h)


# -- action items ----------------------------------------------------------------------


def test_burn_down_lines_are_the_month_end_counts_from_zero(stats: Stats) -> None:
    root = drawn(stats)["action_burn_down"]
    ticks = y_ticks(root)
    assert list(ticks) == ["0", "1", "2", "3"]
    zero, unit = ticks["0"], ticks["0"] - ticks["1"]
    lines = part(root, "lines").findall(f"{SVG}polyline")
    values = []
    for line in lines:
        points = [tuple(map(float, p.split(","))) for p in line.attrib["points"].split()]
        values.append([round((zero - y) / unit, 2) for _, y in points])
    assert [title_of(line) for line in lines] == ["open", "overdue"]
    assert values == [[1, 1, 2, 3, 3, 3, 3], [0, 0, 1, 1, 1, 1, 1]]
    assert [line.attrib["stroke"] for line in lines] == [
        chart_svg.OPEN_COLOUR,
        chart_svg.OVERDUE_COLOUR,
    ]
    # A dated axis: 29 days from Jan 31 to Feb 28 and 1 from Jun 30 to Jul 1.
    xs = [float(p.split(",")[0]) for p in lines[0].attrib["points"].split()]
    assert (xs[1] - xs[0]) / (xs[6] - xs[5]) == pytest.approx(28, rel=0.02)
    labels = texts(part(root, "x-ticks"))
    assert labels[0] == "31 Jan 2026" and len(labels) <= 7
    assert texts(part(root, "legend")) == ["action items", "open", "overdue"]


def test_completion_bars_and_wilson_whiskers(stats: Stats) -> None:
    root = drawn(stats)["completion_by_team"]
    ticks = part(root, "x-ticks")
    grid = {
        t.text: num(line, "x1")
        for line, t in zip(ticks.findall(f"{SVG}line"), ticks.findall(f"{SVG}text"), strict=True)
    }
    assert list(grid) == ["0", "20", "40", "60", "80", "100"]
    left, full = grid["0"], grid["100"] - grid["0"]
    rows = part(root, "bars").findall(f"{SVG}g")
    assert [texts(row) for row in rows] == [["blue (n=3)"], ["red (n=4)"]]
    for row, (done, total) in zip(rows, [(1, 3), (3, 4)], strict=True):
        bar = row.find(f"{SVG}rect")
        assert bar is not None and num(bar, "x") == left
        assert num(bar, "width") == pytest.approx(full * done / total, abs=0.1)
        interval = Rate(done, total).interval()
        assert interval is not None
        whisker = row.findall(f"{SVG}line")[0]
        low, high = num(whisker, "x1"), num(whisker, "x2")
        assert low == pytest.approx(left + full * interval[0], abs=0.1)
        assert high == pytest.approx(left + full * interval[1], abs=0.1)
        assert low < num(bar, "x") + num(bar, "width") < high
    assert "33% done (1 of 3)" in title_of(rows[0])


def test_user_text_is_escaped(stats: Stats) -> None:
    assert stats.actions is not None and stats.frequency is not None
    team = dataclasses.replace(stats.actions.by_team[0], team="<b>&team")
    actions = dataclasses.replace(stats.actions, by_team=[team])
    frequency = dataclasses.replace(
        stats.frequency, by_severity={'<i>"sev"': [1, 1, 0]}, periods=["a<", "b&", "c>"]
    )
    tricky = dataclasses.replace(stats, actions=actions, frequency=frequency)
    charts = svg_charts(tricky)
    for _, _, svg in charts:
        assert "<b>" not in svg and "<i>" not in svg
    roots = {name: ET.fromstring(svg) for name, _, svg in charts}
    assert texts(part(roots["completion_by_team"], "bars")) == ["<b>&team (n=3)"]
    assert title_of(part(roots["completion_by_team"], "bars")[0]).startswith("<b>&team:")
    assert '<i>"sev"' in texts(part(roots["frequency"], "legend"))
    assert texts(part(roots["frequency"], "x-ticks")) == ["a<", "b&", "c>"]


def test_a_long_team_name_is_cut_with_the_full_name_in_its_tooltip(stats: Stats) -> None:
    assert stats.actions is not None
    name = "platform-reliability-and-developer-experience-engineering"
    team = dataclasses.replace(stats.actions.by_team[0], team=name)
    tricky = dataclasses.replace(stats, actions=dataclasses.replace(stats.actions, by_team=[team]))
    row = part(drawn(tricky)["completion_by_team"], "bars")[0]
    label = texts(row)[0]
    assert label.endswith("…") and len(label) < len(name)
    assert title_of(row).startswith(f"{name}:")


# -- the pages -------------------------------------------------------------------------


def test_the_site_stats_page_inlines_the_native_charts(fixed: Workspace, tmp_path: Path) -> None:
    from mortem.site.builder import build_site

    build_site(fixed, tmp_path / "site", TODAY)
    page = (tmp_path / "site" / "stats.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 4 and page.count('role="img"') >= 4
    assert "<?xml" not in page and "matplotlib" not in page
    for name in NAMES:
        assert f'aria-labelledby="chart-{name}-title"' in page
