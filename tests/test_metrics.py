"""Metrics on a small fixed repository, every number checked against one worked out by hand.

The repository (built by `build_fixed_repo`, also used by test_charts.py), with
today = 2026-07-01 and the roster ana, ben (team red) and cy, dee (team blue):

  P1 2026-01-10  SEV2 api       testing            detect 10 mitigate 30 resolve 60 min
  P2 2026-02-05  SEV1 api       testing, capacity  detect 20 mitigate 40 resolve 120
  P3 2026-03-15  SEV2 web       deployment         detect 5  mitigate 15 resolve 30
  P4 2026-04-20  SEV3 web, api  deployment         detect 30 (none)      resolve 240
  P5 2026-05-02  SEV2 api       capacity           (no detected/mitigated/resolved)
  P6 (no start)  SEV4 db
  broken         (front matter is not YAML)
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from helpers import run_cli
from mortem.config import Settings
from mortem.metrics import Options, Stats, compute, compute_from, repeats, select
from mortem.metrics_facts import Corpus, incident_from, load_corpus
from mortem.metrics_numbers import (
    bootstrap_quantile,
    median_difference,
    quantile,
    rng_for,
    slope,
    summarize,
    trend,
)
from mortem.metrics_periods import buckets_between, parse_compare, parse_period
from mortem.metrics_tables import build_tables
from mortem.workspace import Workspace

TODAY = dt.date(2026, 7, 1)

ROSTER = """
[people.ana]
name = "Ana Silva"
team = "red"
email = "ana@example.com"

[people.ben]
name = "Ben Okoro"
team = "red"

[people.cy]
name = "Cy Laine"
team = "blue"

[people.dee]
name = "Dee Park"
team = "blue"
"""

P1 = """\
title: API errors after an untested change
status: published
published_on: 2026-01-15
severity: SEV2
services: [api]
authors: [ana]
responders: [ben]
started_at: 2026-01-10T10:00:00Z
detected_at: 2026-01-10T10:10:00Z
mitigated_at: 2026-01-10T10:30:00Z
resolved_at: 2026-01-10T11:00:00Z
contributing_factors:
  - category: testing
    description: No test covered the change.
action_items:
  - id: A1
    title: Add a test for the change.
    owner: ana
    due: 2026-01-20
    status: done
    closed_on: 2026-01-18
  - id: A2
    title: Run the API tests on every merge.
    owner: red
    due: 2026-02-01
    status: done
    closed_on: 2026-02-05
reviews:
  - on: 2026-01-14
    kind: approval
    reviewers: [cy]
  - on: 2026-02-20
    kind: follow-up
    reviewers: [cy]
    outcome: effective
    effective_actions: [A1]
"""

P2 = """\
title: API overloaded by a batch job
status: published
published_on: 2026-02-10
severity: SEV1
services: [api]
authors: [cy]
started_at: 2026-02-05T08:00:00Z
detected_at: 2026-02-05T08:20:00Z
mitigated_at: 2026-02-05T08:40:00Z
resolved_at: 2026-02-05T10:00:00Z
contributing_factors:
  - category: testing
    description: The batch job was not load tested.
  - category: capacity
    description: No headroom for the batch.
action_items:
  - id: A1
    title: Rate-limit the batch job to 50 requests a second.
    owner: cy
    due: 2026-03-01
    status: open
  - id: A2
    title: Move the batch job to its own cluster.
    owner: dee
    status: wont-do
    closed_on: 2026-02-10
reviews:
  - on: 2026-02-09
    kind: approval
    reviewers: [ana]
"""

P3 = """\
title: Web pages blank after a deploy
status: in-review
severity: SEV2
services: [web]
authors: [dee]
started_at: 2026-03-15T12:00:00Z
detected_at: 2026-03-15T12:05:00Z
mitigated_at: 2026-03-15T12:15:00Z
resolved_at: 2026-03-15T12:30:00Z
contributing_factors:
  - category: deployment
    description: Assets were published after the pages.
action_items:
  - id: A1
    title: Publish assets before pages.
    owner: dee
    due: 2026-04-01
    status: done
    closed_on: 2026-03-25
  - id: A2
    title: Check each deploy with a synthetic page load.
    owner: ben
    status: open
reviews:
  - on: 2026-03-20
    kind: request
    reviewers: [ben]
"""

P4 = """\
title: Web and API slow after a config deploy
status: draft
severity: SEV3
services: [web, api]
authors: [ana, cy]
started_at: 2026-04-20T00:00:00Z
detected_at: 2026-04-20T00:30:00Z
resolved_at: 2026-04-20T04:00:00Z
contributing_factors:
  - category: deployment
    description: The config was deployed to all regions at once.
action_items:
  - id: A1
    title: Deploy config one region at a time.
    owner: blue
    due: 2026-08-01
    status: in-progress
"""

P5 = """\
title: API queue backlog
status: draft
severity: SEV2
services: [api]
authors: [ben]
started_at: 2026-05-02T00:00:00Z
contributing_factors:
  - category: capacity
    description: Queue workers were at their limit.
action_items:
  - id: A1
    title: Add two queue workers.
    owner: ben
    due: 2026-05-20
    status: done
"""

P6 = """\
title: Database replica lag
status: draft
severity: SEV4
services: [db]
"""

FILES = {
    "2026-01-10-a": P1,
    "2026-02-05-b": P2,
    "2026-03-15-c": P3,
    "2026-04-20-d": P4,
    "2026-05-02-e": P5,
    "2026-06-01-f": P6,
}


def git(root: Path, *args: str, author: str | None = None) -> str:
    extra = [f"--author={author}"] if author else []
    return subprocess.run(
        ["git", *args, *extra], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def build_fixed_repo(root: Path) -> Workspace:
    """The repository of the module docstring, committed as Ana, with one later edit of
    P2 by someone outside the roster."""
    Workspace.init(root)
    with (root / "mortem.toml").open("a", encoding="utf-8") as handle:
        handle.write(ROSTER)
    folder = root / "postmortems"
    for doc_id, front in FILES.items():
        (folder / f"{doc_id}.md").write_text(
            f"---\n{front}---\n# Summary\n\nWhat happened.\n", encoding="utf-8"
        )
    (folder / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "postmortems", author="Ana Silva <ana@example.com>")
    p2 = folder / "2026-02-05-b.md"
    p2.write_text(p2.read_text(encoding="utf-8") + "\nMore detail.\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "detail", author="Erin Outsider <erin@example.com>")
    return Workspace.open(root)


@pytest.fixture
def fixed(tmp_path: Path) -> Workspace:
    return build_fixed_repo(tmp_path / "fixed")


def no_lint(ids: list[str]) -> dict[str, int] | None:
    return None


def stats_of(ws: Workspace, **options: Any) -> Stats:
    return compute(ws, Options(today=TODAY, **options), count_blame=no_lint)


# -- the numbers -----------------------------------------------------------------------


def test_frequency_per_quarter_by_severity_service_and_team(fixed: Workspace) -> None:
    freq = stats_of(fixed).frequency
    assert freq.periods == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert freq.total == [3, 2, 0]
    assert freq.partial == "2026-Q3"  # today is in it
    assert freq.by_severity == {"SEV1": [1, 0, 0], "SEV2": [2, 1, 0], "SEV3": [0, 1, 0]}
    groups = {(g.kind, g.name): g.counts for g in freq.groups}
    assert groups[("service", "api")] == [2, 2, 0]
    assert groups[("service", "web")] == [1, 1, 0]
    assert groups[("team", "red")] == [1, 2, 0]  # P1 (ana); P4 (ana, cy), P5 (ben)
    assert groups[("team", "blue")] == [2, 1, 0]  # P2 (cy), P3 (dee); P4
    # Two complete quarters are too few to call a trend.
    assert freq.groups[0].trend.direction == "too few periods"
    assert [e.subject for e in freq.excluded] == ["2026-06-01-f"]


def test_monthly_trend_slope_and_permutation_p_value(fixed: Workspace) -> None:
    freq = stats_of(fixed, unit="month").frequency
    assert freq.periods == [f"2026-{m:02d}" for m in range(1, 8)]
    assert freq.total == [1, 1, 1, 1, 1, 0, 0]
    assert freq.partial == "2026-07"
    overall = freq.groups[0].trend
    # Complete months [1,1,1,1,1,0]: sum((x-2.5)y) = -2.5, sum((x-2.5)^2) = 17.5.
    assert overall.slope == pytest.approx(-1 / 7)
    # A shuffle is as steep only when the 0 lands first or last: p = 2/6.
    assert overall.p_value == pytest.approx(1 / 3, abs=0.04)
    assert overall.direction == "no clear trend"


def test_durations_median_p90_mean_and_exclusions(fixed: Workspace) -> None:
    dur = stats_of(fixed).durations
    by_key = {f.key: f.summary for f in dur.overall}
    ttd, ttm, ttr = by_key["ttd"], by_key["ttm"], by_key["ttr"]
    # TTD [5, 10, 20, 30]: median (10+20)/2; p90 at h=2.7: 20 + 0.7*10; mean 65/4.
    assert (ttd.n, ttd.median.value, ttd.p90.value, ttd.mean.value) == pytest.approx(
        (4, 15, 27, 16.25)
    )
    # TTM [15, 30, 40]: p90 at h=1.8: 30 + 0.8*10.
    assert (ttm.n, ttm.median.value, ttm.p90.value) == pytest.approx((3, 30, 38))
    assert ttm.mean.value == pytest.approx(85 / 3)
    # TTR [30, 60, 120, 240]: p90 at h=2.7: 120 + 0.7*120.
    assert (ttr.n, ttr.median.value, ttr.p90.value, ttr.mean.value) == pytest.approx(
        (4, 90, 204, 112.5)
    )
    for summary in (ttd, ttm, ttr):
        assert summary.small
        for est in (summary.median, summary.p90, summary.mean):
            assert est.low <= est.value <= est.high
    assert ttr.median.low >= 30 and ttr.median.high <= 240
    periods = {label: f.summary for label, f in dur.ttr_by_period}
    assert periods["2026-Q1"].n == 3 and periods["2026-Q1"].median.value == 60
    assert periods["2026-Q2"].n == 1 and periods["2026-Q2"].median.value == 240
    reasons = {(e.subject, e.figure): e.reason for e in dur.excluded}
    assert reasons == {
        ("2026-04-20-d", "time to mitigate"): "no mitigated_at",
        ("2026-05-02-e", "time to detect"): "no detected_at",
        ("2026-05-02-e", "time to mitigate"): "no mitigated_at",
        ("2026-05-02-e", "time to resolve"): "no resolved_at",
        ("2026-06-01-f", "time to detect"): "no started_at",
        ("2026-06-01-f", "time to mitigate"): "no started_at",
        ("2026-06-01-f", "time to resolve"): "no started_at",
    }


def test_invalid_files_are_listed_as_excluded_not_dropped(fixed: Workspace) -> None:
    result = stats_of(fixed)
    assert result.incidents == 6
    invalid = [e for e in result.excluded if e.subject == "broken"]
    assert len(invalid) == 1 and invalid[0].reason.startswith("the file is not valid")


def test_times_out_of_order_are_excluded_with_the_reason() -> None:
    # A file like this fails validation; the metric still guards itself.
    incident = incident_from(
        "x",
        {
            "title": "x",
            "started_at": "2026-01-01T10:00:00Z",
            "detected_at": "2026-01-01T09:00:00Z",
            "resolved_at": "2026-01-01T11:00:00Z",
        },
    )
    result = compute_from(
        Corpus([incident]),
        Settings(),
        Options(today=TODAY, sections=("durations",)),
        dict,
        no_lint,
    )
    assert result.durations is not None
    reasons = {(e.figure, e.reason) for e in result.durations.excluded}
    assert ("time to detect", "detected_at is before started_at") in reasons
    assert ("time to mitigate", "no mitigated_at") in reasons
    assert result.durations.overall[2].summary.median.value == 60


def test_action_item_rates_days_to_close_and_over_time(fixed: Workspace) -> None:
    act = stats_of(fixed).actions
    assert (act.total, act.open, act.overdue, act.done, act.wont_do) == (8, 3, 1, 4, 1)
    assert (act.completion.numerator, act.completion.denominator) == (4, 7)
    assert (act.on_time.numerator, act.on_time.denominator) == (2, 3)
    low, high = act.completion.interval()
    assert low == pytest.approx(0.2505, abs=1e-4) and high == pytest.approx(0.8418, abs=1e-4)
    # Closed 8, 26 and 10 days after their incidents started.
    days = act.days_to_close
    assert (days.n, days.median.value, days.p90.value) == pytest.approx((3, 10, 22.8))
    assert days.mean.value == pytest.approx(44 / 3)
    assert [(d.isoformat(), o, v) for d, o, v in act.over_time] == [
        ("2026-01-31", 1, 0),
        ("2026-02-28", 1, 0),
        ("2026-03-31", 2, 1),
        ("2026-04-30", 3, 1),
        ("2026-05-31", 3, 1),
        ("2026-06-30", 3, 1),
        ("2026-07-01", 3, 1),
    ]
    teams = {t.team: t for t in act.by_team}
    red, blue = teams["red"], teams["blue"]
    assert (red.total, red.completion.numerator, red.completion.denominator) == (4, 3, 4)
    assert (red.on_time.numerator, red.on_time.denominator, red.open, red.overdue) == (1, 2, 1, 0)
    assert (blue.total, blue.completion.numerator, blue.completion.denominator) == (4, 1, 3)
    assert (blue.on_time.numerator, blue.on_time.denominator, blue.open, blue.overdue) == (
        1,
        1,
        2,
        1,
    )
    reasons = {(e.subject, e.figure, e.reason) for e in act.excluded}
    assert reasons == {
        ("2026-05-02-e/A1", "on-time rate", "done, but has no closed_on"),
        ("2026-05-02-e/A1", "open over time", "done without closed_on"),
        ("2026-03-15-c/A2", "overdue", "open without a due date"),
    }


def test_engagement_people_and_follow_ups_held_versus_due(fixed: Workspace) -> None:
    eng = stats_of(fixed).engagement
    # Git authors: Ana (mapped to her roster key) on every file, Erin on P2.
    assert dict(eng.people) == {
        "2026-01-10-a": 3,  # ana, ben, cy
        "2026-02-05-b": 3,  # cy, ana, Erin Outsider
        "2026-03-15-c": 3,  # dee, ben, ana
        "2026-04-20-d": 2,  # ana, cy
        "2026-05-02-e": 2,  # ben, ana
        "2026-06-01-f": 1,  # ana
    }
    assert (eng.summary.n, eng.summary.median.value, eng.summary.p90.value) == pytest.approx(
        (6, 2.5, 3)
    )
    assert eng.summary.mean.value == pytest.approx(14 / 6)
    # P1: due 02-14 (held 02-20) and 04-15; P2: due 03-12 and 05-11, none held.
    assert (eng.follow_ups_due, eng.follow_ups_held) == (4, 1)


def test_repeats_and_whether_an_action_was_done_before(fixed: Workspace) -> None:
    found = stats_of(fixed).repeats
    got = {(r.first, r.second): r for r in found}
    assert set(got) == {
        ("2026-01-10-a", "2026-02-05-b"),
        ("2026-02-05-b", "2026-05-02-e"),
        ("2026-03-15-c", "2026-04-20-d"),
    }
    first = got[("2026-01-10-a", "2026-02-05-b")]
    assert (first.services, first.categories, first.days_apart) == (("api",), ("testing",), 25)
    # A1 closed 01-18, before P2 started; A2 closed on P2's day, so not before.
    assert first.done_before == ("2026-01-10-a/A1",) and first.after_fix
    assert first.open_at_repeat == ("2026-01-10-a/A2",)
    second = got[("2026-02-05-b", "2026-05-02-e")]
    assert second.categories == ("capacity",) and second.days_apart == 85
    assert not second.after_fix and second.open_at_repeat == ("2026-02-05-b/A1",)
    third = got[("2026-03-15-c", "2026-04-20-d")]
    assert third.services == ("web",) and third.done_before == ("2026-03-15-c/A1",)
    # A shorter window drops the 85-day pair.
    corpus = load_corpus(fixed.index)
    shorter, _ = repeats(corpus.incidents, 60)
    assert {(r.first, r.second) for r in shorter} == set(got) - {("2026-02-05-b", "2026-05-02-e")}


def test_since_until_select_by_start_and_list_the_undated(fixed: Workspace) -> None:
    corpus = load_corpus(fixed.index)
    chosen, excluded = select(corpus, dt.date(2026, 2, 1), dt.date(2026, 4, 20))
    assert [i.id for i in chosen] == ["2026-02-05-b", "2026-03-15-c"]
    assert [(e.subject, e.reason) for e in excluded] == [
        ("2026-06-01-f", "no started_at: in no period")
    ]


def test_compare_two_periods(fixed: Workspace) -> None:
    result = stats_of(fixed, compare=parse_compare("2026-Q1:2026-Q2"))
    cmp = result.comparison
    assert (cmp.incidents_a, cmp.incidents_b) == (3, 2)
    figures = dict(cmp.figures)
    ttr = figures["time to resolve"]
    # Q1 TTR [30, 60, 120] (median 60), Q2 [240]: every resampled difference is 240 minus
    # one of 30, 60, 120, so the interval lies in [120, 210] and excludes 0.
    assert (ttr.n_a, ttr.n_b, ttr.median_a, ttr.median_b, ttr.difference) == (3, 1, 60, 240, 180)
    assert 120 <= ttr.low <= ttr.high <= 210 and ttr.distinguishable
    ttm = figures["time to mitigate"]
    assert (ttm.n_a, ttm.n_b, ttm.difference) == (3, 0, None) and not ttm.distinguishable


def test_culture_counts_blame_findings_per_period(fixed: Workspace) -> None:
    def counts(ids: list[str]) -> dict[str, int]:
        return {"2026-01-10-a": 2, "2026-02-05-b": 1, "2026-04-20-d": 3, "2026-06-01-f": 5}

    cul = compute(fixed, Options(today=TODAY), count_blame=counts).culture
    assert cul is not None and cul.available
    assert cul.per_period == [("2026-Q1", 3, 3), ("2026-Q2", 2, 3)]
    assert "1 postmortem(s) without started_at" in cul.note
    unavailable = stats_of(fixed).culture
    assert not unavailable.available and "not available" in unavailable.note


def test_culture_counts_real_lint_findings_of_blaming_language(fixed: Workspace) -> None:
    pytest.importorskip("mortem.lint.service")
    path = fixed.store.path_for("2026-04-20-d")
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "What happened.", "The outage was caused by human error. The deploy was careless."
        ),
        encoding="utf-8",
    )
    cul = compute(fixed, Options(today=TODAY)).culture
    assert cul is not None and cul.available
    # B104 (human error as a cause) and B103 (a judgement of character), in Q2.
    assert cul.per_period == [("2026-Q1", 3, 0), ("2026-Q2", 2, 2)]
    assert dict(cul.per_postmortem)["2026-04-20-d"] == 2


# -- the statistics themselves ---------------------------------------------------------


def test_quantile_is_numpys_default() -> None:
    data = [3.0, 1.0, 7.0, 2.0, 9.0, 4.0]
    for q in (0.0, 0.1, 0.5, 0.9, 1.0):
        assert quantile(sorted(data), q) == pytest.approx(float(np.quantile(data, q)))


def test_fast_bootstrap_of_quantiles_matches_resampling_whole_samples() -> None:
    data = sorted([4.0, 9.0, 15.0, 16.0, 23.0, 42.0, 61.0, 90.0, 240.0, 600.0, 1200.0])
    draws = 200_000
    for q in (0.5, 0.9):
        fast = bootstrap_quantile(data, q, rng_for(1, "fast"), draws)
        idx = np.random.default_rng(2).integers(0, len(data), size=(draws, len(data)))
        slow = np.quantile(np.asarray(data)[idx], q, axis=1)
        for level in (2.5, 25, 50, 75, 97.5):
            assert np.percentile(fast, level) == pytest.approx(np.percentile(slow, level), rel=0.03)
        assert fast.mean() == pytest.approx(slow.mean(), rel=0.01)


def test_summaries_are_seeded_and_constant_data_has_no_spread() -> None:
    values = [12.0, 5.0, 30.0, 7.0, 19.0]
    assert summarize(values, "x", seed=3) == summarize(values, "x", seed=3)
    assert summarize(values, "x", seed=3) != summarize(values, "x", seed=4)
    flat = summarize([8.0] * 12, "flat")
    for est in (flat.median, flat.p90, flat.mean):
        assert (est.low, est.value, est.high) == (8.0, 8.0, 8.0)
    assert not flat.small and summarize([], "none").n == 0


def test_large_samples_use_the_normal_approximation_for_the_mean() -> None:
    values = [float(v) for v in range(1, 5001)]
    summary = summarize(values, "big")
    assert "normal approximation" in summary.method
    # sd of 1..5000 is 1443.4; the 95% interval is about mean ± 1.96 * sd / sqrt(n).
    half = 1.96 * float(np.std(values)) / np.sqrt(5000)
    assert summary.mean.high - summary.mean.value == pytest.approx(half, rel=0.1)


def test_median_difference_of_clearly_separated_samples() -> None:
    d = median_difference([10.0] * 12, [30.0] * 12, "sep")
    assert (d.difference, d.low, d.high) == (20.0, 20.0, 20.0) and d.distinguishable
    same = median_difference([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0, 5.0], "same")
    assert same.difference == 0 and not same.distinguishable


def test_trend_of_a_steady_rise_is_called() -> None:
    assert slope([1, 2, 3, 4]) == 1.0
    rising = trend([1, 2, 3, 4, 5, 6, 7, 8])
    # Only the sorted order and its reverse are as steep: p = 2/8! + resampling noise.
    assert rising.direction == "rising" and rising.p_value < 0.01
    assert trend([2, 5]).direction == "too few periods"


def test_periods_parse_and_bucket() -> None:
    assert parse_period("2025-H2").start == dt.date(2025, 7, 1)
    assert parse_period("2025-H2").end == dt.date(2026, 1, 1)
    assert parse_period("2025-Q4").end == dt.date(2026, 1, 1)
    assert parse_period("2025-03").end == dt.date(2025, 4, 1)
    assert parse_period("2025").end == dt.date(2026, 1, 1)
    span = parse_period("2025-01-15..2025-02-14")
    assert (span.start, span.end) == (dt.date(2025, 1, 15), dt.date(2025, 2, 15))
    assert buckets_between(dt.date(2025, 11, 3), dt.date(2026, 2, 1), "quarter") == [
        "2025-Q4",
        "2026-Q1",
    ]
    from mortem.errors import UsageError

    with pytest.raises(UsageError, match="not understood"):
        parse_period("last year")
    with pytest.raises(UsageError, match="A:B"):
        parse_compare("2025-H1")


# -- the command -----------------------------------------------------------------------


def test_stats_command_json_csv_and_table(fixed: Workspace) -> None:
    root = fixed.root
    out = run_cli("stats", "--today", "2026-07-01", "--format", "json", cwd=root)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["incidents"] == 6
    durations = {r["metric"]: r for r in data["tables"]["durations"]}
    assert durations["time to resolve"]["median"] == 90
    assert durations["time to resolve"]["n"] == 4 and durations["time to resolve"]["small_sample"]
    actions = {r["figure"]: r for r in data["tables"]["actions"]}
    completion = actions["completion rate (done / all but won't do)"]
    assert (completion["value"], completion["n"]) == (pytest.approx(4 / 7), 7)
    assert any(r["subject"] == "broken" for r in data["tables"]["excluded"])

    csv_out = run_cli(
        "stats", "--today", "2026-07-01", "-f", "csv", "-t", "actions_over_time", cwd=root
    )
    assert csv_out.stdout.splitlines()[:3] == [
        "date,open,overdue",
        "2026-01-31,1,0",
        "2026-02-28,1,0",
    ]
    refused = run_cli("stats", "-f", "csv", cwd=root)
    assert refused.returncode == 2 and "--table NAME" in refused.stderr
    missing = run_cli("stats", "-t", "nope", cwd=root)
    assert missing.returncode == 2 and "no table 'nope'" in missing.stderr

    table = run_cli("stats", "--today", "2026-07-01", "--by", "month", cwd=root)
    assert table.returncode == 0, table.stderr
    assert "n < 10: small sample" in table.stdout
    assert "1.5 h [" in table.stdout  # the median time to resolve, 90 min, with its interval
    assert "Left out of figures" in table.stdout and "no started_at" in table.stdout

    compared = run_cli(
        "stats",
        "--today",
        "2026-07-01",
        "--compare",
        "2026-Q1:2026-Q2",
        "-t",
        "compare",
        "-f",
        "json",
        cwd=root,
    )
    rows = {r["metric"]: r for r in json.loads(compared.stdout)["tables"]["compare"]}
    assert rows["median time to resolve"]["verdict"].startswith("distinguishable")
    bad = run_cli("stats", "--compare", "2026", cwd=root)
    assert bad.returncode == 2 and "A:B" in bad.stderr


def test_results_are_cached_and_any_change_recomputes(fixed: Workspace) -> None:
    root = fixed.root

    def ttr() -> dict[str, Any]:
        out = run_cli("stats", "--today", "2026-07-01", "-f", "json", "-s", "durations", cwd=root)
        assert out.returncode == 0, out.stderr
        rows = json.loads(out.stdout)["tables"]["durations"]
        return {r["metric"]: r for r in rows}["time to resolve"]

    first = ttr()
    cache = root / ".mortem" / "stats-cache.json"
    assert cache.is_file() and first["median"] == 90
    assert ttr() == first  # served from the cache, the same to the last digit
    # P3 now resolves after 150 minutes instead of 30: TTR [60, 120, 150, 240].
    p3 = fixed.store.path_for("2026-03-15-c")
    p3.write_text(p3.read_text().replace("12:30:00Z", "14:30:00Z"), encoding="utf-8")
    changed = ttr()
    assert (changed["n"], changed["median"]) == (4, 135)
    # A setting the figures depend on changes the key too.
    config = root / "mortem.toml"
    config.write_text(config.read_text().replace("[30, 90]", "[30]"), encoding="utf-8")
    out = run_cli("stats", "--today", "2026-07-01", "-f", "json", "-s", "engagement", cwd=root)
    rows = {r["figure"]: r for r in json.loads(out.stdout)["tables"]["engagement"]}
    assert rows["follow-up reviews due so far"]["value"] == 2  # P1 and P2, 30 days each
    cache.write_text("{not json", encoding="utf-8")  # a damaged cache is only a miss
    assert ttr() == changed


def test_human_tables_flag_small_samples(fixed: Workspace) -> None:
    tables = {t.name: t for t in build_tables(stats_of(fixed), human=True)}
    rows = {r["metric"]: r for r in tables["durations"].rows}
    assert rows["time to resolve"]["median"].startswith("1.5 h [")
    assert rows["time to resolve"]["note"].startswith("n < 10")
    assert tables["excluded"].detail and tables["engagement_people"].detail
