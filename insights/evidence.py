"""Turning an observed effect into a confidence between 0 and 1.

Every insight states a claim ("video beats your typical post", "09:00 is your best hour") and
the confidence is how far the data supports *that claim*, built from three things the reader
can check in the insight's own numbers:

* **size against noise**: the effect on the log scale divided by its standard error, read as
  the probability P that the effect is really positive; 2P - 1 maps a coin flip to 0;
* **posts behind the claim**: n / (n + 10), so a striking effect seen in four posts does not
  sound certain (ten posts is where the factor reaches one half);
* **multiple looks**: when the claim is the best of m candidates (hashtags, groups), the
  tail probability is multiplied by m (Bonferroni), because the luckiest of twenty hashtags
  looks good by construction.
"""

from __future__ import annotations

import math
import statistics

_NORMAL = statistics.NormalDist()
EVIDENCE_HALF = 10  # posts at which the sample-size factor reaches 0.5


def sample_factor(posts: int) -> float:
    return posts / (posts + EVIDENCE_HALF) if posts > 0 else 0.0


def certainty(effect: float, standard_error: float, comparisons: int = 1) -> float:
    """2P - 1 for "the effect is positive", after a Bonferroni correction for `comparisons`."""
    if standard_error <= 0:
        return 1.0 if effect > 0 else 0.0
    tail = 1.0 - _NORMAL.cdf(effect / standard_error)
    adjusted = min(1.0, tail * max(1, comparisons))
    return max(0.0, 1.0 - 2.0 * adjusted)


def claim_confidence(effect: float, standard_error: float, posts: int,
                     comparisons: int = 1) -> float:
    return round(certainty(effect, standard_error, comparisons) * sample_factor(posts), 2)


def welch(first: list[float], second: list[float]) -> tuple[float, float] | None:
    """(mean difference, its standard error) of two samples; None when either is too small."""
    if len(first) < 2 or len(second) < 2:
        return None
    diff = statistics.fmean(first) - statistics.fmean(second)
    se = math.sqrt(statistics.variance(first) / len(first)
                   + statistics.variance(second) / len(second))
    return diff, se


def percent(value: float | None, signed: bool = True) -> str:
    """The seed's percentage text: 0.23 -> "23%" (or "+23%" when signed)."""
    if value is None:
        return "unknown"
    return f"{value * 100:+.0f}%" if signed else f"{value * 100:.0f}%"
