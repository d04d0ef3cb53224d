"""Log-spaced histograms: every value lands in a bucket whose middle is within 9% of it, and
percentiles read from merged counts are those of the values within that width."""

import math
import random

import pytest

from monitoring.logic.histogram import DURATION_S, RESPONSE_MS, LogBuckets


@pytest.mark.parametrize("buckets", [RESPONSE_MS, DURATION_S])
def test_a_value_reads_back_within_a_bucket_width(buckets: LogBuckets):
    for value in (1.0, 1.5, 37.0, 999.0, 4200.0, 86_400.0):
        read = buckets.middle(buckets.bucket(value))
        assert abs(read - value) / value <= math.sqrt(buckets.ratio) - 1 + 1e-9


def test_values_past_the_ends_go_to_the_end_buckets():
    assert RESPONSE_MS.bucket(0.0) == 0
    assert RESPONSE_MS.bucket(0.2) == 0
    assert RESPONSE_MS.bucket(1e12) == RESPONSE_MS.count - 1


def test_percentiles_of_merged_histograms_are_the_values_percentiles_within_the_width():
    rng = random.Random(5)  # noqa: S311 - a fixed sample to test, nothing secret
    values = sorted(rng.lognormvariate(5, 1) for _ in range(2000))
    first: dict[int, int] = {}
    second: dict[int, int] = {}
    for n, value in enumerate(values):
        part = first if n % 2 else second
        bucket = RESPONSE_MS.bucket(value)
        part[bucket] = part.get(bucket, 0) + 1
    merged = {b: first.get(b, 0) + second.get(b, 0) for b in first.keys() | second.keys()}
    for fraction in (0.5, 0.95):
        exact = values[math.ceil(fraction * len(values)) - 1]
        read = RESPONSE_MS.percentile(merged, fraction)
        assert read is not None
        assert abs(read - exact) / exact < 0.1


def test_nothing_counted_has_no_percentile():
    assert RESPONSE_MS.percentile({}, 0.5) is None
