"""Charts and the HTML report, drawn by the real matplotlib from the fixed repository of
test_metrics.py (whose numbers are worked out there by hand)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from helpers import run_cli
from mortem.charts import render, write_charts
from mortem.metrics import Options, Stats, compute
from mortem.report import stats_html
from mortem.workspace import Workspace
from test_metrics import TODAY, no_lint


def test_charts_command_writes_svg_and_png(fixed: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "charts"
    result = run_cli(
        "stats", "--today", "2026-07-01", "--charts", str(out), "-s", "repeats", cwd=fixed.root
    )
    assert result.returncode == 0, result.stderr
    names = ["frequency", "ttr_by_period", "action_burn_down", "completion_by_team"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{n}.{s}" for n in names for s in ("svg", "png")
    )
    for name in names:
        assert (out / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        ET.fromstring((out / f"{name}.svg").read_bytes())  # well-formed XML
    # Text stays text in the SVG, so the labels can be checked (and read by a screen reader).
    assert "time to resolve (hours, log scale)" in (out / "ttr_by_period.svg").read_text()
    assert ">incidents<" in (out / "frequency.svg").read_text()


def test_frequency_bars_are_the_counts_on_a_zero_based_axis(stats: Stats) -> None:
    chart = {c.name: c for c in render(stats)}["frequency"]
    ax = chart.figure.axes[0]
    assert ax.get_ylim()[0] == 0 and ax.get_ylabel() == "incidents"
    heights = [round(p.get_height()) for p in ax.patches]
    # Stacked by severity: SEV1 [1,0,0], SEV2 [2,1,0], SEV3 [0,1,0] over Q1, Q2, Q3.
    assert heights == [1, 0, 0, 2, 1, 0, 0, 1, 0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert "last one partial" in ax.get_xlabel()


def test_time_to_resolve_uses_a_labelled_log_scale(stats: Stats) -> None:
    ax = {c.name: c for c in render(stats)}["ttr_by_period"].figure.axes[0]
    assert ax.get_yscale() == "log" and "log scale" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["2026-Q1\nn=3", "2026-Q2\nn=1"]
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels() + ax.get_yticklabels(minor=True)]
    assert [t for t in ticks if t]  # the axis has numbers on it
    # Plain numbers (0.5, 2, 10), never 2x10^0.
    assert all(t == "" or float(t) > 0 for t in ticks), ticks
    # Q1's three values make a box at 0; Q2's one value is a dot at 1, 4 hours up.
    (dots,) = ax.collections
    assert [tuple(p) for p in dots.get_offsets()] == [(1.0, 4.0)]
    boxes = [line for line in ax.lines if len(line.get_xdata()) == 5]  # box outlines
    assert len(boxes) == 1 and set(boxes[0].get_xdata()) <= {-0.3, 0.3}


def test_burn_down_and_completion_show_the_computed_figures(stats: Stats) -> None:
    charts = {c.name: c for c in render(stats)}
    ax = charts["action_burn_down"].figure.axes[0]
    open_line, overdue_line = ax.get_lines()
    assert list(open_line.get_ydata()) == [1, 1, 2, 3, 3, 3, 3]
    assert list(overdue_line.get_ydata()) == [0, 0, 1, 1, 1, 1, 1]
    assert ax.get_ylim()[0] == 0
    ax = charts["completion_by_team"].figure.axes[0]
    widths = [round(p.get_width(), 1) for p in ax.patches]
    assert widths == [33.3, 75.0]  # blue 1 of 3, red 3 of 4
    assert [t.get_text() for t in ax.get_yticklabels()] == ["blue (n=3)", "red (n=4)"]
    assert ax.get_xlim() == (0, 105)


def test_charts_of_an_empty_repository_say_so(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "empty")
    empty = compute(ws, Options(today=dt.date(2026, 1, 1)), count_blame=no_lint)
    paths = write_charts(empty, tmp_path / "out")
    assert len(paths) == 8
    assert "No incidents to show" in (tmp_path / "out" / "frequency.svg").read_text()


def test_svg_files_are_reproducible(stats: Stats, tmp_path: Path) -> None:
    first = write_charts(stats, tmp_path / "a")
    again = write_charts(stats, tmp_path / "b")
    svgs = [(a, b) for a, b in zip(first, again, strict=True) if a.suffix == ".svg"]
    assert len(svgs) == 4
    assert all(a.read_bytes() == b.read_bytes() for a, b in svgs)


def test_report_is_one_self_contained_page(fixed: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run_cli("report", "--today", "2026-07-01", "-o", str(out), cwd=fixed.root)
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") == 4
    for outside in ("src=", "@import", "<script", "<link", "url(http"):
        assert outside not in html
    # The only links are the SVGs' references to their own markers.
    assert re.findall(r'href="([^#"][^"]*)"', html) == []
    assert "1.5 h [" in html  # median time to resolve with its interval
    assert "n &lt; 10: small sample" in html
    assert "<summary>" in html and "broken" in html  # the excluded list, folded
    assert stats_html(compute(fixed, Options(today=TODAY), count_blame=no_lint), "x") == (
        stats_html(compute(fixed, Options(today=TODAY), count_blame=no_lint), "x")
    )
    bad = run_cli("report", "-f", "pdf", cwd=fixed.root)
    assert bad.returncode == 2 and "html" in bad.stderr
