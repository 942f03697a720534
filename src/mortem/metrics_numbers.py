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
    def distinguishable(self) -> bool:
        """True when the interval excludes 0: the change is larger than resampling noise."""
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


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
    rng = rng_for(seed, name)
    draws = bootstrap_quantile(sb, 0.5, rng, resamples) - bootstrap_quantile(
        sa, 0.5, rng, resamples
    )
    med_a, med_b = quantile(sa, 0.5), quantile(sb, 0.5)
    low, high = percentile_interval(draws)
    return Difference(len(a), len(b), med_a, med_b, med_b - med_a, low, high)


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
