"""Log-spaced histograms: the percentiles of many values from a few counts, merged across hours and
days by adding counts.

Bucket `b` holds the values in [smallest * ratio**b, smallest * ratio**(b+1)); values below the
smallest go to bucket 0, values past the last bucket to the last. A percentile is read as the
geometric middle of the bucket holding it, so it is within a factor sqrt(ratio) of the true value:
with ratio 2**(1/4), about 9% either way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class LogBuckets:
    """A fixed log-spaced bucketing of positive values."""

    smallest: float
    ratio: float
    count: int

    def bucket(self, value: float) -> int:
        """The bucket a value falls in."""
        if value < self.smallest:
            return 0
        return min(int(math.log(value / self.smallest) / math.log(self.ratio)), self.count - 1)

    def middle(self, bucket: int) -> float:
        """The geometric middle of a bucket: what a percentile falling in it reads as."""
        return float(self.smallest * self.ratio ** (bucket + 0.5))

    def percentile(self, counts: Mapping[int, int], fraction: float) -> float | None:
        """The value below which `fraction` of the counted values fall (None when nothing was counted)."""
        total = sum(counts.values())
        if total <= 0:
            return None
        rank = max(1, math.ceil(fraction * total))
        seen = 0
        for bucket in sorted(counts):
            seen += counts[bucket]
            if seen >= rank:
                return round(self.middle(bucket), 3)
        return round(self.middle(max(counts)), 3)


FINE = 2**0.25  # four buckets per doubling: percentiles within about 9%
RESPONSE_MS = LogBuckets(smallest=1.0, ratio=FINE, count=80)  # 1 ms to about 17 minutes
DURATION_S = LogBuckets(smallest=1.0, ratio=FINE, count=100)  # 1 s to about a year
