"""First-response times as a small fixed histogram, so that percentiles combine across days and
organisations [issue 10 item 4].

A median cannot be summed: the median of a month is not the mean of 30 daily medians. Each daily
row therefore stores, besides the count and the sum of seconds, how many first responses fell into
each of the buckets below (upper bounds in minutes, the last one open). Rows of any set of days and
organisations are combined by adding the bucket counts; the percentile is then read from the combined
histogram by linear interpolation inside the bucket that holds it. The error is bounded by the
bucket's width; the bounds are dense where the deadlines are (3 hours, 12 hours), so "on time or
not" never depends on the interpolation. Pure functions, no database.
"""

from collections.abc import Sequence

# Upper bounds of the buckets, in minutes. Bucket i holds  BOUNDS[i-1] <= t < BOUNDS[i]  (bucket 0
# from 0); one more, open-ended bucket holds everything from the last bound on.
BOUNDS_MINUTES: tuple[int, ...] = (5, 10, 15, 30, 45, 60, 90, 120, 150, 180, 240, 360, 480, 720, 1080, 1440,
                                   2880, 4320, 10080)
BUCKETS = len(BOUNDS_MINUTES) + 1
# Where the open-ended last bucket is taken to end, for interpolation only (30 days).
OPEN_END_MINUTES = 43200


def bucket_of(seconds: float) -> int:
    minutes = max(0.0, seconds) / 60
    for i, bound in enumerate(BOUNDS_MINUTES):
        if minutes < bound:
            return i
    return BUCKETS - 1


def bucket_range(i: int) -> tuple[int, int]:
    """(lower, upper) bounds of bucket i in minutes."""
    lower = 0 if i == 0 else BOUNDS_MINUTES[i - 1]
    upper = BOUNDS_MINUTES[i] if i < len(BOUNDS_MINUTES) else OPEN_END_MINUTES
    return lower, upper


def histogram(seconds: Sequence[float]) -> list[int]:
    counts = [0] * BUCKETS
    for s in seconds:
        counts[bucket_of(s)] += 1
    return counts


def combine(*histograms: Sequence[int]) -> list[int]:
    out = [0] * BUCKETS
    for h in histograms:
        for i, c in enumerate(h):
            out[i] += c or 0
    return out


def percentile_minutes(counts: Sequence[int], p: float) -> float | None:
    """The p-th percentile (0 < p < 1) in minutes, interpolated inside its bucket; None when empty.
    Same convention as PostgreSQL's percentile_cont: rank p*(n-1) among n sorted values."""
    n = sum(counts)
    if n == 0:
        return None
    if n == 1:
        rank = 0.0
    else:
        rank = p * (n - 1)
    seen = 0
    for i, c in enumerate(counts):
        if c and rank < seen + c:
            lower, upper = bucket_range(i)
            # The bucket's c values are taken as spread evenly over [lower, upper).
            fraction = (rank - seen + 0.5) / c
            return round(lower + (upper - lower) * fraction, 1)
        seen += c
    lower, upper = bucket_range(BUCKETS - 1)
    return float(upper)


def exact_percentile(values: Sequence[float], p: float) -> float | None:
    """percentile_cont on a list (the SQLite fallback and the tests' oracle)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = p * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
