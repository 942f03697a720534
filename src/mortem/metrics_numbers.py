"""Small-sample statistics for the metrics: quantiles, bootstrap intervals, tests.

Incident data are few and skewed, so every figure carries its n and an interval rather
than standing alone ("Incident Metrics in SRE", Google 2021: a mean time to resolve
over a handful of incidents mostly measures luck).

Intervals are bootstrap percentile intervals, seeded so that a report is reproducible.
Quantiles use the interpolation of numpy's default (Hyndman and Fan type 7).

The bootstrap of a quantile is simulated exactly in O(B) instead of O(B*n): resampling
n values with replacement from sorted data picks indices floor(n*U) of uniform U, so
the k-th smallest resampled value is the one at index floor(n*U_(k)), and the k-th
order statistic of n uniforms follows Beta(k, n-k+1); the next one is
U_(k) + (1-U_(k)) * Beta(1, n-k). Drawing those two Betas gives the same distribution
as resampling whole samples (tests/test_metrics.py checks it against brute force).
"""

from __future__ import annotations

import functools
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

DEFAULT_SEED = 20240611
DEFAULT_RESAMPLES = 2000
SMALL_N = 10
# Below this n a bootstrap interval is no interval: resampling one value gives that
# value every time, and two values give little more than their range.
MIN_INTERVAL_N = 3
# A comparison of two periods is only called either way with this many values on each
# side: with fewer, a bootstrap interval of a difference of medians is too often
# narrow by chance (with n = 1 it is just the spread of the other side).
MIN_COMPARE_N = 5
TOO_FEW_TO_ESTIMATE = "too few to estimate"
TOO_FEW_TO_TELL = "too few to tell"
LEVEL = 0.95
# Above this many values x resamples, the bootstrap of the mean is replaced by the
# normal approximation it converges to (its skew shrinks as 1/sqrt(n)).
MEAN_BOOTSTRAP_WORK = 1_000_000


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Type-7 quantile of already sorted values (numpy's default)."""
    n = len(sorted_values)
    if n == 0:
        raise ValueError("quantile of no values")
    h = (n - 1) * q
    low = math.floor(h)
    high = min(low + 1, n - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (h - low)


def rng_for(seed: int, name: str) -> np.random.Generator:
    """An independent, reproducible stream per figure, so that adding or removing one
    figure never changes the intervals of the others."""
    import numpy as np

    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def bootstrap_quantile(
    sorted_values: Sequence[float], q: float, rng: np.random.Generator, resamples: int
) -> np.ndarray[Any, Any]:
    """`resamples` draws of the type-7 quantile of a bootstrap resample."""
    import numpy as np

    data = np.asarray(sorted_values, dtype=float)
    n = len(data)
    h = (n - 1) * q
    j = math.floor(h)
    frac = h - j
    first = rng.beta(j + 1, n - j, size=resamples)
    second = first + (1 - first) * rng.beta(1, n - j - 1, size=resamples) if j + 1 < n else first
    i1 = np.minimum((n * first).astype(np.int64), n - 1)
    i2 = np.minimum((n * second).astype(np.int64), n - 1)
    result: np.ndarray[Any, Any] = data[i1] + (data[i2] - data[i1]) * frac
    return result


def bootstrap_mean(
    values: Sequence[float], rng: np.random.Generator, resamples: int
) -> tuple[np.ndarray[Any, Any], str]:
    import numpy as np

    data = np.asarray(values, dtype=float)
    n = len(data)
    if n * resamples > MEAN_BOOTSTRAP_WORK:
        spread = float(data.std()) / math.sqrt(n)
        return rng.normal(float(data.mean()), spread, size=resamples), "normal approximation"
    means = np.empty(resamples)
    step = max(1, MEAN_BOOTSTRAP_WORK // (4 * n))
    for start in range(0, resamples, step):
        count = min(step, resamples - start)
        means[start : start + count] = data[rng.integers(0, n, size=(count, n))].mean(axis=1)
    return means, "bootstrap"


def percentile_interval(draws: np.ndarray[Any, Any], level: float = LEVEL) -> tuple[float, float]:
    import numpy as np

    tail = (1 - level) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return float(low), float(high)


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float
    # False when the sample is too small for an interval (n < MIN_INTERVAL_N): low and
    # high are then only the smallest and largest value, and are shown as no interval.
    interval: bool = True

    @property
    def bounds(self) -> tuple[float, float] | None:
        return (self.low, self.high) if self.interval else None


@dataclass(frozen=True)
class Summary:
    """Median, p90 and mean of one sample, each with its interval, and n."""

    n: int
    median: Estimate | None
    p90: Estimate | None
    mean: Estimate | None
    method: str

    @property
    def small(self) -> bool:
        return self.n < SMALL_N


def summarize(
    values: Sequence[float],
    name: str,
    seed: int = DEFAULT_SEED,
    resamples: int = DEFAULT_RESAMPLES,
    with_mean: bool = True,
) -> Summary:
    """Median, p90 and (unless left out) mean with their intervals. Quantile intervals
    cost O(resamples); the mean's costs O(n * resamples), so long per-period listings
    leave the mean out rather than show it without an interval."""
    if not values:
        return Summary(0, None, None, None, "none")
    data = sorted(values)
    if len(data) < MIN_INTERVAL_N:
        return _too_few(data, with_mean)
    rng = rng_for(seed, name)
    median = Estimate(
        quantile(data, 0.5), *percentile_interval(bootstrap_quantile(data, 0.5, rng, resamples))
    )
    p90 = Estimate(
        quantile(data, 0.9), *percentile_interval(bootstrap_quantile(data, 0.9, rng, resamples))
    )
    if not with_mean:
        return Summary(
            len(data), median, p90, None, f"bootstrap, {resamples} resamples, seed {seed}"
        )
    draws, method = bootstrap_mean(data, rng, resamples)
    mean = Estimate(sum(data) / len(data), *percentile_interval(draws))
    return Summary(len(data), median, p90, mean, f"{method}, {resamples} resamples, seed {seed}")


def _too_few(data: list[float], with_mean: bool) -> Summary:
    def plain(value: float) -> Estimate:
        return Estimate(value, data[0], data[-1], interval=False)

    mean = plain(sum(data) / len(data)) if with_mean else None
    method = f"{TOO_FEW_TO_ESTIMATE} an interval (n < {MIN_INTERVAL_N})"
    return Summary(len(data), plain(quantile(data, 0.5)), plain(quantile(data, 0.9)), mean, method)


@dataclass(frozen=True)
class Rate:
    """A proportion with its Wilson score interval (sound for small n and for 0 or 1)."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def interval(self, z: float = 1.959964) -> tuple[float, float] | None:
        n = self.denominator
        if n == 0:
            return None
        p = self.numerator / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Difference:
    """Median of B minus median of A, with the bootstrap interval of that difference."""

    n_a: int
    n_b: int
    median_a: float | None
    median_b: float | None
    difference: float | None
    low: float | None
    high: float | None

    @property
    def enough(self) -> bool:
        return min(self.n_a, self.n_b) >= MIN_COMPARE_N

    @property
    def distinguishable(self) -> bool:
        """True when each side has enough values and the interval excludes 0: the change
        is larger than resampling noise."""
        return (
            self.enough
            and self.low is not None
            and self.high is not None
            and (self.low > 0 or self.high < 0)
        )

    @property
    def verdict(self) -> str:
        if self.difference is None:
            return "not enough data"
        if not self.enough:
            return f"{TOO_FEW_TO_TELL} (n < {MIN_COMPARE_N} on a side)"
        return "distinguishable from noise" if self.distinguishable else "within noise"


def median_difference(
    a: Sequence[float],
    b: Sequence[float],
    name: str,
    seed: int = DEFAULT_SEED,
    resamples: int = DEFAULT_RESAMPLES,
) -> Difference:
    if not a or not b:
        med_a = quantile(sorted(a), 0.5) if a else None
        med_b = quantile(sorted(b), 0.5) if b else None
        return Difference(len(a), len(b), med_a, med_b, None, None, None)
    sa, sb = sorted(a), sorted(b)
    if min(len(sa), len(sb)) < MIN_INTERVAL_N:
        med_a, med_b = quantile(sa, 0.5), quantile(sb, 0.5)
        return Difference(len(a), len(b), med_a, med_b, med_b - med_a, None, None)
    rng = rng_for(seed, name)
    draws = bootstrap_quantile(sb, 0.5, rng, resamples) - bootstrap_quantile(
        sa, 0.5, rng, resamples
    )
    med_a, med_b = quantile(sa, 0.5), quantile(sb, 0.5)
    low, high = percentile_interval(draws)
    return Difference(len(a), len(b), med_a, med_b, med_b - med_a, low, high)


@dataclass(frozen=True)
class CountTest:
    """Two incident counts over periods of different lengths: is the rate different?

    Under one rate for both, and given the total, the count of the first period is
    binomial with p = its share of the days (the conditional test of two Poisson
    counts); the p-value is exact and two-sided (outcomes no more likely than the one
    seen). When even the most lopsided split could not reach p < 0.05, there are too
    few incidents to tell, and the verdict says so instead of "within noise"."""

    count_a: int
    count_b: int
    days_a: int
    days_b: int
    p_value: float | None
    min_p_value: float | None

    def per_30_days(self, count: int, days: int) -> float | None:
        return count * 30 / days if days > 0 else None

    @property
    def rate_a(self) -> float | None:
        return self.per_30_days(self.count_a, self.days_a)

    @property
    def rate_b(self) -> float | None:
        return self.per_30_days(self.count_b, self.days_b)

    @property
    def verdict(self) -> str:
        if self.p_value is None or self.min_p_value is None:
            return "not enough data"
        if self.min_p_value >= 0.05:
            return TOO_FEW_TO_TELL
        return "distinguishable from noise" if self.p_value < 0.05 else "within noise"


def _binomial_p(k: int, n: int, p: float) -> float:
    """Two-sided exact binomial p-value of k of n at p (0 < p < 1), in log space so that
    thousands of incidents do not overflow."""
    log_p, log_q, whole = math.log(p), math.log1p(-p), math.lgamma(n + 1)
    probs = [
        math.exp(whole - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q)
        for i in range(n + 1)
    ]
    seen = probs[k] * (1 + 1e-7)
    return min(1.0, sum(q for q in probs if q <= seen))


def count_test(count_a: int, count_b: int, days_a: int, days_b: int) -> CountTest:
    """The exact conditional test of two Poisson counts over `days_a` and `days_b` days."""
    total = count_a + count_b
    if days_a <= 0 or days_b <= 0 or total == 0:
        return CountTest(count_a, count_b, days_a, days_b, None, None)
    share = days_a / (days_a + days_b)
    extreme = min(_binomial_p(0, total, share), _binomial_p(total, total, share))
    return CountTest(count_a, count_b, days_a, days_b, _binomial_p(count_a, total, share), extreme)


@dataclass(frozen=True)
class Trend:
    """Least-squares slope of counts per period, and how often shuffled counts match it."""

    periods: int
    slope: float | None
    p_value: float | None

    @property
    def direction(self) -> str:
        if self.slope is None or self.p_value is None:
            return "too few periods"
        if self.p_value >= 0.05:
            return "no clear trend"
        return "rising" if self.slope > 0 else "falling"


def slope(counts: Sequence[float]) -> float:
    k = len(counts)
    mean_x = (k - 1) / 2
    mean_y = sum(counts) / k
    sxx = sum((x - mean_x) ** 2 for x in range(k))
    return sum((x - mean_x) * (y - mean_y) for x, y in enumerate(counts)) / sxx


def trend(
    counts: Sequence[int],
    seed: int = DEFAULT_SEED,
    permutations: int = DEFAULT_RESAMPLES,
) -> Trend:
    """Two-sided permutation test of the slope: a trend only if order matters."""
    return trends([counts], seed, permutations)[0]


def trends(
    series: Sequence[Sequence[int]],
    seed: int = DEFAULT_SEED,
    permutations: int = DEFAULT_RESAMPLES,
) -> list[Trend]:
    """`trend` of several series of the same length at once (one array operation)."""
    if not series:
        return []
    size = len(series[0])
    if size < 3:
        return [Trend(size, None, None) for _ in series]
    import numpy as np

    data = np.asarray(series, dtype=float)
    x = np.arange(size) - (size - 1) / 2
    sxx = float(x @ x)
    observed = (data - data.mean(axis=1, keepdims=True)) @ x / sxx
    # Shuffled slope of series g under permutation p: sum_i data[g, perm[p, i]] * x[i].
    shuffled = data[:, _permutations(seed, size, permutations)] @ x / sxx
    extreme = np.sum(np.abs(shuffled) >= np.abs(observed)[:, None] - 1e-12, axis=1)
    return [
        Trend(size, float(b), (int(e) + 1) / (permutations + 1))
        for b, e in zip(observed, extreme, strict=True)
    ]


@functools.lru_cache(maxsize=8)
def _permutations(seed: int, size: int, count: int) -> np.ndarray[Any, Any]:
    """One seeded set of shuffles per series length, shared by every series of that
    length (each test stays exact; dozens of services cost one draw)."""
    import numpy as np

    rng = np.random.default_rng([seed, size])
    order: np.ndarray[Any, Any] = rng.random((count, size)).argsort(axis=1)
    return order
