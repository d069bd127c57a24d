"""Paired bootstrap intervals for the difference of two systems' per-query scores.

Queries are resampled with replacement, the same draw for both systems (Efron & Tibshirani,
1993; as used for IR significance by Sakai, 2006). The interval is the percentile interval
of the mean difference; it excludes 0 when one system is reliably better on such queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PairedDifference:
    mean: float  # mean of a - b over queries
    low: float
    high: float
    n: int

    def __str__(self) -> str:
        return f"{self.mean:+.3f} [{self.low:+.3f}, {self.high:+.3f}]"


def paired_bootstrap(a: Sequence[float], b: Sequence[float], samples: int = 2000,
                     level: float = 0.95, seed: int = 0) -> PairedDifference:
    """The mean of a - b with a percentile interval from ``samples`` paired resamples."""
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    if diff.ndim != 1 or len(diff) == 0:
        raise ValueError("paired_bootstrap needs two equally long, non-empty score lists")
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), size=(samples, len(diff)))].mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return PairedDifference(float(diff.mean()), float(low), float(high), len(diff))
