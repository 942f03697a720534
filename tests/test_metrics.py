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

Two action items say which factor they address: P1/A1 (testing, done 01-18) and P3/A2
(deployment, open).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from helpers import run_cli
from mortem.config import Settings
from mortem.metrics import Options, Stats, compute, compute_from, observed_days, repeats, select
from mortem.metrics_facts import Corpus, incident_from, load_corpus
from mortem.metrics_numbers import (
    bootstrap_quantile,
    count_test,
    median_difference,
    quantile,
    rng_for,
    slope,
    summarize,
    trend,
)
from mortem.metrics_periods import buckets_between, parse_compare, parse_period
from mortem.metrics_tables import build_tables
from mortem.model import json_schema
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
    factors: [testing]
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
    factors: [deployment]
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
    # A1 addresses testing, the category P2 shares: the repeat came after a fix.
    assert first.verdict() == "after a fix" and first.fixed_before == ("2026-01-10-a/A1",)
    second = got[("2026-02-05-b", "2026-05-02-e")]
    assert second.categories == ("capacity",) and second.days_apart == 85
    assert not second.after_fix and second.open_at_repeat == ("2026-02-05-b/A1",)
    assert second.verdict() == "nothing done"  # A1 open, A2 won't do
    third = got[("2026-03-15-c", "2026-04-20-d")]
    assert third.services == ("web",) and third.done_before == ("2026-03-15-c/A1",)
    # A1 was done but says nothing of deployment; A2 (deployment) was still open.
    assert third.verdict() == "other items done" and not third.after_fix
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
    # Q1 TTR [30, 60, 120] (median 60), Q2 [240]: one value on a side gives no interval
    # and no verdict, however far apart the medians are.
    assert (ttr.n_a, ttr.n_b, ttr.median_a, ttr.median_b, ttr.difference) == (3, 1, 60, 240, 180)
    assert (ttr.low, ttr.high) == (None, None) and not ttr.distinguishable
    assert ttr.verdict == "too few to tell (n < 5 on a side)"
    ttm = figures["time to mitigate"]
    assert (ttm.n_a, ttm.n_b, ttm.difference) == (3, 0, None) and not ttm.distinguishable
    # Incidents: 3 in Q1's 90 days, 2 in Q2's 91. Given 5 in all, Q1's count is
    # Binomial(5, 90/181); the p-value sums the outcomes no likelier than 3.
    share = 90 / 181
    probs = [math.comb(5, k) * share**k * (1 - share) ** (5 - k) for k in range(6)]
    counts = cmp.counts
    assert (counts.days_a, counts.days_b) == (90, 91)
    assert counts.p_value == pytest.approx(sum(p for p in probs if p <= probs[3] * (1 + 1e-9)))
    assert counts.rate_a == pytest.approx(1.0) and counts.rate_b == pytest.approx(60 / 91)
    assert counts.verdict == "within noise"


def test_compare_needs_enough_values_on_each_side() -> None:
    # The same separation with 5 values a side is called; with 4 it is too few to tell,
    # although the interval of 4 against 4 excludes 0 as well.
    enough = median_difference([10.0, 11, 12, 13, 14], [30.0, 31, 32, 33, 34], "five")
    assert enough.distinguishable and enough.verdict == "distinguishable from noise"
    few = median_difference([10.0, 11, 12, 13], [30.0, 31, 32, 33], "four")
    assert few.low is not None and few.low > 0  # an interval, but not trusted with n = 4
    assert not few.distinguishable and few.verdict.startswith("too few to tell")
    two = median_difference([10.0, 12.0], [30.0, 31, 32, 33, 34], "two")
    assert (two.difference, two.low, two.high) == (21.0, None, None)


def test_incident_counts_are_compared_per_day_of_each_period() -> None:
    # 2 against 20 in equal periods: p = 2 * P(X <= 2), X ~ Binomial(22, 1/2).
    clear = count_test(2, 20, 90, 90)
    expected = 2 * sum(math.comb(22, k) for k in range(3)) / 2**22
    assert (
        clear.p_value == pytest.approx(expected) and clear.verdict == "distinguishable from noise"
    )
    # 1 against 2: even 0 against 3 would have p = 2 / 8, so nothing can be told.
    assert count_test(1, 2, 90, 90).verdict == "too few to tell"
    # 10 in a 30-day period against 10 in a 90-day one: the rates differ, 10 vs 3.3 a month.
    rates = count_test(10, 10, 30, 90)
    assert rates.rate_a == pytest.approx(10) and rates.verdict == "distinguishable from noise"
    assert count_test(0, 0, 90, 90).verdict == "not enough data"
    # A period still running counts only the days that have passed.
    assert observed_days(parse_period("2026-Q3"), dt.date(2026, 7, 10)) == 10


def test_small_samples_show_no_interval() -> None:
    one = summarize([60.0], "one")
    assert one.median is not None and one.median.value == 60 and one.median.bounds is None
    assert "too few to estimate" in one.method
    assert summarize([60.0, 90.0], "two").p90.bounds is None
    three = summarize([60.0, 90.0, 30.0], "three")
    assert three.median.bounds is not None


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
    assert rows["median time to resolve"]["verdict"].startswith("too few to tell")
    assert rows["median time to resolve"]["low"] is None
    assert rows["incidents"]["verdict"].startswith("within noise (p = ")
    assert (rows["incidents"]["days_a"], rows["incidents"]["days_b"]) == (90, 91)
    bad = run_cli("stats", "--compare", "2026", cwd=root)
    assert bad.returncode == 2 and "A:B" in bad.stderr


def test_stats_command_small_samples_hidden_tables_and_counts_per_period(
    fixed: Workspace,
) -> None:
    root = fixed.root
    # January holds P1 alone: its 60 minutes are a value, not an interval.
    one = run_cli(
        "stats", "--today", "2026-07-01", "-s", "durations",
        "--since", "2026-01-01", "--until", "2026-02-01", cwd=root,
    )  # fmt: skip
    assert one.returncode == 0, one.stderr
    assert "60 min [too few to estimate]" in one.stdout
    assert "n < 3: too few to estimate an interval" in one.stdout
    assert "60 min–60 min" not in one.stdout

    table = run_cli("stats", "--today", "2026-07-01", "--by", "month", cwd=root)
    assert table.returncode == 0, table.stderr
    assert "Long tables not shown: engagement_people, excluded" in table.stdout
    assert "(show one with --table NAME)" in table.stdout
    frequency = table.stdout.split("Incidents per month")[1].split("Trend of")[0]
    assert "partial period" in frequency and "False" not in frequency and "True" not in frequency
    # Per-period counts by service and team: columns of the trend table while few.
    assert "2026-01  2026-02" in table.stdout.split("Trend of incidents")[1]
    people = run_cli("stats", "--today", "2026-07-01", "-t", "engagement_people", cwd=root)
    assert "2026-01-10-a" in people.stdout

    quarters = run_cli(
        "stats", "--today", "2026-07-01", "-t", "frequency_trends", "-f", "csv", cwd=root
    )
    rows = {(r["by"], r["name"]): r for r in csv.DictReader(io.StringIO(quarters.stdout))}
    assert quarters.stdout.splitlines()[0].endswith(",2026-Q1,2026-Q2,2026-Q3")
    assert [rows[("service", "api")][q] for q in ("2026-Q1", "2026-Q2", "2026-Q3")] == [
        "2",
        "2",
        "0",
    ]
    assert [rows[("team", "blue")][q] for q in ("2026-Q1", "2026-Q2")] == ["2", "1"]


def test_stats_refuses_bad_options_in_one_line(fixed: Workspace, tmp_path: Path) -> None:
    root = fixed.root
    cases = [
        (["--since", "2026-05-01", "--until", "2026-02-01"], "--since 2026-05-01 is not before"),
        (["--repeat-days", "-3"], "--repeat-days -3: give a number of days"),
    ]
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    cases.append((["--charts", str(blocker / "charts")], f"--charts {blocker / 'charts'}: "))
    for args, message in cases:
        result = run_cli("stats", "--today", "2026-07-01", *args, cwd=root)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    charts = run_cli("stats", "--charts", str(blocker / "charts"), cwd=root)
    assert "cannot write" in charts.stderr and "Not a directory" in charts.stderr
    report = run_cli("report", "-o", str(blocker / "report.html"), cwd=root)
    assert (
        report.returncode == 2 and "--output" in report.stderr and "cannot write" in report.stderr
    )


ORDER_ONLY = """\
title: Times typed in the wrong order
severity: SEV3
services: [api]
started_at: 2026-06-10T10:00:00Z
detected_at: 2026-06-10T10:05:00Z
mitigated_at: 2026-06-10T11:00:00Z
resolved_at: 2026-06-10T10:30:00Z
action_items:
  - id: A1
    title: Add a runbook step for the api restart.
    owner: ana
    due: 2026-06-20
    status: open
"""

UNKNOWN_SEVERITY = """\
title: A severity the settings do not know
severity: P0
started_at: 2026-06-12T10:00:00Z
action_items:
  - id: A1
    title: Write the api failover runbook.
    owner: ben
    due: 2026-06-20
    status: open
"""


def test_times_out_of_order_still_count_and_unread_files_are_named(fixed: Workspace) -> None:
    folder = fixed.root / "postmortems"
    (folder / "2026-06-10-g.md").write_text(f"---\n{ORDER_ONLY}---\nText.\n", encoding="utf-8")
    (folder / "2026-06-12-h.md").write_text(
        f"---\n{UNKNOWN_SEVERITY}---\nText.\n", encoding="utf-8"
    )
    fixed.index.invalidate()
    result = stats_of(fixed)
    # G is counted (7 incidents, Q2 now 3) with its action item (9 items); H is not.
    assert result.incidents == 7 and result.frequency.total == [3, 3, 0]
    assert (result.actions.total, result.actions.overdue) == (9, 2)
    reasons = {(e.subject, e.figure): e.reason for e in result.excluded}
    # Resolved before mitigated: the time to detect stays, the other two are left out.
    assert reasons[("2026-06-10-g", "time to mitigate")] == "resolved_at is before mitigated_at"
    assert reasons[("2026-06-10-g", "time to resolve")] == "resolved_at is before mitigated_at"
    assert ("2026-06-10-g", "time to detect") not in reasons
    assert ("2026-06-10-g", "all figures") not in reasons
    unread = reasons[("2026-06-12-h", "all figures")]
    assert unread.startswith("the file is not valid") and "unknown severity 'P0'" in unread
    ttd = {f.key: f.summary for f in result.durations.overall}["ttd"]
    assert ttd.n == 5  # P1-P4 and G

    root = fixed.root
    listed = run_cli("actions", "-f", "json", "--today", "2026-07-01", cwd=root)
    refs = [r["ref"] for r in json.loads(listed.stdout)]
    assert "2026-06-10-g/A1" in refs and "2026-06-12-h/A1" not in refs and len(refs) == 9
    expected = (
        "2 file(s) not read: run mortem validate\n"
        "  postmortems/2026-06-12-h.md\n  postmortems/broken.md"
    )
    assert expected in listed.stderr
    summary = run_cli("actions", "summary", "-f", "json", "--today", "2026-07-01", cwd=root)
    data = json.loads(summary.stdout)
    assert data["groups"][0]["total"] == result.actions.total == 9
    assert data["not_read"] == ["postmortems/2026-06-12-h.md", "postmortems/broken.md"]
    assert expected in summary.stderr
    table = run_cli("actions", "summary", "--today", "2026-07-01", cwd=root)
    assert expected in table.stderr
    due = run_cli("review", "due", "--today", "2026-07-01", cwd=root)
    assert due.returncode == 0 and expected in due.stderr


def test_the_sample_repository_links_fixes_to_factors(sample: Workspace) -> None:
    found = stats_of(sample, sections=("repeats",)).repeats
    verdicts = {(r.first[:10], r.second[:10]): r.verdict() for r in found}
    # The warehouse-sync pair: A2 and A4 addressed configuration, done before the repeat.
    assert verdicts[("2025-01-27", "2025-03-06")] == "after a fix"
    # The migration lock's testing item (A4) was still open when rounding broke.
    assert verdicts[("2026-09-08", "2026-11-19")] == "other items done"
    # Nothing of the DNS postmortem declares its factors: not a guess either way.
    assert verdicts[("2025-10-20", "2025-12-16")] == "not linked"


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


def test_action_item_factors_must_be_the_postmortems_categories(fixed: Workspace) -> None:
    path = fixed.store.path_for("2026-04-20-d")
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "    status: in-progress\n", "    status: in-progress\n    factors: [testing]\n"
        ),
        encoding="utf-8",
    )
    line = text[: text.index("    status: in-progress")].count("\n") + 2
    result = run_cli("validate", cwd=fixed.root)
    assert result.returncode == 1
    assert (
        f"postmortems/2026-04-20-d.md:{line}: action_items[0].factors[0]: 'testing' is not a "
        "contributing-factor category of this postmortem (its categories: deployment)"
    ) in result.stdout + result.stderr
    schema = json_schema()["$defs"]
    assert schema["ActionItem"]["properties"]["factors"]["items"] == {"type": "string"}
    assert "publish" in schema["Review"]["properties"]["kind"]["enum"]
